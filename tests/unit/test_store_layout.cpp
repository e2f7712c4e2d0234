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
