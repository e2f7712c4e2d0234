#pragma once
// The attribution store: one HDF5 file per run, written and read by all ranks together over
// MPI-IO (docs: spec/outputs.md "The attribution store").
//
// Layout (readable by h5dump and h5py):
//   /                      attributes schema_version (int32), cadence, period, job_version,
//                          input_digest (fixed-length strings), amount_scale (int64)
//   /tables/<table name>   group; attributes columns, column_kinds ("text"|"amount"|"date"|
//                          "count") and sort_by (column names), 1-D fixed-length string lists
//     rows                 1-D dataset of a packed compound: seller_account_id, then one member
//                          per schema column named as the column (text/date: fixed-length
//                          null-padded string as wide as the column's inline width: the longest
//                          value over all ranks, at least 1, unless a few long values go out of
//                          line; amount/count: int64). Rows are in global seller order.
//     seller_index         1-D dataset of a packed compound: seller_account_id, delivery_folder
//                          (fixed-length strings), first_row, row_count (int64); one entry per
//                          seller in global order, sellers without rows included.
//     long_values          (schema_version 2) 1-D packed compound row, column, offset, length
//                          (int64), in row then column order: a text cell too long for its
//                          column's inline width (layout.hpp) holds only a prefix in `rows`; its
//                          whole value is long_value_bytes[offset, offset + length).
//     long_value_bytes     1-D uint8, the long values back to back.
// Strings are stored as their bytes and read back by trimming trailing NULs, so no stored string
// may contain a NUL byte: write_store refuses one (bad_input). Datasets are contiguous and
// unfiltered; a table without rows has datasets of extent 0.
#include <cstdint>
#include <string>
#include <vector>

#include "mpi/comm.hpp"
#include "tables/table.hpp"

namespace ba {

struct StoreAttributes {
  std::string cadence, period, job_version, input_digest;
  int schema_version = 1;
  std::int64_t amount_scale = 1000000;
};

// Collective. Every rank passes its LocalTable for each table (same tables, same order, same
// schemas on every rank); ranks hold disjoint sellers and rank order is the global seller order.
// Creates `path` (truncating) with MPI-IO. Every rank writes its own rows at the offset given by
// the exclusive prefix sum of row counts, in collective transfers of bounded size; a rank
// without rows still takes part with an empty selection. Input that breaks the contract on any
// rank (tables or attributes differing between ranks, row/seller counts that disagree, a NUL
// byte in a string) makes every rank throw before the file is touched.
void write_store(const mpi::Comm& comm, const std::string& path, const StoreAttributes& attrs,
                 const std::vector<LocalTable>& tables);

struct StoreContents {
  StoreAttributes attrs;
  std::vector<LocalTable> tables;  // one per requested schema, in that order
};

// Collective. Reads the attributes and, for the given schemas, the tables back. Sellers are split
// across ranks in index order (whole sellers, contiguous ranges, balanced by row count; a rank may
// get none) and each rank reads only its sellers' rows, through the seller index, with
// hyperslab selections. A store read back is an input: a table whose record type, columns or
// kinds differ from its schema, or whose seller index does not tile its rows as the writer does,
// is bad_input naming the path (what cannot be read at all is an io_failure). The attributes are
// returned as stored; checking schema_version is the caller's business.
StoreContents read_store(const mpi::Comm& comm, const std::string& path,
                         const std::vector<const TableSchema*>& schemas);

// Not collective: this process alone reads the seller index of `table` in the store at `path` and
// returns its sellers' delivery folders, in index order (verify's list of the sellers a run
// delivered to). A store whose index is not one this build writes is bad_input; one HDF5 cannot
// read is an io_failure.
std::vector<std::string> read_delivery_folders(const std::string& path, const std::string& table);

// Test hook: H5Pget_mpio_no_collective_cause's local | global causes, OR-ed over every dataset
// transfer of the last write_store on this rank (0: every transfer was collective).
std::uint32_t last_store_no_collective_cause();

// Test hooks: whether the last write_store wrote some table's rows directly (see store.cpp), and
// turning that off (rows then go through HDF5's collective writes). Returns the previous value.
bool last_store_wrote_rows_direct();
bool set_store_direct_rows(bool direct);

// Test hook: the most bytes one rank moves in one collective dataset transfer (default 256 MiB;
// larger slices take several rounds, every rank taking part in each). Returns the previous value.
std::int64_t set_store_transfer_bytes(std::int64_t bytes);

}  // namespace ba
