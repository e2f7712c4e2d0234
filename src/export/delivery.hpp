#pragma once
// A seller's delivery: the four CSV files of the period and the manifest that describes them.
#include <set>
#include <string>
#include <vector>

#include "ingest/feed_files.hpp"
#include "tables/table.hpp"

namespace ba {

// <table>_v1/year=YYYY/month=MM[/day=DD]/data.csv, relative to the seller's folder.
std::string delivery_file_path(const std::string& table, const Period& period);
// manifests/<cadence>-<period>.json, relative to the seller's folder.
std::string manifest_path(const Period& period);

// The files of `period` under `deliveries` (each seller folder's manifest of the period and its
// <table>_v1/<period>/data.csv, whatever the table) that `published` (paths relative to
// `deliveries`) does not name: left by an earlier run of the period for a seller or a table this
// run does not deliver. Relative paths, manifests first: the order they must go in, so that no
// manifest ever names a missing file.
std::vector<std::string> stale_period_files(const std::string& deliveries, const Period& period,
                                            const std::set<std::string, std::less<>>& published);

inline constexpr const char* kConfidentialityNotice =
    "CONFIDENTIAL: buyer information shared under the enhanced data sharing program. Use it only to "
    "compensate your sales representatives for marketplace revenue; do not share it or use it for any "
    "other purpose.";

// One seller's slice of every table (same order as all_schemas()).
struct SellerTables {
  const SellerEntry* seller = nullptr;
  std::vector<const TableSchema*> schemas;
  std::vector<const TableRow*> begin;  // first row of the seller in each table
  std::vector<std::int64_t> rows;      // row count in each table
};

// A file written to staging, and its place under deliveries/ once published.
struct StagedFile {
  std::string staged;    // the path written
  std::string relative;  // <folder>/<table>_v1/.../data.csv or <folder>/manifests/...json
};

// Writes the seller's files and manifest into `staging_dir`, flat (<folder>.<n>: no folder tree
// to create twice), with Durability::later: the caller syncs them before publishing. Returns them
// manifest last (the publication order).
std::vector<StagedFile> write_seller_delivery(const std::string& staging_dir, const Period& period,
                                              const SellerTables& seller, const std::string& job_version);

}  // namespace ba
