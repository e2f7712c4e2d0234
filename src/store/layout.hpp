#pragma once
// The byte layout of the store's records and the seller split used when reading it back: plain
// functions over buffers (no MPI, no HDF5), so they are unit-tested on their own.
//
// A record is PACKED: fields follow each other without padding, in the order of the HDF5
// compound type built from the same layout. The memory buffer and the file use this one layout,
// so HDF5 needs no type conversion and a collective transfer stays collective.
//
// Strings are stored as their bytes, NUL-padded to the field width, and read back by trimming
// trailing NULs. A string therefore must not contain NUL (text_has_nul() finds one; the writer
// refuses such input). Numbers are native int64.
//
// Long values: a text column's field is as wide as its longest cell, unless a few long cells
// would widen every row for nothing (one 2 MB id in a table of millions of rows). Those cells
// keep a prefix in line (cut at a UTF-8 character boundary) and their whole value goes out of
// line, to the table's long_values records; see inline_width() for which cells.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tables/table.hpp"

namespace ba::store {

inline constexpr const char* kSellerMember = "seller_account_id";
inline constexpr const char* kFolderMember = "delivery_folder";
inline constexpr const char* kFirstRowMember = "first_row";
inline constexpr const char* kRowCountMember = "row_count";
inline constexpr const char* kLongValuesDataset = "long_values";
inline constexpr const char* kLongValueBytesDataset = "long_value_bytes";
inline constexpr const char* kLongRowMember = "row";
inline constexpr const char* kLongColumnMember = "column";
inline constexpr const char* kLongOffsetMember = "offset";
inline constexpr const char* kLongLengthMember = "length";

struct Field {
  std::string name;
  bool is_string = false;  // fixed-length string of `width` bytes, else int64 (width 8)
  std::size_t offset = 0;
  std::size_t width = 0;
};

struct RecordLayout {
  std::vector<Field> fields;
  std::size_t size = 0;  // bytes per record (no padding)

  void add_string(const std::string& name, std::size_t width);
  void add_int64(const std::string& name);
  // Index of the field named `name`, or fields.size() when there is none.
  std::size_t find(std::string_view name) const;
};

// Cells up to this many bytes are always stored in line.
inline constexpr std::size_t kMinInlineWidth = 64;
// The widths a text column may be cut down to: 64, 96, 128, 192, 256, ... (k < kWidthCandidates).
inline constexpr std::size_t kWidthCandidates = 53;
std::size_t width_candidate(std::size_t k);

// Widths of the variable-size parts of one table's records on this rank (or the max over ranks).
struct TableWidths {
  std::size_t seller = 1;
  std::size_t folder = 1;
  std::vector<std::size_t> columns;  // per schema column; 0 for amount/count columns
  // Text cells longer than kMinInlineWidth, for choosing the inline widths: per column c and
  // candidate k, the count and the bytes of the cells with width_candidate(k) < length <=
  // width_candidate(k + 1), at long_cell_slot(c, k) and the slot after.
  std::vector<std::int64_t> long_cells;
  static std::size_t long_cell_slot(std::size_t column, std::size_t k) { return (column * kWidthCandidates + k) * 2; }
  static std::size_t long_cell_slots(std::size_t columns) { return long_cell_slot(columns, 0); }
};

// The inline width of a text column whose longest cell has `longest` bytes, in a table of `rows`
// rows, given its long-cell counts and bytes (kWidthCandidates pairs, as in TableWidths). The
// longest cell's width (nothing out of line) unless a candidate width at least halves the
// column's bytes, counting every cell cut at it as its whole value plus a long_values record;
// then the candidate that needs the fewest bytes. Depends only on totals over every rank, so the
// store is the same for any number of ranks.
std::size_t inline_width(std::size_t longest, std::int64_t rows, const std::int64_t* long_cells);
// Sets each text column of `widths` (totals over every rank) to its inline width.
void choose_inline_widths(TableWidths& widths, const TableSchema& schema, std::int64_t rows);
// The part of `value` kept in a field of `width` bytes: all of it when it fits, else at most
// `width` bytes ending at a UTF-8 character boundary.
std::string_view inline_prefix(std::string_view value, std::size_t width);

bool is_string_kind(ColumnKind kind);
const char* kind_name(ColumnKind kind);  // "text", "amount", "date", "count"

// Byte widths this rank needs (at least 1 for every string field).
TableWidths local_widths(const LocalTable& table);
// The same, a piece at a time: the widths of no rows (the sellers' ids and folders included),
// then each row widening them. For a pass over the rows that also does other work.
TableWidths seller_widths(const LocalTable& table);
void widen_to_fit(TableWidths& widths, const TableSchema& schema, const TableRow& row);
// The same in one walk over the row's cells, also checking its string cells: false when one
// holds a NUL byte.
bool widen_to_fit_checked(TableWidths& widths, const TableSchema& schema, const TableRow& row);

// `rows` record: seller_account_id, then one field per schema column, named as the column.
RecordLayout row_layout(const TableSchema& schema, const TableWidths& widths);
// `seller_index` record: seller_account_id, delivery_folder, first_row, row_count.
RecordLayout seller_index_layout(const TableWidths& widths);

// Packs rows [begin, end) of `table` into `out` (resized to (end - begin) * layout.size), or
// into the (end - begin) * layout.size bytes at `out`.
void pack_rows(const RecordLayout& layout, const LocalTable& table, std::size_t begin, std::size_t end,
               std::vector<char>& out);
void pack_rows(const RecordLayout& layout, const LocalTable& table, std::size_t begin, std::size_t end, char* out);
// A cell longer than its field: `value` goes out of line. `row` counts from the table's first
// local row; `column` is the schema column.
struct LongCell {
  std::int64_t row = 0;
  std::size_t column = 0;
  std::string_view value;
};
// The cells of `table`'s rows that are longer than their field in `layout`, in (row, column) order.
std::vector<LongCell> long_cells(const RecordLayout& layout, const LocalTable& table);
// `long_values` record: row, column, offset, length (int64): the value of schema column `column`
// of row `row` is bytes [offset, offset + length) of `long_value_bytes`.
RecordLayout long_value_layout();

// A row from its record; `long_values` (this row's, in column order) replace the cut cells.
TableRow unpack_row(const RecordLayout& layout, const TableSchema& schema, const char* record,
                    const std::vector<LongCell>& long_values = {});

struct IndexEntry {
  std::string seller;
  std::string folder;
  std::int64_t first_row = 0;
  std::int64_t row_count = 0;
  BA_FIELDS(seller, folder, first_row, row_count)
};

void pack_index_entry(const RecordLayout& layout, const IndexEntry& entry, char* record);
IndexEntry unpack_index_entry(const RecordLayout& layout, const char* record);

void put_string(char* record, const Field& field, std::string_view value);
void put_int64(char* record, const Field& field, std::int64_t value);
std::string get_string(const char* record, const Field& field);
std::string_view string_in(const char* record, const Field& field);  // the same, not copied
std::int64_t get_int64(const char* record, const Field& field);

bool text_has_nul(std::string_view text);

// The reader's seller split: sellers are weighed by row_count + 1 (rows dominate; the +1 spreads
// sellers without rows) and seller `position` (its index in the seller index, whose rows start
// at `first_row`) goes to the rank whose share of the total weight holds the seller's midpoint.
// Ranks get contiguous, whole-seller ranges in index order; a rank may get none.
int seller_owner(std::int64_t position, std::int64_t first_row, std::int64_t row_count, std::int64_t total_sellers,
                 std::int64_t total_rows, int ranks);

// [begin, end) of `total` items that rank `rank` of `ranks` takes in an even split.
std::pair<std::int64_t, std::int64_t> even_share(std::int64_t total, int rank, int ranks);

}  // namespace ba::store
