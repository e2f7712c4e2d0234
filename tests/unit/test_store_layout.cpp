// The store's record layout and reader split, without MPI or HDF5.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "store/layout.hpp"

namespace ba::store {
namespace {

TableSchema schema() {
  return TableSchema{
      "t",
      {{"name", ColumnKind::text}, {"amount", ColumnKind::amount}, {"day", ColumnKind::date}, {"n", ColumnKind::count}},
      {}};
}

TEST(StoreLayout, RowLayoutIsPackedInColumnOrder) {
  const TableSchema s = schema();
  TableWidths widths;
  widths.seller = 5;
  widths.columns = {3, 0, 10, 0};
  const RecordLayout layout = row_layout(s, widths);
  ASSERT_EQ(layout.fields.size(), 5u);
  const std::vector<std::string> names = {kSellerMember, "name", "amount", "day", "n"};
  const std::vector<std::size_t> offsets = {0, 5, 8, 16, 26};
  const std::vector<bool> strings = {true, true, false, true, false};
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(layout.fields[i].name, names[i]);
    EXPECT_EQ(layout.fields[i].offset, offsets[i]);
    EXPECT_EQ(layout.fields[i].is_string, strings[i]);
  }
  EXPECT_EQ(layout.size, 34u);
  EXPECT_EQ(layout.find("day"), 3u);
  EXPECT_EQ(layout.find("missing"), layout.fields.size());
}

TEST(StoreLayout, SellerIndexLayout) {
  TableWidths widths;
  widths.seller = 4;
  widths.folder = 12;
  const RecordLayout layout = seller_index_layout(widths);
  ASSERT_EQ(layout.fields.size(), 4u);
  EXPECT_EQ(layout.fields[2].name, kFirstRowMember);
  EXPECT_EQ(layout.fields[2].offset, 16u);
  EXPECT_EQ(layout.size, 32u);
  std::vector<char> record(layout.size, 'x');
  const IndexEntry entry{"s1", "123456789012", 40, 0};
  pack_index_entry(layout, entry, record.data());
  const IndexEntry back = unpack_index_entry(layout, record.data());
  EXPECT_EQ(back.seller, "s1");
  EXPECT_EQ(back.folder, "123456789012");
  EXPECT_EQ(back.first_row, 40);
  EXPECT_EQ(back.row_count, 0);
}

TEST(StoreLayout, LocalWidthsAreLongestValuesAndAtLeastOne) {
  const TableSchema s = schema();
  LocalTable table;
  table.schema = &s;
  EXPECT_EQ(local_widths(table).columns, (std::vector<std::size_t>{1, 0, 1, 0}));
  EXPECT_EQ(local_widths(table).seller, 1u);
  table.sellers = {{"seller", "1234", 2}};
  table.rows = {TableRow::from_cells("seller", {{"ab", 0}, {"", 1}, {"", 0}, {"", 2}}),
                TableRow::from_cells("seller", {{"abcd", 0}, {"", 1}, {"2024-01-01", 0}, {"", 2}})};
  const TableWidths widths = local_widths(table);
  EXPECT_EQ(widths.seller, 6u);
  EXPECT_EQ(widths.folder, 4u);
  EXPECT_EQ(widths.columns, (std::vector<std::size_t>{4, 0, 10, 0}));
}

TEST(StoreLayout, RowsRoundTripThroughPackedRecords) {
  const TableSchema s = schema();
  LocalTable table;
  table.schema = &s;
  table.rows = {
      TableRow::from_cells("s", {{"", 0}, {"", std::numeric_limits<std::int64_t>::min()}, {"", 0}, {"", -1}}),
      TableRow::from_cells("sel", {{"caf\xc3\xa9", 0}, {"", std::numeric_limits<std::int64_t>::max()}, {"2024-12-31", 0}, {"", 0}}),
      TableRow::from_cells("x", {{"a b,\"c\"\n", 0}, {"", 42}, {"", 0}, {"", 7}}),
  };
  table.sellers = {{"s", "f", 1}, {"sel", "f", 1}, {"x", "f", 1}};
  const RecordLayout layout = row_layout(s, local_widths(table));
  std::vector<char> buffer;
  pack_rows(layout, table, 1, 3, buffer);
  ASSERT_EQ(buffer.size(), 2 * layout.size);
  for (std::size_t r = 1; r < 3; ++r) {
    const TableRow back = unpack_row(layout, s, buffer.data() + (r - 1) * layout.size);
    EXPECT_EQ(back.seller, table.rows[r].seller);
    for (std::size_t c = 0; c < s.columns.size(); ++c) {
      EXPECT_EQ(back.text(c), table.rows[r].text(c));
      EXPECT_EQ(back.number(c), table.rows[r].number(c));
    }
  }
  pack_rows(layout, table, 0, 1, buffer);
  EXPECT_EQ(unpack_row(layout, s, buffer.data()).number(1), std::numeric_limits<std::int64_t>::min());
}

TEST(StoreLayout, StringsAreNulPaddedAndTrimmed) {
  const Field field{"f", true, 2, 6};
  std::vector<char> record(10, 'z');
  put_string(record.data(), field, "abc");
  EXPECT_EQ(std::string(record.data() + 2, 6), std::string("abc\0\0\0", 6));
  EXPECT_EQ(record[1], 'z');
  EXPECT_EQ(record[8], 'z');
  EXPECT_EQ(get_string(record.data(), field), "abc");
  put_string(record.data(), field, "abcdef");  // exactly the width: no terminator
  EXPECT_EQ(get_string(record.data(), field), "abcdef");
  put_string(record.data(), field, "");
  EXPECT_EQ(get_string(record.data(), field), "");
  EXPECT_TRUE(text_has_nul(std::string("a\0b", 3)));
  EXPECT_FALSE(text_has_nul("ab"));
}

TEST(StoreLayout, NulIsFoundAtEveryPositionAndWidthsAreTheLongestCells) {
  for (std::size_t n = 0; n < 40; ++n) {
    EXPECT_FALSE(text_has_nul(std::string(n, 'x'))) << n;
    for (std::size_t at = 0; at < n; ++at) {
      std::string text(n, 'x');
      text[at] = '\0';
      EXPECT_TRUE(text_has_nul(text)) << n << " " << at;
    }
    // A view inside a larger buffer with NULs right outside it: only its own bytes count.
    const std::string framed = std::string(8, '\0') + std::string(n, 'x') + std::string(8, '\0');
    EXPECT_FALSE(text_has_nul(std::string_view(framed).substr(8, n))) << n;
  }
  TableSchema schema{"t", {{"a", ColumnKind::text}, {"n", ColumnKind::amount}, {"d", ColumnKind::date}}, {}};
  TableWidths widths;
  widths.columns = {1, 0, 1};
  // An amount's packed bytes may hold zeros: only text and date cells are checked.
  EXPECT_TRUE(widen_to_fit_checked(widths, schema, TableRow::from_cells("seller", {{"abcd", 0}, {"", 256}, {"2026-10-01", 0}})));
  EXPECT_TRUE(widen_to_fit_checked(widths, schema, TableRow::from_cells("s", {{"abcdefghij", 0}, {"", 0}, {"", 0}})));
  EXPECT_EQ(widths.seller, 6u);
  EXPECT_EQ(widths.columns, (std::vector<std::size_t>{10, 0, 10}));
  EXPECT_FALSE(widen_to_fit_checked(widths, schema, TableRow::from_cells("s", {{"a", 0}, {"", 0}, {std::string("x\0", 2), 0}})));
}

// A table of `short_rows` rows whose name is `short_length` bytes and `long_rows` rows whose name
// is `long_length` bytes, as widen_to_fit counts them; returns the name column's inline width.
std::size_t name_width(std::size_t short_rows, std::size_t short_length, std::size_t long_rows, std::size_t long_length) {
  LocalTable table;
  const TableSchema s = schema();
  table.schema = &s;
  TableWidths widths = seller_widths(table);
  const auto row = [](std::size_t length) {
    return TableRow::from_cells("s", {{std::string(length, 'x'), 0}, {"", 1}, {"2026-10-01", 0}, {"", 2}});
  };
  for (std::size_t i = 0; i < short_rows; ++i) widen_to_fit(widths, s, row(short_length));
  for (std::size_t i = 0; i < long_rows; ++i) widen_to_fit(widths, s, row(long_length));
  choose_inline_widths(widths, s, static_cast<std::int64_t>(short_rows + long_rows));
  EXPECT_EQ(widths.columns[2], 10u);  // the date column never moves
  return widths.columns[0];
}

TEST(StoreLayout, InlineWidthCutsOnlyWhatHalvesTheColumn) {
  EXPECT_EQ(width_candidate(0), 64u);
  EXPECT_EQ(width_candidate(1), 96u);
  EXPECT_EQ(width_candidate(2), 128u);
  EXPECT_EQ(width_candidate(5), 384u);
  // Up to 64 bytes, whatever the mix: as wide as the longest cell.
  EXPECT_EQ(name_width(1000, 3, 10, 64), 64u);
  // Cutting a few 71-byte names to 64 would save a tenth: they stay in line.
  EXPECT_EQ(name_width(1000, 20, 10, 71), 71u);
  // One 2 MB name in a thousand rows: out of line, the column 64 bytes.
  EXPECT_EQ(name_width(1000, 20, 1, 2000000), 64u);
  // A seventh of the names 300 bytes: the rows would more than double for them.
  EXPECT_EQ(name_width(600, 20, 100, 300), 64u);
  // Every name 300 bytes: nothing to gain by cutting.
  EXPECT_EQ(name_width(0, 0, 100, 300), 300u);
  // Half of them: cutting to 64 takes 64 + (300 + 32) / 2 = 230 bytes a row against 300.
  EXPECT_EQ(name_width(50, 10, 50, 300), 300u);
  // Long names of several lengths: the cheapest candidate that halves the column.
  EXPECT_EQ(name_width(10000, 100, 5, 5000), 128u);
}

TEST(StoreLayout, InlinePrefixEndsAtACharacterBoundary) {
  EXPECT_EQ(inline_prefix("abc", 3), "abc");
  EXPECT_EQ(inline_prefix("abcdef", 3), "abc");
  EXPECT_EQ(inline_prefix("aé", 2), "a");          // é is 2 bytes: not split
  EXPECT_EQ(inline_prefix("aéb", 3), "aé");
  EXPECT_EQ(inline_prefix("東京", 4), "東");       // 3-byte characters
  EXPECT_EQ(inline_prefix("東京", 5), "東");
  EXPECT_EQ(inline_prefix("東京", 6), "東京");
  EXPECT_EQ(inline_prefix("𝄞x", 3), "");          // a 4-byte character longer than the field
}

TEST(StoreLayout, LongCellsGoOutOfLineAndComeBack) {
  const TableSchema s = schema();
  LocalTable table;
  table.schema = &s;
  const std::string long_name = "name-" + std::string(100, 'y') + "é";
  table.rows = {TableRow::from_cells("s", {{"short", 0}, {"", 7}, {"2026-10-01", 0}, {"", 1}}),
                TableRow::from_cells("s", {{long_name, 0}, {"", -7}, {"2026-10-02", 0}, {"", 2}})};
  TableWidths widths = local_widths(table);
  widths.columns[0] = 64;  // as if many short rows had made it so
  const RecordLayout layout = row_layout(s, widths);
  const std::vector<LongCell> cells = long_cells(layout, table);
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].row, 1);
  EXPECT_EQ(cells[0].column, 0u);
  EXPECT_EQ(cells[0].value, long_name);

  std::vector<char> records;
  pack_rows(layout, table, 0, 2, records);
  const char* second = records.data() + layout.size;
  EXPECT_EQ(get_string(second, layout.fields[1]), long_name.substr(0, 64));
  const auto cells_of = [](const TableRow& row) {
    std::vector<std::string> all{row.seller};
    for (std::size_t c = 0; c < row.size(); ++c) all.emplace_back(row.raw(c));
    return all;
  };
  EXPECT_EQ(cells_of(unpack_row(layout, s, records.data())), cells_of(table.rows[0]));
  EXPECT_EQ(cells_of(unpack_row(layout, s, second, cells)), cells_of(table.rows[1]));
  EXPECT_EQ(unpack_row(layout, s, second).text(0), long_name.substr(0, 64));  // without its long value
  const RecordLayout long_layout = long_value_layout();
  EXPECT_EQ(long_layout.size, 32u);
  EXPECT_EQ(long_layout.fields[0].name, kLongRowMember);
  EXPECT_EQ(long_layout.fields[3].name, kLongLengthMember);
}

TEST(StoreLayout, KindNames) {
  EXPECT_STREQ(kind_name(ColumnKind::text), "text");
  EXPECT_STREQ(kind_name(ColumnKind::amount), "amount");
  EXPECT_STREQ(kind_name(ColumnKind::date), "date");
  EXPECT_STREQ(kind_name(ColumnKind::count), "count");
}

TEST(StoreLayout, EvenShareTilesTheRange) {
  for (std::int64_t total : {0, 1, 5, 17, 1000}) {
    for (int ranks = 1; ranks <= 7; ++ranks) {
      std::int64_t next = 0;
      for (int r = 0; r < ranks; ++r) {
        const auto [begin, end] = even_share(total, r, ranks);
        EXPECT_EQ(begin, next);
        EXPECT_LE(end - begin, total / ranks + 1);
        next = end;
      }
      EXPECT_EQ(next, total);
    }
  }
}

// Owners for sellers with the given row counts, as the reader computes them.
std::vector<int> owners(const std::vector<std::int64_t>& rows, int ranks) {
  const std::int64_t total = std::accumulate(rows.begin(), rows.end(), std::int64_t{0});
  std::vector<int> out;
  std::int64_t first = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.push_back(seller_owner(static_cast<std::int64_t>(i), first, rows[i], static_cast<std::int64_t>(rows.size()),
                               total, ranks));
    first += rows[i];
  }
  return out;
}

TEST(StoreLayout, SellerOwnersAreContiguousAndInRange) {
  const std::vector<std::vector<std::int64_t>> cases = {
      {5}, {0}, {0, 0, 0, 0, 0, 0, 0}, {3, 0, 5, 0, 0, 120, 1, 4, 0, 17}, {1000000, 1, 1, 1}, {1, 1, 1, 1000000}};
  for (const auto& rows : cases) {
    for (int ranks = 1; ranks <= 8; ++ranks) {
      const std::vector<int> o = owners(rows, ranks);
      for (std::size_t i = 0; i < o.size(); ++i) {
        EXPECT_GE(o[i], 0);
        EXPECT_LT(o[i], ranks);
        if (i > 0) {
          EXPECT_LE(o[i - 1], o[i]) << "owners must not decrease";
        }
      }
    }
  }
}

TEST(StoreLayout, SellerOwnersBalanceRows) {
  // Equal sellers: counts per rank differ by at most one.
  for (int ranks = 1; ranks <= 8; ++ranks) {
    const std::vector<int> o = owners(std::vector<std::int64_t>(24, 5), ranks);
    std::vector<int> count(static_cast<std::size_t>(ranks), 0);
    for (int r : o) ++count[static_cast<std::size_t>(r)];
    const auto [lo, hi] = std::minmax_element(count.begin(), count.end());
    EXPECT_LE(*hi - *lo, 1) << ranks << " ranks";
  }
  // One dominant seller gets a rank to itself; the small ones share the others.
  const std::vector<int> o = owners({1, 1, 1, 1000, 1, 1}, 3);
  EXPECT_EQ(o[3], 1);
  EXPECT_EQ(o[0], 0);
  EXPECT_NE(o[5], 1);
  // Without any rows, sellers are split by count.
  const std::vector<int> empty = owners(std::vector<std::int64_t>(6, 0), 3);
  EXPECT_EQ(empty, (std::vector<int>{0, 0, 1, 1, 2, 2}));
}

}  // namespace
}  // namespace ba::store
