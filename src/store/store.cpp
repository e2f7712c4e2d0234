#include "store/store.hpp"

#include <algorithm>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "common/file.hpp"
#include "h5/h5.hpp"
#include "store/layout.hpp"

namespace ba {

namespace {

using store::Field;
using store::IndexEntry;
using store::RecordLayout;
using store::TableWidths;

std::uint32_t g_last_write_cause = 0;
std::int64_t g_transfer_bytes = std::int64_t{256} << 20;
bool g_direct_rows = true;
bool g_last_write_direct = false;

// ---- agreeing on failures ------------------------------------------------------------------
// A check that fails on one rank only must fail on every rank, or the others would walk into the
// next collective call and wait forever. Each rank records its first problem; one reduction tells
// every rank the worst code, and the ranks that saw nothing throw a message saying so.
class Problems {
 public:
  void add(ExitCode code, const std::string& message) {
    if (code_ == ExitCode::ok) {
      code_ = code;
      message_ = message;
    }
  }
  bool any() const { return code_ != ExitCode::ok; }

  void agree(const mpi::Comm& comm, const std::string& context) const {
    const std::int64_t worst = comm.max(static_cast<std::int64_t>(code_));
    if (worst == 0) return;
    if (any()) fail(code_, context + ": " + message_);
    fail(static_cast<ExitCode>(worst), context + ": failed on another rank (see that rank's message)");
  }

 private:
  ExitCode code_ = ExitCode::ok;
  std::string message_;
};

std::string object_path(const std::string& file, const std::string& object) { return file + ":" + object; }
std::string table_object(const std::string& table) { return "/tables/" + table; }

// The HDF5 compound type with exactly `layout`'s packed offsets. `strings` supplies the type of
// string field i (the reader reuses the file's own string types so that no conversion happens);
// when empty, fixed-length null-padded UTF-8 strings of the field widths are made.
h5::Datatype record_type(const RecordLayout& layout, const std::vector<h5::Datatype>& strings, std::string_view where) {
  h5::Datatype type = h5::compound_type(layout.size, where);
  for (std::size_t i = 0; i < layout.fields.size(); ++i) {
    const Field& field = layout.fields[i];
    if (!field.is_string) {
      h5::insert_member(type, field.name, field.offset, H5T_NATIVE_INT64, where);
    } else if (!strings.empty()) {
      h5::insert_member(type, field.name, field.offset, strings[i].id(), where);
    } else {
      const h5::Datatype member = h5::fixed_string_type(field.width, where);
      h5::insert_member(type, field.name, field.offset, member.id(), where);
    }
  }
  return type;
}

// ---- bounded collective transfers ------------------------------------------------------------
// Every rank moves `local_count` records starting at record `global_offset` of `dataset`, in
// rounds of at most g_transfer_bytes each. All ranks run the same number of rounds (the max),
// a rank with nothing left selecting none, so every H5Dwrite/H5Dread is matched on every rank.
struct Transfer {
  const mpi::Comm& comm;
  const h5::Dataset& dataset;
  const h5::Datatype& type;
  std::size_t record_size;
  std::string where;

  std::int64_t records_per_round() const {
    return std::max<std::int64_t>(1, g_transfer_bytes / static_cast<std::int64_t>(record_size));
  }
  std::int64_t rounds(std::int64_t local_count) const {
    const std::int64_t per_round = records_per_round();
    return comm.max((local_count + per_round - 1) / per_round);
  }

  // fill(begin, end, buffer) packs local records [begin, end) into buffer.
  template <class Fill>
  void write(std::int64_t global_offset, std::int64_t local_count, Fill fill) const {
    const std::int64_t per_round = records_per_round();
    const std::int64_t round_count = rounds(local_count);
    if (round_count == 0) return;  // nothing anywhere (a 0-extent dataset): no transfer at all
    const h5::PropertyList dxpl = h5::collective_transfer();
    const h5::Dataspace file_space = h5::dataset_space(dataset, where);
    std::vector<char> buffer;
    for (std::int64_t round = 0; round < round_count; ++round) {
      const std::int64_t begin = std::min(round * per_round, local_count);
      const std::int64_t count = std::min(per_round, local_count - begin);
      fill(static_cast<std::size_t>(begin), static_cast<std::size_t>(begin + count), buffer);
      ensure(buffer.size() == static_cast<std::size_t>(count) * record_size, "packed buffer size");
      const h5::Dataspace memory_space = h5::vector_space(static_cast<hsize_t>(count), where);
      h5::select_range(file_space, static_cast<hsize_t>(global_offset + begin), static_cast<hsize_t>(count), where);
      const char dummy = 0;  // a valid address for empty selections
      h5::write(dataset, type, memory_space, file_space, dxpl, buffer.empty() ? &dummy : buffer.data(), where);
      g_last_write_cause |= h5::no_collective_cause(dxpl, where);
    }
  }

  // take(begin, count, buffer) consumes records [begin, begin + count) of this rank's range.
  template <class Take>
  void read(std::int64_t global_offset, std::int64_t local_count, Take take) const {
    const std::int64_t per_round = records_per_round();
    const std::int64_t round_count = rounds(local_count);
    if (round_count == 0) return;
    const h5::PropertyList dxpl = h5::collective_transfer();
    const h5::Dataspace file_space = h5::dataset_space(dataset, where);
    std::vector<char> buffer;
    for (std::int64_t round = 0; round < round_count; ++round) {
      const std::int64_t begin = std::min(round * per_round, local_count);
      const std::int64_t count = std::min(per_round, local_count - begin);
      buffer.assign(static_cast<std::size_t>(count) * record_size + 1, '\0');
      const h5::Dataspace memory_space = h5::vector_space(static_cast<hsize_t>(count), where);
      h5::select_range(file_space, static_cast<hsize_t>(global_offset + begin), static_cast<hsize_t>(count), where);
      h5::read(dataset, type, memory_space, file_space, dxpl, buffer.data(), where);
      take(begin, count, buffer.data());
    }
  }
};

// ---- direct row writes ----------------------------------------------------------------------
// HDF5 lays the rows dataset out (contiguous, allocated at creation, never filled) and writes all
// metadata collectively over MPI-IO; each rank then writes its own rows' bytes at their place in
// the dataset with a DirectWriter. Through MPI-IO the same bytes are copied into the page cache,
// which on the VMs this job runs on is the slowest part of the store (docs/benchmarks.md).
// Returns false on every rank when the rows must go through HDF5 instead: direct writes are
// off, the dataset has no storage, or a rank's file system refuses O_DIRECT.
bool write_rows_direct(const mpi::Comm& comm, const std::string& path, const h5::Dataset& dataset,
                       const RecordLayout& layout, const LocalTable& table, std::int64_t first_row,
                       const std::string& where) {
  if (!g_direct_rows) return false;  // a process-wide setting: the same on every rank
  const std::optional<std::int64_t> base = h5::dataset_offset(dataset);
  const auto record_size = static_cast<std::int64_t>(layout.size);
  const std::size_t local_rows = table.rows.size();
  Problems problems;
  std::unique_ptr<DirectWriter> writer;
  try {
    if (base && local_rows > 0) writer = DirectWriter::open(path, *base + first_row * record_size, false);
  } catch (const Failure& f) {
    problems.add(f.code(), f.what());
  }
  problems.agree(comm, "write_store " + where);
  const bool usable = base.has_value() && (local_rows == 0 || writer != nullptr);
  if (comm.min(usable ? 1 : 0) == 0) return false;

  try {
    if (writer) {
      // Packed straight into the writer's buffer, as many rows as it has room for at a time (a
      // record too large for it is packed apart and copied).
      const std::size_t per_pack = std::max<std::size_t>(1, DirectWriter::kMaxRoom / layout.size);
      std::vector<char> buffer;
      for (std::size_t begin = 0; begin < local_rows; begin += per_pack) {
        const std::size_t end = std::min(local_rows, begin + per_pack);
        const std::size_t bytes = (end - begin) * layout.size;
        if (bytes <= DirectWriter::kMaxRoom) {
          store::pack_rows(layout, table, begin, end, writer->room(bytes));
          writer->commit(bytes);
        } else {
          store::pack_rows(layout, table, begin, end, buffer);
          writer->append(std::string_view(buffer.data(), buffer.size()));
        }
      }
      writer->finish();
    }
  } catch (const Failure& f) {
    problems.add(f.code(), f.what());
  }
  // Every rank's rows are in the file before HDF5 writes any more of its metadata.
  problems.agree(comm, "write_store " + where);
  return true;
}

// ---- write: input checks ---------------------------------------------------------------------

// What must be identical on every rank, as bytes: the attributes and each table's schema.
std::vector<char> shared_description(const StoreAttributes& attrs, const std::vector<LocalTable>& tables) {
  std::vector<char> bytes;
  encode(attrs.cadence, bytes);
  encode(attrs.period, bytes);
  encode(attrs.job_version, bytes);
  encode(attrs.input_digest, bytes);
  encode(static_cast<std::int64_t>(attrs.schema_version), bytes);
  encode(attrs.amount_scale, bytes);
  encode(static_cast<std::uint64_t>(tables.size()), bytes);
  for (const auto& table : tables) {
    if (table.schema == nullptr) {
      encode(std::string("\0(no schema)", 12), bytes);
      continue;
    }
    encode(table.schema->name, bytes);
    for (const auto& column : table.schema->columns) {
      encode(column.name, bytes);
      encode(column.kind, bytes);
    }
    for (std::size_t index : table.schema->sort_by) encode(static_cast<std::uint64_t>(index), bytes);
  }
  return bytes;
}

void check_schema(const TableSchema& schema, std::set<std::string>& table_names, Problems& problems) {
  const std::string& name = schema.name;
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || store::text_has_nul(name)) {
    problems.add(ExitCode::internal, "table name '" + name + "' cannot name an HDF5 group");
  }
  if (!table_names.insert(name).second) problems.add(ExitCode::internal, "table '" + name + "' is given twice");
  std::set<std::string> columns;
  for (const auto& column : schema.columns) {
    if (column.name.empty() || column.name == store::kSellerMember || store::text_has_nul(column.name) ||
        !columns.insert(column.name).second) {
      problems.add(ExitCode::internal,
                   "table '" + name + "' column '" + column.name + "' is empty, repeated or reserved");
    }
  }
  for (std::size_t index : schema.sort_by) {
    if (index >= schema.columns.size())
      problems.add(ExitCode::internal, "table '" + name + "' sorts by a missing column");
  }
}

// Also returns the widths this rank's rows need: one pass over the rows instead of two.
TableWidths check_local_table(const LocalTable& table, Problems& problems) {
  const TableSchema& schema = *table.schema;
  TableWidths widths = store::seller_widths(table);
  const std::string context = "table '" + schema.name + "'";
  std::size_t row = 0;
  for (const auto& seller : table.sellers) {
    if (store::text_has_nul(seller.seller) || store::text_has_nul(seller.folder)) {
      problems.add(ExitCode::bad_input, context + " seller '" + seller.seller + "': NUL byte in seller or folder");
    }
    if (seller.rows < 0 || static_cast<std::size_t>(seller.rows) > table.rows.size() - row) {
      problems.add(ExitCode::internal, context + " seller '" + seller.seller + "': row count does not match the rows");
      return widths;
    }
    for (const std::size_t end = row + static_cast<std::size_t>(seller.rows); row < end; ++row) {
      TableRow::prefetch_ahead(table.rows.data(), row, table.rows.size());
      const TableRow& r = table.rows[row];
      if (r.seller != seller.seller) {
        problems.add(ExitCode::internal, context + " row " + std::to_string(row) + " of seller '" + r.seller +
                                             "' is filed under seller '" + seller.seller + "'");
      }
      if (r.size() != schema.columns.size()) {
        problems.add(ExitCode::internal, context + " row " + std::to_string(row) + " has " +
                                             std::to_string(r.size()) + " cells for " +
                                             std::to_string(schema.columns.size()) + " columns");
        continue;
      }
      if (!store::widen_to_fit_checked(widths, schema, r)) {
        // Rare: name the columns (the one walk above only says that some cell holds a NUL).
        for (std::size_t c = 0; c < r.size(); ++c) {
          if (store::is_string_kind(schema.columns[c].kind) && store::text_has_nul(r.text(c))) {
            problems.add(ExitCode::bad_input, context + " seller '" + seller.seller + "' column '" +
                                                  schema.columns[c].name + "': NUL byte in text");
          }
        }
      }
    }
  }
  if (row != table.rows.size()) {
    problems.add(ExitCode::internal,
                 context + ": " + std::to_string(table.rows.size() - row) + " rows belong to no seller entry");
  }
  return widths;
}

// Returns each table's local widths (see check_local_table).
std::vector<TableWidths> check_write_input(const mpi::Comm& comm, const StoreAttributes& attrs,
                                           const std::vector<LocalTable>& tables, const std::string& path) {
  std::vector<TableWidths> widths(tables.size());
  Problems problems;
  for (const std::string* text : {&attrs.cadence, &attrs.period, &attrs.job_version, &attrs.input_digest}) {
    if (store::text_has_nul(*text)) problems.add(ExitCode::internal, "a store attribute contains a NUL byte");
  }
  // This writer's layout (long values out of line) is version 2: a smaller number would make
  // readers take the cut cells' prefixes for their values.
  if (attrs.schema_version < 2) problems.add(ExitCode::internal, "a store of this layout is schema_version 2 or later");
  std::set<std::string> table_names;
  for (const auto& table : tables) {
    if (table.schema == nullptr) {
      problems.add(ExitCode::internal, "a table has no schema");
      continue;
    }
    check_schema(*table.schema, table_names, problems);
    widths[static_cast<std::size_t>(&table - tables.data())] = check_local_table(table, problems);
  }
  // The same attributes and schemas everywhere: compare with rank 0's.
  const std::vector<char> mine = shared_description(attrs, tables);
  std::vector<char> root = mine;
  comm.broadcast(root, 0);
  if (root != mine) {
    problems.add(ExitCode::internal,
                 "rank " + std::to_string(comm.rank()) + " passed tables or attributes that differ from rank 0's");
  }
  problems.agree(comm, "write_store " + path);
  return widths;
}

// ---- write -----------------------------------------------------------------------------------

// Field widths agreed by all ranks: the max over ranks (one reduction per width, few per table),
// then each text column's inline width from the long cells of every rank. Also the cells this
// rank stores out of line (none when no column was cut).
struct AgreedWidths {
  TableWidths widths;
  std::vector<store::LongCell> long_values;
};

AgreedWidths agree_widths(const mpi::Comm& comm, const LocalTable& table, TableWidths widths) {
  const auto agree = [&](std::size_t& width) {
    width = static_cast<std::size_t>(comm.max(static_cast<std::int64_t>(width)));
  };
  agree(widths.seller);
  agree(widths.folder);
  for (std::size_t c = 0; c < widths.columns.size(); ++c) {
    if (store::is_string_kind(table.schema->columns[c].kind)) agree(widths.columns[c]);
  }
  AgreedWidths agreed;
  const std::vector<std::size_t> longest = widths.columns;
  widths.long_cells = comm.sum(widths.long_cells);
  store::choose_inline_widths(widths, *table.schema, comm.sum(static_cast<std::int64_t>(table.rows.size())));
  if (widths.columns != longest)
    agreed.long_values = store::long_cells(store::row_layout(*table.schema, widths), table);
  agreed.widths = std::move(widths);
  return agreed;
}

// The table's long_values records and long_value_bytes (both of extent 0 when no cell is cut), in
// global (row, column) order: each rank writes its own at the prefix sums of the counts and bytes.
void write_long_values(const mpi::Comm& comm, const h5::Group& group, const std::string& where,
                       const std::vector<store::LongCell>& cells, std::int64_t first_row) {
  const h5::PropertyList dcpl = h5::contiguous_no_fill_creation();
  std::vector<std::int64_t> ends(cells.size());  // of each value in this rank's bytes
  std::int64_t local_bytes = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) ends[i] = local_bytes += static_cast<std::int64_t>(cells[i].value.size());
  const auto local_count = static_cast<std::int64_t>(cells.size());
  const std::vector<std::int64_t> offsets = comm.exclusive_prefix_sum(std::vector<std::int64_t>{local_count, local_bytes});
  const std::vector<std::int64_t> totals = comm.sum(std::vector<std::int64_t>{local_count, local_bytes});
  {
    const std::string records_where = where + "/" + store::kLongValuesDataset;
    const RecordLayout layout = store::long_value_layout();
    const h5::Datatype type = record_type(layout, {}, records_where);
    h5::Dataset dataset =
        h5::create_dataset(group.id(), store::kLongValuesDataset, type,
                           h5::vector_space(static_cast<hsize_t>(totals[0]), records_where), dcpl, records_where);
    Transfer{comm, dataset, type, layout.size, records_where}.write(
        offsets[0], local_count, [&](std::size_t begin, std::size_t end, std::vector<char>& buffer) {
          buffer.assign((end - begin) * layout.size, '\0');
          for (std::size_t i = begin; i < end; ++i) {
            char* record = buffer.data() + (i - begin) * layout.size;
            const auto length = static_cast<std::int64_t>(cells[i].value.size());
            store::put_int64(record, layout.fields[0], first_row + cells[i].row);
            store::put_int64(record, layout.fields[1], static_cast<std::int64_t>(cells[i].column));
            store::put_int64(record, layout.fields[2], offsets[1] + ends[i] - length);
            store::put_int64(record, layout.fields[3], length);
          }
        });
    dataset.close(records_where);
  }
  const std::string bytes_where = where + "/" + store::kLongValueBytesDataset;
  const h5::Datatype byte_type = h5::copy_type(H5T_NATIVE_UINT8, bytes_where);
  h5::Dataset dataset =
      h5::create_dataset(group.id(), store::kLongValueBytesDataset, byte_type,
                         h5::vector_space(static_cast<hsize_t>(totals[1]), bytes_where), dcpl, bytes_where);
  Transfer{comm, dataset, byte_type, 1, bytes_where}.write(
      offsets[1], local_bytes, [&](std::size_t begin, std::size_t end, std::vector<char>& buffer) {
        buffer.resize(end - begin);
        // The first value that ends after `begin`, then each value's part of [begin, end).
        auto i = static_cast<std::size_t>(std::upper_bound(ends.begin(), ends.end(), static_cast<std::int64_t>(begin)) -
                                          ends.begin());
        for (std::size_t at = begin; at < end; ++i) {
          const auto value_begin = static_cast<std::size_t>(ends[i]) - cells[i].value.size();
          const std::size_t take = std::min(end, static_cast<std::size_t>(ends[i])) - at;
          std::memcpy(buffer.data() + (at - begin), cells[i].value.data() + (at - value_begin), take);
          at += take;
        }
      });
  dataset.close(bytes_where);
}

void write_table(const mpi::Comm& comm, const std::string& path, const h5::Group& tables_group,
                 const LocalTable& table, const AgreedWidths& agreed) {
  const TableWidths& widths = agreed.widths;
  const TableSchema& schema = *table.schema;
  const std::string where = object_path(path, table_object(schema.name));
  h5::Group group = h5::create_group(tables_group.id(), schema.name, where);

  std::vector<std::string> names, kinds, sort_by;
  for (const auto& column : schema.columns) {
    names.push_back(column.name);
    kinds.push_back(store::kind_name(column.kind));
  }
  for (std::size_t index : schema.sort_by) sort_by.push_back(schema.columns[index].name);
  h5::write_attribute(group.id(), "columns", names, where);
  h5::write_attribute(group.id(), "column_kinds", kinds, where);
  h5::write_attribute(group.id(), "sort_by", sort_by, where);

  const auto local_rows = static_cast<std::int64_t>(table.rows.size());
  const auto local_sellers = static_cast<std::int64_t>(table.sellers.size());
  const std::vector<std::int64_t> offsets =
      comm.exclusive_prefix_sum(std::vector<std::int64_t>{local_rows, local_sellers});
  const std::vector<std::int64_t> totals = comm.sum(std::vector<std::int64_t>{local_rows, local_sellers});
  const h5::PropertyList dcpl = h5::contiguous_no_fill_creation();

  {  // rows
    const std::string rows_where = where + "/rows";
    const RecordLayout layout = store::row_layout(schema, widths);
    const h5::Datatype type = record_type(layout, {}, rows_where);
    h5::Dataset dataset = h5::create_dataset(
        group.id(), "rows", type, h5::vector_space(static_cast<hsize_t>(totals[0]), rows_where), dcpl, rows_where);
    if (write_rows_direct(comm, path, dataset, layout, table, offsets[0], rows_where)) {
      g_last_write_direct = true;
    } else {
      // The memory buffer has the file type's packed layout: type conversion is a no-op.
      Transfer{comm, dataset, type, layout.size, rows_where}.write(
          offsets[0], local_rows, [&](std::size_t begin, std::size_t end, std::vector<char>& buffer) {
            store::pack_rows(layout, table, begin, end, buffer);
          });
    }
    dataset.close(rows_where);
  }
  {  // seller_index
    const std::string index_where = where + "/seller_index";
    const RecordLayout layout = store::seller_index_layout(widths);
    const h5::Datatype type = record_type(layout, {}, index_where);
    h5::Dataset dataset =
        h5::create_dataset(group.id(), "seller_index", type,
                           h5::vector_space(static_cast<hsize_t>(totals[1]), index_where), dcpl, index_where);
    std::vector<std::int64_t> first_rows(table.sellers.size());
    std::int64_t next = offsets[0];
    for (std::size_t s = 0; s < table.sellers.size(); ++s) {
      first_rows[s] = next;
      next += table.sellers[s].rows;
    }
    Transfer{comm, dataset, type, layout.size, index_where}.write(
        offsets[1], local_sellers, [&](std::size_t begin, std::size_t end, std::vector<char>& buffer) {
          buffer.assign((end - begin) * layout.size, '\0');
          for (std::size_t s = begin; s < end; ++s) {
            const SellerEntry& seller = table.sellers[s];
            store::pack_index_entry(layout, IndexEntry{seller.seller, seller.folder, first_rows[s], seller.rows},
                                    buffer.data() + (s - begin) * layout.size);
          }
        });
    dataset.close(index_where);
  }
  write_long_values(comm, group, where, agreed.long_values, offsets[0]);
  group.close(where);
}

// ---- read ------------------------------------------------------------------------------------

// The packed native record type matching a stored compound, and its layout. String members keep
// the file's own string type; integer members must be 64-bit and are read as native int64.
struct StoredRecord {
  RecordLayout layout;
  h5::Datatype type;
};

StoredRecord stored_record(const h5::Dataset& dataset, const std::vector<std::pair<std::string, bool>>& expected,
                           const std::string& where) {
  const h5::Datatype file_type = h5::dataset_type(dataset, where);
  const auto mismatch = [&](const std::string& why) {
    fail(ExitCode::bad_input, "store " + where + " has an unexpected record type: " + why);
  };
  if (H5Tget_class(file_type.id()) != H5T_COMPOUND) mismatch("not a compound");
  const int members = h5::check(H5Tget_nmembers(file_type.id()), "H5Tget_nmembers", where);
  if (static_cast<std::size_t>(members) != expected.size()) {
    mismatch(std::to_string(members) + " members, expected " + std::to_string(expected.size()));
  }
  StoredRecord record;
  std::vector<h5::Datatype> strings;
  for (unsigned i = 0; i < static_cast<unsigned>(members); ++i) {
    char* raw_name = H5Tget_member_name(file_type.id(), i);
    if (raw_name == nullptr) h5::fail_call("H5Tget_member_name", where);
    const std::string name(raw_name);
    H5free_memory(raw_name);
    const auto& [expected_name, expected_string] = expected[i];
    if (name != expected_name)
      mismatch("member " + std::to_string(i) + " is '" + name + "', expected '" + expected_name + "'");
    h5::Datatype member(h5::check(H5Tget_member_type(file_type.id(), i), "H5Tget_member_type", where));
    const H5T_class_t member_class = H5Tget_class(member.id());
    const std::size_t size = H5Tget_size(member.id());
    if (expected_string) {
      const htri_t variable = h5::check(H5Tis_variable_str(member.id()), "H5Tis_variable_str", where);
      if (member_class != H5T_STRING || variable > 0 || size == 0)
        mismatch("'" + name + "' is not a fixed-length string");
      record.layout.add_string(name, size);
      strings.push_back(std::move(member));
    } else {
      if (member_class != H5T_INTEGER || size != sizeof(std::int64_t))
        mismatch("'" + name + "' is not a 64-bit integer");
      record.layout.add_int64(name);
      strings.emplace_back();  // placeholder: integer members use H5T_NATIVE_INT64
    }
  }
  record.type = record_type(record.layout, strings, where);
  return record;
}

StoredRecord seller_index_record(const h5::Dataset& index, const std::string& where) {
  return stored_record(index,
                       {{store::kSellerMember, true},
                        {store::kFolderMember, true},
                        {store::kFirstRowMember, false},
                        {store::kRowCountMember, false}},
                       where);
}

void check_table_attributes(const h5::Group& group, const TableSchema& schema, const std::string& where) {
  std::vector<std::string> names, kinds;
  for (const auto& column : schema.columns) {
    names.push_back(column.name);
    kinds.push_back(store::kind_name(column.kind));
  }
  const auto join = [](const std::vector<std::string>& list) {
    std::string out;
    for (const auto& item : list) out += (out.empty() ? "" : ",") + item;
    return out;
  };
  const auto stored_names = h5::read_strings_attribute(group.id(), "columns", where);
  const auto stored_kinds = h5::read_strings_attribute(group.id(), "column_kinds", where);
  if (stored_names != names || stored_kinds != kinds) {
    fail(ExitCode::bad_input, "store " + where + " has columns [" + join(stored_names) + "] of kinds [" +
                                  join(stored_kinds) + "], the job expects [" + join(names) + "] of kinds [" +
                                  join(kinds) + "]");
  }
}

// The number of elements of a 1-D dataset read back, which its storage in the file must hold:
// a tampered extent would otherwise have every rank read (or allocate for) elements that are not
// there. The store's datasets are contiguous and allocated when created.
std::int64_t stored_length(const h5::Dataset& dataset, const std::string& where) {
  const hsize_t length = h5::vector_length(h5::dataset_space(dataset, where), where);
  const std::size_t element = H5Tget_size(h5::dataset_type(dataset, where).id());
  const hsize_t storage = H5Dget_storage_size(dataset.id());
  if (element == 0 || length > storage / element)
    fail(ExitCode::bad_input, "store " + where + " has " + std::to_string(length) + " elements of " +
                                  std::to_string(element) + " bytes, but " + std::to_string(storage) +
                                  " bytes of storage");
  return static_cast<std::int64_t>(length);
}

// The values of the table's cut cells in rows [first_row, first_row + row_count), as LongCells
// (row counted from first_row) viewing `bytes`. Every rank reads the whole long_values list (it
// checks that the list is one the writer makes: rows and columns in order, each a cut text
// column of a row that exists, the values tiling long_value_bytes), and only its own bytes. A
// store of schema version 1 has no list and no cut cells; from version 2 the list must be there.
std::vector<store::LongCell> read_long_values(const mpi::Comm& comm, const h5::Group& group, const std::string& where,
                                              int schema_version, const TableSchema& schema,
                                              const RecordLayout& row_layout, std::int64_t total_rows,
                                              std::int64_t first_row, std::int64_t row_count, std::string& bytes) {
  // Every rank opens the same store, so these answers are the same everywhere.
  if (schema_version < 2) return {};
  for (const char* name : {store::kLongValuesDataset, store::kLongValueBytesDataset})
    if (!h5::has_link(group.id(), name, where))
      fail(ExitCode::bad_input, "store " + where + " has no " + name + " (schema_version " +
                                    std::to_string(schema_version) + " has it in every table)");
  const std::string records_where = where + "/" + store::kLongValuesDataset;
  const std::string bytes_where = where + "/" + store::kLongValueBytesDataset;
  h5::Dataset records = h5::open_dataset(group.id(), store::kLongValuesDataset, records_where);
  h5::Dataset values = h5::open_dataset(group.id(), store::kLongValueBytesDataset, bytes_where);
  std::vector<std::pair<std::string, bool>> members;
  for (const auto& field : store::long_value_layout().fields) members.emplace_back(field.name, false);
  const StoredRecord record = stored_record(records, members, records_where);
  {
    const h5::Datatype value_type = h5::dataset_type(values, bytes_where);
    // Unsigned only: HDF5 would convert signed bytes by clamping, every byte from 0x80 to 0.
    if (H5Tget_class(value_type.id()) != H5T_INTEGER || H5Tget_size(value_type.id()) != 1 ||
        H5Tget_sign(value_type.id()) != H5T_SGN_NONE)
      fail(ExitCode::bad_input, "store " + bytes_where + " is not a dataset of unsigned bytes");
  }
  const std::int64_t total = stored_length(records, records_where);
  const std::int64_t total_bytes = stored_length(values, bytes_where);

  std::vector<store::LongCell> mine;  // value views are set once the bytes are read
  std::vector<std::int64_t> mine_offsets, mine_lengths;
  std::string problem;
  std::int64_t previous_row = -1, next_offset = 0;
  std::size_t previous_column = 0;
  const RecordLayout& layout = record.layout;
  Transfer{comm, records, record.type, layout.size, records_where}.read(
      0, total, [&](std::int64_t begin, std::int64_t count, const char* buffer) {
        for (std::int64_t i = 0; i < count && problem.empty(); ++i) {
          const char* at = buffer + i * static_cast<std::int64_t>(layout.size);
          const std::int64_t row = store::get_int64(at, layout.fields[0]);
          const std::int64_t column = store::get_int64(at, layout.fields[1]);
          const std::int64_t offset = store::get_int64(at, layout.fields[2]);
          const std::int64_t length = store::get_int64(at, layout.fields[3]);
          const auto c = static_cast<std::size_t>(column);
          if (row < 0 || row >= total_rows || column < 0 || c >= schema.columns.size())
            problem = " names no cell of the table";
          else if (row < previous_row || (row == previous_row && c <= previous_column))
            problem = " is out of (row, column) order";
          else if (!store::is_string_kind(schema.columns[c].kind))
            problem = " names a column that is not text";
          else if (length <= static_cast<std::int64_t>(row_layout.fields[c + 1].width))
            problem = " holds " + std::to_string(length) + " bytes, which fit the column";
          else if (offset != next_offset || length > total_bytes - offset)
            problem = std::string(" does not continue ") + store::kLongValueBytesDataset + " where the previous one ends";
          if (!problem.empty()) {
            problem = "entry " + std::to_string(begin + i) + " (row " + std::to_string(row) + ", column " +
                      std::to_string(column) + ")" + problem;
            break;
          }
          previous_row = row;
          previous_column = c;
          next_offset = offset + length;
          if (row >= first_row && row < first_row + row_count) {
            mine.push_back(store::LongCell{row - first_row, c, {}});
            mine_offsets.push_back(offset);
            mine_lengths.push_back(length);
          }
        }
      });
  if (problem.empty() && next_offset != total_bytes)
    problem = std::to_string(total_bytes - next_offset) + " bytes of " + store::kLongValueBytesDataset + " belong to no entry";
  if (!problem.empty()) fail(ExitCode::bad_input, "store " + records_where + ": " + problem);

  const std::int64_t bytes_begin = mine.empty() ? 0 : mine_offsets.front();
  const std::int64_t bytes_count = mine.empty() ? 0 : mine_offsets.back() + mine_lengths.back() - bytes_begin;
  bytes.assign(static_cast<std::size_t>(bytes_count), '\0');
  const h5::Datatype byte_type = h5::copy_type(H5T_NATIVE_UINT8, bytes_where);
  Transfer{comm, values, byte_type, 1, bytes_where}.read(
      bytes_begin, bytes_count, [&](std::int64_t begin, std::int64_t count, const char* buffer) {
        std::memcpy(bytes.data() + begin, buffer, static_cast<std::size_t>(count));
      });
  for (std::size_t i = 0; i < mine.size(); ++i) {
    mine[i].value = std::string_view(bytes).substr(static_cast<std::size_t>(mine_offsets[i] - bytes_begin),
                                                   static_cast<std::size_t>(mine_lengths[i]));
  }
  values.close(bytes_where);
  records.close(records_where);
  return mine;
}

LocalTable read_table(const mpi::Comm& comm, const std::string& path, const h5::File& file, int schema_version,
                      const TableSchema& schema) {
  const std::string where = object_path(path, table_object(schema.name));
  h5::Group group = h5::open_group(file.id(), table_object(schema.name), where);
  check_table_attributes(group, schema, where);

  // Every rank reads an even share of the seller index, decides which rank owns each of those
  // sellers, and sends the entries there; no rank reads the whole index or more rows than its own.
  const std::string index_where = where + "/seller_index";
  h5::Dataset index = h5::open_dataset(group.id(), "seller_index", index_where);
  const StoredRecord index_record = seller_index_record(index, index_where);
  const std::int64_t total_sellers = stored_length(index, index_where);

  const std::string rows_where = where + "/rows";
  h5::Dataset rows = h5::open_dataset(group.id(), "rows", rows_where);
  std::vector<std::pair<std::string, bool>> row_members{{store::kSellerMember, true}};
  for (const auto& column : schema.columns) row_members.emplace_back(column.name, store::is_string_kind(column.kind));
  const StoredRecord row_record = stored_record(rows, row_members, rows_where);
  const std::int64_t total_rows = stored_length(rows, rows_where);

  const auto [share_begin, share_end] = store::even_share(total_sellers, comm.rank(), comm.size());
  std::vector<IndexEntry> share;
  share.reserve(static_cast<std::size_t>(share_end - share_begin));
  Transfer{comm, index, index_record.type, index_record.layout.size, index_where}.read(
      share_begin, share_end - share_begin, [&](std::int64_t, std::int64_t count, const char* buffer) {
        for (std::int64_t i = 0; i < count; ++i) {
          share.push_back(store::unpack_index_entry(index_record.layout,
                                                    buffer + i * static_cast<std::int64_t>(index_record.layout.size)));
        }
      });

  // The index must tile [0, total_rows) in order: within a share each entry starts where the
  // previous one ended, each share starts at the rows of all earlier shares, and all add up.
  Problems problems;
  std::int64_t share_rows = 0;
  for (const auto& entry : share) {
    if (entry.row_count < 0 || entry.first_row < 0) problems.add(ExitCode::bad_input, "negative row numbers");
    share_rows += entry.row_count;
  }
  const std::int64_t rows_before = comm.exclusive_prefix_sum(share_rows);
  std::int64_t expect = rows_before;
  for (const auto& entry : share) {
    if (entry.first_row != expect) {
      problems.add(ExitCode::bad_input, "seller '" + entry.seller + "' starts at row " +
                                            std::to_string(entry.first_row) + ", expected " + std::to_string(expect));
    }
    expect += entry.row_count;
  }
  if (comm.sum(share_rows) != total_rows) {
    problems.add(ExitCode::bad_input, "the seller index does not cover the " + std::to_string(total_rows) + " rows");
  }
  problems.agree(comm, "read_store " + index_where);

  const IndexEntry* const share_data = share.data();
  const std::vector<IndexEntry> mine = mpi::shuffle(comm, share, [&](const IndexEntry& entry) {
    const std::int64_t position = share_begin + (&entry - share_data);
    return store::seller_owner(position, entry.first_row, entry.row_count, total_sellers, total_rows, comm.size());
  });

  LocalTable table;
  table.schema = &schema;
  table.sellers.reserve(mine.size());
  for (const auto& entry : mine) table.sellers.push_back(SellerEntry{entry.seller, entry.folder, entry.row_count});
  const std::int64_t first_row = mine.empty() ? 0 : mine.front().first_row;
  const std::int64_t row_count = mine.empty() ? 0 : mine.back().first_row + mine.back().row_count - first_row;
  std::string long_bytes;
  const std::vector<store::LongCell> long_values = read_long_values(
      comm, group, where, schema_version, schema, row_record.layout, total_rows, first_row, row_count, long_bytes);
  auto long_value = long_values.begin();
  std::vector<store::LongCell> row_long_values;
  Problems row_problems;
  table.rows.reserve(static_cast<std::size_t>(row_count));
  Transfer{comm, rows, row_record.type, row_record.layout.size, rows_where}.read(
      first_row, row_count, [&](std::int64_t begin, std::int64_t count, const char* buffer) {
        for (std::int64_t i = 0; i < count; ++i) {
          const char* record = buffer + i * static_cast<std::int64_t>(row_record.layout.size);
          row_long_values.clear();
          for (; long_value != long_values.end() && long_value->row == begin + i; ++long_value) {
            // The cell in line must be the value's prefix, as the writer cuts it.
            const store::Field& field = row_record.layout.fields[long_value->column + 1];
            if (store::string_in(record, field) != store::inline_prefix(long_value->value, field.width))
              row_problems.add(ExitCode::bad_input, "row " + std::to_string(first_row + begin + i) + " column '" +
                                                        field.name + "' does not begin its long value");
            row_long_values.push_back(*long_value);
          }
          table.rows.push_back(store::unpack_row(row_record.layout, schema, record, row_long_values));
        }
      });

  std::size_t row = 0;
  for (const auto& seller : table.sellers) {
    for (std::int64_t i = 0; i < seller.rows; ++i, ++row) {
      if (table.rows[row].seller != seller.seller) {
        row_problems.add(ExitCode::bad_input, "row " + std::to_string(first_row + static_cast<std::int64_t>(row)) +
                                                  " belongs to seller '" + table.rows[row].seller +
                                                  "', the index files it under '" + seller.seller + "'");
      }
    }
  }
  row_problems.agree(comm, "read_store " + rows_where);

  rows.close(rows_where);
  index.close(index_where);
  group.close(where);
  return table;
}

// Fails (every rank, io_failure) when the file system of `path` has less room than the store
// needs: its rows and seller indexes at the agreed widths, and 1 MiB for HDF5's own metadata.
// Why first: when one rank's write fails for lack of space inside a parallel HDF5 call, the
// ranks can end up waiting in different barriers for ever (a full disk hung the job). Room that
// another program takes meanwhile is not covered.
void check_room(const mpi::Comm& comm, const std::string& path, const std::vector<LocalTable>& tables,
                const std::vector<AgreedWidths>& agreed) {
  std::int64_t bytes = std::int64_t{1} << 20;
  std::string widest;  // a text column is as wide as its inline width in every row: name the widest
  std::size_t widest_bytes = 0;
  const std::size_t record = store::long_value_layout().size;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const TableWidths& widths = agreed[t].widths;
    std::int64_t long_bytes = 0;
    for (const auto& cell : agreed[t].long_values) long_bytes += static_cast<std::int64_t>(cell.value.size() + record);
    const std::vector<std::int64_t> totals = comm.sum(std::vector<std::int64_t>{
        static_cast<std::int64_t>(tables[t].rows.size()), static_cast<std::int64_t>(tables[t].sellers.size()),
        long_bytes});
    bytes += totals[0] * static_cast<std::int64_t>(store::row_layout(*tables[t].schema, widths).size) +
             totals[1] * static_cast<std::int64_t>(store::seller_index_layout(widths).size) + totals[2];
    for (std::size_t c = 0; c < widths.columns.size(); ++c)
      if (totals[0] > 0 && widths.columns[c] > widest_bytes) {
        widest_bytes = widths.columns[c];
        widest = tables[t].schema->name + "." + tables[t].schema->columns[c].name;
      }
  }
  Problems problems;
  if (comm.is_root()) {
    const std::int64_t free = free_bytes(std::filesystem::path(path).parent_path().string());
    if (free >= 0 && free < bytes)
      problems.add(ExitCode::io_failure,
                   "no room for the store: it needs about " + std::to_string(bytes >> 10) + " KiB, the file system has " +
                       std::to_string(free >> 10) + " KiB free" +
                       (widest.empty() ? "" : " (its widest text column, " + widest + ", takes " +
                                                  std::to_string(widest_bytes) + " bytes in every row)"));
  }
  problems.agree(comm, "write_store " + path);
}

}  // namespace

void write_store(const mpi::Comm& comm, const std::string& path, const StoreAttributes& attrs,
                 const std::vector<LocalTable>& tables) {
  const std::vector<TableWidths> local_widths = check_write_input(comm, attrs, tables, path);
  std::vector<AgreedWidths> widths;
  for (std::size_t t = 0; t < tables.size(); ++t) widths.push_back(agree_widths(comm, tables[t], local_widths[t]));
  check_room(comm, path, tables, widths);
  g_last_write_cause = 0;
  g_last_write_direct = false;

  const h5::PropertyList fapl = h5::mpio_file_access(comm.raw());
  h5::File file = h5::create_file(path, fapl);
  const std::string root = object_path(path, "/");
  h5::write_attribute(file.id(), "schema_version", static_cast<std::int32_t>(attrs.schema_version), root);
  h5::write_attribute(file.id(), "cadence", attrs.cadence, root);
  h5::write_attribute(file.id(), "period", attrs.period, root);
  h5::write_attribute(file.id(), "amount_scale", attrs.amount_scale, root);
  h5::write_attribute(file.id(), "job_version", attrs.job_version, root);
  h5::write_attribute(file.id(), "input_digest", attrs.input_digest, root);

  const std::string tables_where = object_path(path, "/tables");
  h5::Group tables_group = h5::create_group(file.id(), "tables", tables_where);
  for (std::size_t t = 0; t < tables.size(); ++t) write_table(comm, path, tables_group, tables[t], widths[t]);
  tables_group.close(tables_where);
  file.close(path);
}

StoreContents read_store(const mpi::Comm& comm, const std::string& path,
                         const std::vector<const TableSchema*>& schemas) {
  Problems problems;
  for (const TableSchema* schema : schemas) {
    if (schema == nullptr) problems.add(ExitCode::internal, "a requested table has no schema");
  }
  problems.agree(comm, "read_store " + path);

  const h5::PropertyList fapl = h5::mpio_file_access(comm.raw());
  h5::File file = h5::open_file_read_only(path, fapl);
  const std::string root = object_path(path, "/");
  StoreContents contents;
  const std::int64_t schema_version = h5::read_int_attribute(file.id(), "schema_version", root);
  if (schema_version < INT32_MIN || schema_version > INT32_MAX) {
    fail(ExitCode::io_failure, "store " + root + " has schema_version " + std::to_string(schema_version));
  }
  contents.attrs.schema_version = static_cast<int>(schema_version);
  contents.attrs.cadence = h5::read_string_attribute(file.id(), "cadence", root);
  contents.attrs.period = h5::read_string_attribute(file.id(), "period", root);
  contents.attrs.amount_scale = h5::read_int_attribute(file.id(), "amount_scale", root);
  contents.attrs.job_version = h5::read_string_attribute(file.id(), "job_version", root);
  contents.attrs.input_digest = h5::read_string_attribute(file.id(), "input_digest", root);

  contents.tables.reserve(schemas.size());
  for (const TableSchema* schema : schemas)
    contents.tables.push_back(read_table(comm, path, file, contents.attrs.schema_version, *schema));
  file.close(path);
  return contents;
}

std::vector<std::string> read_delivery_folders(const std::string& path, const std::string& table) {
  const h5::File file = h5::open_file_read_only(path, h5::serial_file_access());
  const std::string where = object_path(path, table_object(table)) + "/seller_index";
  const h5::Group group = h5::open_group(file.id(), table_object(table), where);
  const h5::Dataset index = h5::open_dataset(group.id(), "seller_index", where);
  const StoredRecord record = seller_index_record(index, where);
  const auto count = static_cast<hsize_t>(stored_length(index, where));
  std::vector<char> records(count * record.layout.size + 1);
  if (count > 0) {
    h5::read(index, record.type, h5::vector_space(count, where), h5::dataset_space(index, where),
             h5::independent_transfer(), records.data(), where);
  }
  std::vector<std::string> folders;
  folders.reserve(count);
  for (hsize_t i = 0; i < count; ++i)
    folders.push_back(store::unpack_index_entry(record.layout, records.data() + i * record.layout.size).folder);
  return folders;
}

std::uint32_t last_store_no_collective_cause() { return g_last_write_cause; }

bool last_store_wrote_rows_direct() { return g_last_write_direct; }

bool set_store_direct_rows(bool direct) { return std::exchange(g_direct_rows, direct); }

std::int64_t set_store_transfer_bytes(std::int64_t bytes) {
  ensure(bytes >= 1, "store transfer size is positive");
  return std::exchange(g_transfer_bytes, bytes);
}

}  // namespace ba
