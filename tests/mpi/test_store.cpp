// The attribution store under mpiexec (1..4 ranks): round trips with sellers spread so that some
// ranks hold no sellers or only sellers without rows, collective transfers, attributes, empty
// tables, bounded transfer rounds, and failures that reach every rank instead of hanging.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/file.hpp"
#include "h5/h5.hpp"
#include "mpi/comm.hpp"
#include "store/layout.hpp"
#include "store/store.hpp"
#include "tables/table.hpp"

namespace ba {
namespace {

// ---- fixtures --------------------------------------------------------------------------------

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir;
    if (comm.is_root()) {
      dir = "/tmp/ba-store-test-" + std::to_string(::getpid());
      std::filesystem::create_directories(dir);
    }
    comm.broadcast(dir);
    dir_ = dir;
  }
  void TearDown() override {
    comm.barrier();
    if (comm.is_root()) std::filesystem::remove_all(dir_);
  }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

  mpi::Comm comm;

 private:
  std::string dir_;
};

TableSchema sales_schema() {
  return TableSchema{"sales_compensation",
                     {{"buyer_name", ColumnKind::text},
                      {"gross_amount", ColumnKind::amount},
                      {"invoice_date", ColumnKind::date},
                      {"units", ColumnKind::count},
                      {"notes", ColumnKind::text},
                      {"always_empty", ColumnKind::text}},
                     {2, 0}};
}

TableSchema usage_schema() {
  return TableSchema{"usage", {{"usage_type", ColumnKind::text}, {"quantity", ColumnKind::count}}, {0}};
}

TableSchema buyers_schema() {
  return TableSchema{"buyers", {{"buyer_account_id", ColumnKind::text}, {"first_seen", ColumnKind::date}}, {0}};
}

// One table over all ranks, as the test knows it: sellers in global order and their rows.
struct GlobalTable {
  const TableSchema* schema = nullptr;
  std::vector<SellerEntry> sellers;
  std::vector<TableRow> rows;
};

std::string seller_id(std::size_t i) { return "seller-" + std::string(i % 4 + 1, 'x') + std::to_string(i); }
std::string folder_id(std::size_t i) {
  std::string digits = std::to_string(100000000000 + i * 7919);
  return digits.substr(0, 12);
}

// Cells of every kind and awkward value: empty, long, UTF-8, separators, extreme numbers.
TableRow sales_row(const std::string& seller, std::size_t i, std::size_t j) {
  // Two long names: with a few long cells among many short ones the column stays 64 bytes wide
  // and they go out of line, the second one cut before its 64th byte, inside a "ë".
  static const std::vector<std::string> names = {"",         "Acme, Inc.",          "Zoë \"Quotes\" Ltd", "line\nbreak",
                                                 "=formula", std::string(300, 'L'), "東京株式会社",
                                                 "a" + [] {
                                                   std::string e;
                                                   for (int k = 0; k < 100; ++k) e += "ë";
                                                   return e;
                                                 }()};
  static const std::vector<std::int64_t> amounts = {
      0,       1, -1, 123456789012, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
      -5000000};
  const std::size_t k = i * 31 + j;
  return TableRow::from_cells(seller, {Cell{names[k % names.size()], 0},
               Cell{"", amounts[k % amounts.size()]},
               Cell{k % 5 == 0 ? "" : "2024-0" + std::to_string(k % 9 + 1) + "-1" + std::to_string(k % 10), 0},
               Cell{"", static_cast<std::int64_t>(k) * 3 - 7},
               Cell{"note " + std::to_string(k) + std::string(k % 13, '.'), 0},
               Cell{"", 0}});
}

TableRow usage_row(const std::string& seller, std::size_t i, std::size_t j) {
  return TableRow::from_cells(
      seller, {Cell{"type-" + std::to_string((i + j) % 3), 0}, Cell{"", static_cast<std::int64_t>(i * 1000 + j)}});
}

GlobalTable make_table(const TableSchema* schema, const std::vector<std::int64_t>& rows_per_seller,
                       const std::function<TableRow(const std::string&, std::size_t, std::size_t)>& make_row) {
  GlobalTable table;
  table.schema = schema;
  for (std::size_t i = 0; i < rows_per_seller.size(); ++i) {
    table.sellers.push_back(SellerEntry{seller_id(i), folder_id(i), rows_per_seller[i]});
    for (std::int64_t j = 0; j < rows_per_seller[i]; ++j) {
      table.rows.push_back(make_row(seller_id(i), i, static_cast<std::size_t>(j)));
    }
  }
  return table;
}

// This rank's part when rank r holds sellers [cuts[r], cuts[r + 1]).
LocalTable local_part(const GlobalTable& table, const std::vector<std::size_t>& cuts, int rank) {
  LocalTable local;
  local.schema = table.schema;
  std::size_t row = 0;
  for (std::size_t s = 0; s < table.sellers.size(); ++s) {
    const bool mine = s >= cuts[static_cast<std::size_t>(rank)] && s < cuts[static_cast<std::size_t>(rank) + 1];
    for (std::int64_t j = 0; j < table.sellers[s].rows; ++j, ++row) {
      if (mine) local.rows.push_back(table.rows[row]);
    }
    if (mine) local.sellers.push_back(table.sellers[s]);
  }
  return local;
}

// Cut points that give only odd ranks any sellers (rank 0 holds none when there are 2+ ranks),
// split evenly among them by seller count.
std::vector<std::size_t> odd_ranks_cuts(std::size_t sellers, int ranks) {
  std::vector<int> holders;
  for (int r = 0; r < ranks; ++r) {
    if (ranks == 1 || r % 2 == 1) holders.push_back(r);
  }
  std::vector<std::size_t> cuts(static_cast<std::size_t>(ranks) + 1, 0);
  std::size_t next = 0;
  for (int r = 0; r < ranks; ++r) {
    cuts[static_cast<std::size_t>(r)] = next;
    const auto h = std::find(holders.begin(), holders.end(), r);
    if (h != holders.end()) {
      const auto k = static_cast<std::size_t>(h - holders.begin());
      next = sellers * (k + 1) / holders.size();
    }
  }
  cuts[static_cast<std::size_t>(ranks)] = sellers;
  return cuts;
}

// Rank 0: sellers [0, 3); rank 1: none; rank 2: sellers [3, 5) (both without rows in the data
// below); the last rank: the rest. With fewer ranks the later groups merge into the last rank.
std::vector<std::size_t> uneven_cuts(std::size_t sellers, int ranks) {
  std::vector<std::size_t> cuts(static_cast<std::size_t>(ranks) + 1, sellers);
  cuts[0] = 0;
  const std::vector<std::size_t> wanted = {3, 3, 5};
  for (int r = 1; r < ranks; ++r)
    cuts[static_cast<std::size_t>(r)] =
        std::min(sellers, wanted[std::min<std::size_t>(static_cast<std::size_t>(r) - 1, 2)]);
  return cuts;
}

StoreAttributes test_attributes() {
  StoreAttributes attrs;
  attrs.cadence = "monthly";
  attrs.period = "2024-05";
  attrs.job_version = "0.1.0-test";
  attrs.input_digest = "sha256:0123456789abcdef";
  attrs.schema_version = 2;  // long values out of line
  attrs.amount_scale = 1000000;
  return attrs;
}

// What all ranks read, concatenated in rank order (small test data only).
GlobalTable gather_read(const mpi::Comm& comm, const LocalTable& local) {
  GlobalTable all;
  all.schema = local.schema;
  all.sellers = mpi::allgather_items(comm, local.sellers);
  all.rows = mpi::allgather_items(comm, local.rows);
  return all;
}

void expect_same_rows(const std::vector<TableRow>& got, const std::vector<TableRow>& want, const std::string& table) {
  ASSERT_EQ(got.size(), want.size()) << table;
  for (std::size_t r = 0; r < want.size(); ++r) {
    ASSERT_EQ(got[r].seller, want[r].seller) << table << " row " << r;
    ASSERT_EQ(got[r].size(), want[r].size()) << table << " row " << r;
    for (std::size_t c = 0; c < want[r].size(); ++c) {
      EXPECT_EQ(got[r].text(c), want[r].text(c)) << table << " row " << r << " cell " << c;
      EXPECT_EQ(got[r].number(c), want[r].number(c)) << table << " row " << r << " cell " << c;
    }
  }
}

void expect_same_sellers(const std::vector<SellerEntry>& got, const std::vector<SellerEntry>& want,
                         const std::string& table) {
  ASSERT_EQ(got.size(), want.size()) << table;
  for (std::size_t s = 0; s < want.size(); ++s) {
    EXPECT_EQ(got[s].seller, want[s].seller) << table << " seller " << s;
    EXPECT_EQ(got[s].folder, want[s].folder) << table << " seller " << s;
    EXPECT_EQ(got[s].rows, want[s].rows) << table << " seller " << s;
  }
}

// A rank's read part is whole sellers whose rows it holds, in order.
void expect_consistent_part(const LocalTable& local) {
  std::size_t row = 0;
  for (const auto& seller : local.sellers) {
    for (std::int64_t j = 0; j < seller.rows; ++j, ++row) {
      ASSERT_LT(row, local.rows.size());
      EXPECT_EQ(local.rows[row].seller, seller.seller);
    }
  }
  EXPECT_EQ(row, local.rows.size());
}

// Writes `tables` spread by `cuts`, checks the write was collective on this rank, reads it back
// and compares everything.
void round_trip(const mpi::Comm& comm, const std::string& path, const std::vector<GlobalTable>& tables,
                const std::function<std::vector<std::size_t>(std::size_t, int)>& cuts_for) {
  std::vector<LocalTable> locals;
  std::vector<const TableSchema*> schemas;
  for (const auto& table : tables) {
    locals.push_back(local_part(table, cuts_for(table.sellers.size(), comm.size()), comm.rank()));
    schemas.push_back(table.schema);
  }
  write_store(comm, path, test_attributes(), locals);
  EXPECT_EQ(last_store_no_collective_cause(), 0u) << "rank " << comm.rank();

  const StoreContents contents = read_store(comm, path, schemas);
  ASSERT_EQ(contents.tables.size(), tables.size());
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const LocalTable& local = contents.tables[t];
    EXPECT_EQ(local.schema, tables[t].schema);
    expect_consistent_part(local);
    const GlobalTable all = gather_read(comm, local);
    expect_same_sellers(all.sellers, tables[t].sellers, tables[t].schema->name);
    expect_same_rows(all.rows, tables[t].rows, tables[t].schema->name);
  }
}

const std::vector<std::int64_t> kRowsPerSeller = {3, 0, 5, 0, 0, 120, 1, 4, 0, 17};

// ---- round trips -----------------------------------------------------------------------------

TEST_F(StoreTest, RoundTripWithRanksHoldingNoSellers) {
  const TableSchema sales = sales_schema();
  const TableSchema usage = usage_schema();
  const std::vector<GlobalTable> tables = {make_table(&sales, kRowsPerSeller, sales_row),
                                           make_table(&usage, {2, 2, 0, 9, 1}, usage_row)};
  round_trip(comm, file("odd.h5"), tables, odd_ranks_cuts);
}

TEST_F(StoreTest, RoundTripWithRanksHoldingOnlyEmptySellers) {
  const TableSchema sales = sales_schema();
  const std::vector<GlobalTable> tables = {make_table(&sales, kRowsPerSeller, sales_row)};
  round_trip(comm, file("uneven.h5"), tables, uneven_cuts);
}

TEST_F(StoreTest, RoundTripInManySmallTransferRounds) {
  // Rows through HDF5 as well, in rounds of a few records (direct row writes take no rounds).
  const bool direct = set_store_direct_rows(false);
  const std::int64_t previous = set_store_transfer_bytes(700);
  const TableSchema sales = sales_schema();
  const TableSchema usage = usage_schema();
  const std::vector<GlobalTable> tables = {make_table(&sales, kRowsPerSeller, sales_row),
                                           make_table(&usage, {40, 0, 3}, usage_row)};
  round_trip(comm, file("rounds.h5"), tables, uneven_cuts);
  EXPECT_FALSE(last_store_wrote_rows_direct());
  set_store_transfer_bytes(previous);
  set_store_direct_rows(direct);
}

// The raw bytes of a dataset, as a serial reader gets them in the file's own type.
std::vector<char> raw_dataset(const std::string& path, const char* name) {
  h5::File f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  EXPECT_TRUE(f.valid()) << path;
  h5::Dataset d = h5::open_dataset(f.id(), name, name);
  const h5::Datatype type = h5::dataset_type(d, name);
  const std::size_t count = h5::vector_length(h5::dataset_space(d, name), name);
  std::vector<char> bytes(count * H5Tget_size(type.id()) + 1);
  EXPECT_GE(H5Dread(d.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), 0) << path << name;
  return bytes;
}

TEST_F(StoreTest, DirectRowWritesMatchHdf5WritesByteForByte) {
  std::string capable;
  if (comm.is_root()) capable = DirectWriter::open(file("probe"), 0, true) != nullptr ? "yes" : "no";
  comm.broadcast(capable);
  if (capable != "yes") GTEST_SKIP() << "the file system of /tmp has no O_DIRECT";
  const TableSchema sales = sales_schema();
  const TableSchema usage = usage_schema();
  // Several MiB over ranks with unaligned boundaries, so both whole pages (O_DIRECT) and shared
  // boundary pages (page cache) are written; empty sellers and ranks without rows included.
  const std::vector<GlobalTable> tables = {make_table(&sales, {3000, 0, 4999, 1, 2500, 0, 7, 9000}, sales_row),
                                           make_table(&usage, {20000, 3, 0, 15000}, usage_row)};
  const bool previous = set_store_direct_rows(true);
  round_trip(comm, file("direct.h5"), tables, uneven_cuts);
  const bool wrote_direct = last_store_wrote_rows_direct();
  set_store_direct_rows(false);
  round_trip(comm, file("hdf5.h5"), tables, uneven_cuts);
  EXPECT_FALSE(last_store_wrote_rows_direct());
  set_store_direct_rows(previous);
  EXPECT_TRUE(wrote_direct) << "/tmp takes O_DIRECT, yet the rows went through HDF5";
  if (!comm.is_root()) return;
  for (const char* name : {"/tables/sales_compensation/rows", "/tables/usage/rows"}) {
    EXPECT_EQ(raw_dataset(file("direct.h5"), name), raw_dataset(file("hdf5.h5"), name)) << name;
  }
}

TEST_F(StoreTest, EmptyTablesRoundTrip) {
  const TableSchema buyers = buyers_schema();
  const TableSchema usage = usage_schema();
  const TableSchema sales = sales_schema();
  // No sellers at all; sellers but no rows anywhere; and a table with rows after them.
  const std::vector<GlobalTable> tables = {make_table(&buyers, {}, usage_row),
                                           make_table(&usage, {0, 0, 0, 0, 0}, usage_row),
                                           make_table(&sales, {0, 2}, sales_row)};
  round_trip(comm, file("empty.h5"), tables, odd_ranks_cuts);

  // The empty datasets exist with extent 0.
  if (comm.is_root()) {
    const std::string path = file("empty.h5");
    h5::File f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    ASSERT_TRUE(f.valid());
    for (const char* name : {"/tables/buyers/rows", "/tables/buyers/seller_index", "/tables/usage/rows"}) {
      h5::Dataset d = h5::open_dataset(f.id(), name, name);
      EXPECT_EQ(h5::vector_length(h5::dataset_space(d, name), name), 0u) << name;
    }
    h5::Dataset index = h5::open_dataset(f.id(), "/tables/usage/seller_index", "usage index");
    EXPECT_EQ(h5::vector_length(h5::dataset_space(index, "usage index"), "usage index"), 5u);
  }
}

TEST_F(StoreTest, ReadSplitsSellersEvenlyByRows) {
  const TableSchema usage = usage_schema();
  const std::vector<GlobalTable> tables = {make_table(&usage, std::vector<std::int64_t>(24, 5), usage_row)};
  std::vector<LocalTable> locals = {local_part(tables[0], odd_ranks_cuts(24, comm.size()), comm.rank())};
  write_store(comm, file("even.h5"), test_attributes(), locals);
  const StoreContents contents = read_store(comm, file("even.h5"), {&usage});
  // 24 equal sellers: every rank gets 24 / P of them, give or take one, whole.
  const auto sellers = static_cast<double>(contents.tables[0].sellers.size());
  EXPECT_NEAR(sellers, 24.0 / comm.size(), 1.0) << "rank " << comm.rank();
  EXPECT_EQ(contents.tables[0].rows.size(), contents.tables[0].sellers.size() * 5);
}

// ---- attributes ------------------------------------------------------------------------------

TEST_F(StoreTest, AttributesAreWrittenAndReadBack) {
  const TableSchema sales = sales_schema();
  const std::vector<GlobalTable> tables = {make_table(&sales, kRowsPerSeller, sales_row)};
  std::vector<LocalTable> locals = {
      local_part(tables[0], uneven_cuts(kRowsPerSeller.size(), comm.size()), comm.rank())};
  const std::string path = file("attrs.h5");
  write_store(comm, path, test_attributes(), locals);
  EXPECT_EQ(last_store_no_collective_cause(), 0u);

  const StoreContents contents = read_store(comm, path, {&sales});
  const StoreAttributes want = test_attributes();
  EXPECT_EQ(contents.attrs.cadence, want.cadence);
  EXPECT_EQ(contents.attrs.period, want.period);
  EXPECT_EQ(contents.attrs.job_version, want.job_version);
  EXPECT_EQ(contents.attrs.input_digest, want.input_digest);
  EXPECT_EQ(contents.attrs.schema_version, want.schema_version);
  EXPECT_EQ(contents.attrs.amount_scale, want.amount_scale);

  if (comm.is_root()) {  // as a plain serial reader sees them
    h5::File f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    ASSERT_TRUE(f.valid());
    for (const char* name : {"schema_version", "cadence", "period", "amount_scale", "job_version", "input_digest"}) {
      EXPECT_GT(H5Aexists(f.id(), name), 0) << name;
    }
    h5::Group g = h5::open_group(f.id(), "/tables/sales_compensation", "group");
    EXPECT_EQ(
        h5::read_strings_attribute(g.id(), "columns", "group"),
        (std::vector<std::string>{"buyer_name", "gross_amount", "invoice_date", "units", "notes", "always_empty"}));
    EXPECT_EQ(h5::read_strings_attribute(g.id(), "column_kinds", "group"),
              (std::vector<std::string>{"text", "amount", "date", "count", "text", "text"}));
    EXPECT_EQ(h5::read_strings_attribute(g.id(), "sort_by", "group"),
              (std::vector<std::string>{"invoice_date", "buyer_name"}));

    // The row type is packed: members back to back, string widths the longest values.
    h5::Dataset rows = h5::open_dataset(g.id(), "rows", "rows");
    h5::Datatype type = h5::dataset_type(rows, "rows");
    ASSERT_EQ(H5Tget_nmembers(type.id()), 7);
    std::size_t offset = 0;
    for (unsigned i = 0; i < 7; ++i) {
      EXPECT_EQ(H5Tget_member_offset(type.id(), i), offset) << i;
      h5::Datatype member(H5Tget_member_type(type.id(), i));
      offset += H5Tget_size(member.id());
    }
    EXPECT_EQ(H5Tget_size(type.id()), offset);
    h5::Datatype name_type(H5Tget_member_type(type.id(), 1));
    // Not 300: a seventh of the names are 300 bytes, the rows would triple for them.
    EXPECT_EQ(H5Tget_size(name_type.id()), 64u);
    h5::Datatype empty_type(H5Tget_member_type(type.id(), 6));
    EXPECT_EQ(H5Tget_size(empty_type.id()), 1u);  // a column empty everywhere is 1 byte wide

    // The long names, as a serial reader finds them: (row, column, offset, length) records in
    // row order, tiling long_value_bytes, each the whole name of that row; the row holds its
    // prefix, cut at a character boundary.
    const GlobalTable& table = tables[0];
    std::vector<std::pair<std::size_t, std::string>> want_long;
    for (std::size_t r = 0; r < table.rows.size(); ++r)
      if (table.rows[r].text(0).size() > 64) want_long.emplace_back(r, std::string(table.rows[r].text(0)));
    ASSERT_FALSE(want_long.empty());
    h5::Dataset records = h5::open_dataset(g.id(), "long_values", "long_values");
    h5::Dataset bytes = h5::open_dataset(g.id(), "long_value_bytes", "long_value_bytes");
    const hsize_t count = h5::vector_length(h5::dataset_space(records, "long_values"), "long_values");
    ASSERT_EQ(count, want_long.size());
    std::vector<std::int64_t> entries(count * 4);
    ASSERT_GE(H5Dread(records.id(), h5::dataset_type(records, "t").id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, entries.data()), 0);
    std::string all(h5::vector_length(h5::dataset_space(bytes, "b"), "b"), '\0');
    ASSERT_GE(H5Dread(bytes.id(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data()), 0);
    std::vector<char> records_of_rows(table.rows.size() * H5Tget_size(type.id()));
    ASSERT_GE(H5Dread(rows.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, records_of_rows.data()), 0);
    std::int64_t next = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const std::int64_t* e = entries.data() + 4 * i;
      EXPECT_EQ(e[0], static_cast<std::int64_t>(want_long[i].first)) << i;
      EXPECT_EQ(e[1], 0) << i;  // buyer_name, the schema's first column
      EXPECT_EQ(e[2], next) << i;
      next = e[2] + e[3];
      EXPECT_EQ(all.substr(static_cast<std::size_t>(e[2]), static_cast<std::size_t>(e[3])), want_long[i].second) << i;
      const std::string name = want_long[i].second;
      const std::string in_line =
          h5::trim_nul_padding(records_of_rows.data() + want_long[i].first * H5Tget_size(type.id()) +
                                   H5Tget_member_offset(type.id(), 1),
                               64);
      EXPECT_EQ(in_line, name.substr(0, name[0] == 'a' ? 63 : 64)) << i;
    }
    EXPECT_EQ(next, static_cast<std::int64_t>(all.size()));
  }
}

// ---- failures reach every rank ---------------------------------------------------------------

TEST_F(StoreTest, NulInTextOnOneRankFailsOnEveryRank) {
  const TableSchema usage = usage_schema();
  GlobalTable table = make_table(&usage, {1, 1, 1, 1}, usage_row);
  {
    auto cells = table.rows.back().unpack(usage);
    cells[0].text = std::string("bad\0text", 8);  // held by the last rank
    table.rows.back() = TableRow::from_cells(table.rows.back().seller, cells);
  }
  std::vector<LocalTable> locals = {local_part(table, uneven_cuts(4, comm.size()), comm.rank())};
  try {
    write_store(comm, file("nul.h5"), test_attributes(), locals);
    ADD_FAILURE() << "write_store accepted a NUL byte";
  } catch (const Failure& failure) {
    EXPECT_EQ(failure.code(), ExitCode::bad_input);
  }
}

TEST_F(StoreTest, SchemaMismatchOnReadFailsOnEveryRank) {
  const TableSchema usage = usage_schema();
  std::vector<LocalTable> locals = {
      local_part(make_table(&usage, {2, 3}, usage_row), uneven_cuts(2, comm.size()), comm.rank())};
  const std::string path = file("mismatch.h5");
  write_store(comm, path, test_attributes(), locals);
  TableSchema other = usage_schema();
  other.columns[1].kind = ColumnKind::amount;
  try {
    read_store(comm, path, {&other});
    ADD_FAILURE() << "read_store accepted a different schema";
  } catch (const Failure& failure) {
    EXPECT_EQ(failure.code(), ExitCode::bad_input);  // a store read back is an input
    EXPECT_NE(std::string(failure.what()).find(path), std::string::npos) << failure.what();
  }
}

TEST_F(StoreTest, UnwritablePathIsAnIoFailureNamingThePath) {
  const std::string path = file("missing-folder/store.h5");
  try {
    write_store(comm, path, test_attributes(), {});
    ADD_FAILURE() << "write_store created a file in a missing folder";
  } catch (const Failure& failure) {
    EXPECT_EQ(failure.code(), ExitCode::io_failure);
    EXPECT_NE(std::string(failure.what()).find(path), std::string::npos) << failure.what();
    EXPECT_NE(std::string(failure.what()).find("H5Fcreate"), std::string::npos) << failure.what();
  }
}

}  // namespace
}  // namespace ba
