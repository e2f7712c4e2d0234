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

// Widths of the variable-size parts of one table's records on this rank (or the max over ranks).
struct TableWidths {
  std::size_t seller = 1;
  std::size_t folder = 1;
  std::vector<std::size_t> columns;  // per schema column; 0 for amount/count columns
};

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
TableRow unpack_row(const RecordLayout& layout, const TableSchema& schema, const char* record);

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
