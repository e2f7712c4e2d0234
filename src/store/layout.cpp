#include "store/layout.hpp"

#include <algorithm>
#include <cstring>

#include "csv/swar.hpp"

namespace ba::store {

void RecordLayout::add_string(const std::string& name, std::size_t width) {
  ensure(width >= 1, "string field width is at least 1");
  fields.push_back(Field{name, true, size, width});
  size += width;
}

void RecordLayout::add_int64(const std::string& name) {
  fields.push_back(Field{name, false, size, sizeof(std::int64_t)});
  size += sizeof(std::int64_t);
}

std::size_t RecordLayout::find(std::string_view name) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return i;
  }
  return fields.size();
}

bool is_string_kind(ColumnKind kind) { return kind == ColumnKind::text || kind == ColumnKind::date; }

const char* kind_name(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::text: return "text";
    case ColumnKind::amount: return "amount";
    case ColumnKind::date: return "date";
    case ColumnKind::count: return "count";
  }
  ensure(false, "unknown column kind");
  return "";
}

std::size_t width_candidate(std::size_t k) {
  const std::size_t base = kMinInlineWidth << (k / 2);
  return k % 2 == 0 ? base : base + base / 2;
}

namespace {

constexpr std::int64_t kLongValueRecordBytes = 4 * sizeof(std::int64_t);

void count_long_cell(TableWidths& widths, std::size_t column, std::size_t length) {
  if (widths.long_cells.empty()) widths.long_cells.assign(TableWidths::long_cell_slots(widths.columns.size()), 0);
  std::size_t k = 0;
  while (k + 1 < kWidthCandidates && width_candidate(k + 1) < length) ++k;
  const std::size_t slot = TableWidths::long_cell_slot(column, k);
  widths.long_cells[slot] += 1;
  widths.long_cells[slot + 1] += static_cast<std::int64_t>(length);
}

}  // namespace

std::size_t inline_width(std::size_t longest, std::int64_t rows, const std::int64_t* long_cells) {
  if (longest <= kMinInlineWidth || rows <= 0) return std::max<std::size_t>(longest, 1);
  using Wide = __int128;  // rows * width and byte sums cannot overflow
  const Wide whole = static_cast<Wide>(rows) * static_cast<Wide>(longest);
  Wide best_bytes = whole;
  std::size_t best = longest;
  Wide cut_bytes = 0;  // what the cells longer than candidate k take out of line
  for (std::size_t k = kWidthCandidates; k-- > 0;) {
    cut_bytes += long_cells[2 * k + 1] + kLongValueRecordBytes * long_cells[2 * k];
    const std::size_t width = width_candidate(k);
    if (width >= longest) continue;
    const Wide bytes = static_cast<Wide>(rows) * static_cast<Wide>(width) + cut_bytes;
    if (bytes < best_bytes) {  // strictly: a tie keeps the wider field (fewer values out of line)
      best_bytes = bytes;
      best = width;
    }
  }
  return 2 * best_bytes <= whole ? best : longest;
}

void choose_inline_widths(TableWidths& widths, const TableSchema& schema, std::int64_t rows) {
  ensure(widths.columns.size() == schema.columns.size(), "one width per column");
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    if (!is_string_kind(schema.columns[c].kind) || widths.columns[c] <= kMinInlineWidth) continue;
    ensure(widths.long_cells.size() == TableWidths::long_cell_slots(schema.columns.size()), "long cells counted");
    widths.columns[c] =
        inline_width(widths.columns[c], rows, widths.long_cells.data() + TableWidths::long_cell_slot(c, 0));
  }
}

std::string_view inline_prefix(std::string_view value, std::size_t width) {
  if (value.size() <= width) return value;
  std::size_t cut = width;
  // value[cut] is the first byte left out: while it continues a character, that character
  // started inside the prefix and goes out whole.
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return value.substr(0, cut);
}

TableWidths seller_widths(const LocalTable& table) {
  ensure(table.schema != nullptr, "table has a schema");
  const auto& columns = table.schema->columns;
  TableWidths widths;
  widths.columns.assign(columns.size(), 0);
  widths.long_cells.assign(TableWidths::long_cell_slots(columns.size()), 0);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (is_string_kind(columns[c].kind)) widths.columns[c] = 1;
  }
  for (const auto& seller : table.sellers) {
    widths.seller = std::max(widths.seller, seller.seller.size());
    widths.folder = std::max(widths.folder, seller.folder.size());
  }
  return widths;
}

void widen_to_fit(TableWidths& widths, const TableSchema& schema, const TableRow& row) {
  (void)widen_to_fit_checked(widths, schema, row);
}

bool widen_to_fit_checked(TableWidths& widths, const TableSchema& schema, const TableRow& row) {
  const auto& columns = schema.columns;
  widths.seller = std::max(widths.seller, row.seller.size());
  bool nul = false;
  row.for_each_cell([&](std::size_t c, std::string_view bytes) {
    if (c >= columns.size() || !is_string_kind(columns[c].kind)) return;
    widths.columns[c] = std::max(widths.columns[c], bytes.size());
    if (bytes.size() > kMinInlineWidth) count_long_cell(widths, c, bytes.size());
    nul = nul || text_has_nul(bytes);
  });
  return !nul;
}

TableWidths local_widths(const LocalTable& table) {
  TableWidths widths = seller_widths(table);
  for (const auto& row : table.rows) widen_to_fit(widths, *table.schema, row);
  return widths;
}

RecordLayout row_layout(const TableSchema& schema, const TableWidths& widths) {
  ensure(widths.columns.size() == schema.columns.size(), "one width per column");
  RecordLayout layout;
  layout.add_string(kSellerMember, widths.seller);
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    const Column& column = schema.columns[c];
    if (is_string_kind(column.kind)) {
      layout.add_string(column.name, widths.columns[c]);
    } else {
      layout.add_int64(column.name);
    }
  }
  return layout;
}

RecordLayout long_value_layout() {
  RecordLayout layout;
  for (const char* name : {kLongRowMember, kLongColumnMember, kLongOffsetMember, kLongLengthMember})
    layout.add_int64(name);
  ensure(layout.size == kLongValueRecordBytes, "long_values record size");
  return layout;
}

std::vector<LongCell> long_cells(const RecordLayout& layout, const LocalTable& table) {
  ensure(layout.fields.size() == table.schema->columns.size() + 1, "one field per column plus the seller");
  const Field* fields = layout.fields.data() + 1;
  std::vector<LongCell> cells;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    TableRow::prefetch_ahead(table.rows.data(), r, table.rows.size());
    table.rows[r].for_each_cell([&](std::size_t c, std::string_view bytes) {
      if (fields[c].is_string && bytes.size() > fields[c].width)
        cells.push_back(LongCell{static_cast<std::int64_t>(r), c, bytes});
    });
  }
  return cells;
}

RecordLayout seller_index_layout(const TableWidths& widths) {
  RecordLayout layout;
  layout.add_string(kSellerMember, widths.seller);
  layout.add_string(kFolderMember, widths.folder);
  layout.add_int64(kFirstRowMember);
  layout.add_int64(kRowCountMember);
  return layout;
}

void put_string(char* record, const Field& field, std::string_view value) {
  ensure(field.is_string && value.size() <= field.width, "string fits its field");
  std::memcpy(record + field.offset, value.data(), value.size());
  std::memset(record + field.offset + value.size(), 0, field.width - value.size());
}

void put_int64(char* record, const Field& field, std::int64_t value) {
  ensure(!field.is_string, "int64 field");
  std::memcpy(record + field.offset, &value, sizeof value);
}

std::string_view string_in(const char* record, const Field& field) {
  std::size_t width = field.width;
  const char* begin = record + field.offset;
  while (width > 0 && begin[width - 1] == '\0') --width;
  return std::string_view(begin, width);
}

std::string get_string(const char* record, const Field& field) { return std::string(string_in(record, field)); }

std::int64_t get_int64(const char* record, const Field& field) {
  std::int64_t value = 0;
  std::memcpy(&value, record + field.offset, sizeof value);
  return value;
}

void pack_rows(const RecordLayout& layout, const LocalTable& table, std::size_t begin, std::size_t end,
               std::vector<char>& out) {
  ensure(begin <= end && end <= table.rows.size(), "row range within the table");
  out.resize((end - begin) * layout.size);
  pack_rows(layout, table, begin, end, out.data());
}

void pack_rows(const RecordLayout& layout, const LocalTable& table, std::size_t begin, std::size_t end, char* out) {
  ensure(begin <= end && end <= table.rows.size(), "row range within the table");
  const auto& columns = table.schema->columns;
  ensure(layout.fields.size() == columns.size() + 1, "one field per column plus the seller");
  if (begin == end) return;  // `out` may be null then (an empty vector's data()): memset must not see it
  std::memset(out, 0, (end - begin) * layout.size);
  // The record starts zeroed, so a string is copied without padding it; the cells are walked
  // once per row (a number's packed bytes are its int64, or none for 0).
  const Field* fields = layout.fields.data() + 1;
  for (std::size_t r = begin; r < end; ++r) {
    TableRow::prefetch_ahead(table.rows.data(), r, end);
    const TableRow& row = table.rows[r];
    ensure(row.size() == columns.size(), "one cell per column");
    char* record = out + (r - begin) * layout.size;
    put_string(record, layout.fields[0], row.seller);
    row.for_each_cell([&](std::size_t c, std::string_view bytes) {
      const Field& field = fields[c];
      if (field.is_string)
        bytes = inline_prefix(bytes, field.width);  // a longer value also goes out of line
      else if (bytes.size() != sizeof(std::int64_t))
        return;  // the number is 0: already there
      std::memcpy(record + field.offset, bytes.data(), bytes.size());
    });
  }
}

TableRow unpack_row(const RecordLayout& layout, const TableSchema& schema, const char* record,
                    const std::vector<LongCell>& long_values) {
  ensure(layout.fields.size() == schema.columns.size() + 1, "one field per column plus the seller");
  TableRow row;
  row.seller = get_string(record, layout.fields[0]);
  CellPacker cells;
  auto long_value = long_values.begin();
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    const Field& field = layout.fields[c + 1];
    if (long_value != long_values.end() && long_value->column == c) {
      cells.text(long_value->value);
      ++long_value;
    } else if (field.is_string) {
      cells.text(string_in(record, field));
    } else {
      cells.number(get_int64(record, field));
    }
  }
  ensure(long_value == long_values.end(), "long values of the row's columns, in column order");
  cells.pack_into(row);
  return row;
}

void pack_index_entry(const RecordLayout& layout, const IndexEntry& entry, char* record) {
  ensure(layout.fields.size() == 4, "seller index record has four fields");
  put_string(record, layout.fields[0], entry.seller);
  put_string(record, layout.fields[1], entry.folder);
  put_int64(record, layout.fields[2], entry.first_row);
  put_int64(record, layout.fields[3], entry.row_count);
}

IndexEntry unpack_index_entry(const RecordLayout& layout, const char* record) {
  ensure(layout.fields.size() == 4, "seller index record has four fields");
  IndexEntry entry;
  entry.seller = get_string(record, layout.fields[0]);
  entry.folder = get_string(record, layout.fields[1]);
  entry.first_row = get_int64(record, layout.fields[2]);
  entry.row_count = get_int64(record, layout.fields[3]);
  return entry;
}

bool text_has_nul(std::string_view text) {
  // A few words: called for every text cell of every stored row (memchr's call costs more than
  // most cells' bytes).
  return csv::swar::any_word(text, csv::swar::zero_bytes);
}

int seller_owner(std::int64_t position, std::int64_t first_row, std::int64_t row_count, std::int64_t total_sellers,
                 std::int64_t total_rows, int ranks) {
  ensure(ranks >= 1 && total_sellers >= 1 && position >= 0 && position < total_sellers && first_row >= 0 &&
             row_count >= 0 && total_rows >= 0,
         "seller_owner arguments in range");
  // Weight before this seller: its rows plus one per earlier seller. Twice the midpoint keeps it
  // an integer; 128-bit products cannot overflow.
  using Wide = __int128;
  const Wide total_weight = static_cast<Wide>(total_rows) + total_sellers;
  const Wide twice_mid = 2 * (static_cast<Wide>(first_row) + position) + row_count + 1;
  const Wide owner = twice_mid * ranks / (2 * total_weight);
  return static_cast<int>(std::min<Wide>(owner, ranks - 1));
}

std::pair<std::int64_t, std::int64_t> even_share(std::int64_t total, int rank, int ranks) {
  using Wide = __int128;
  const auto begin = static_cast<std::int64_t>(static_cast<Wide>(total) * rank / ranks);
  const auto end = static_cast<std::int64_t>(static_cast<Wide>(total) * (rank + 1) / ranks);
  return {begin, end};
}

}  // namespace ba::store
