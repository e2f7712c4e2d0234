#pragma once
// The run record (outputs.md): report.json and rejects.csv, made on rank 0 from what every rank
// counted. Plain logic: the job gathers the pieces, writes the two texts, and fails the run on
// the verdict (an unbalanced run, or rejects above the limit).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "aggregate/unresolved.hpp"
#include "common/bytes.hpp"
#include "ingest/ledger.hpp"

namespace ba {

// One rank's counts of one feed.
struct NamedCounts {
  std::string feed;
  FeedCounts counts;
  BA_FIELDS(feed, counts)
};

// One rank's rows of one detail table (1 sales_compensation, 2 disbursements, 3 usage, as in
// the control totals) counted by the kinds of key that resolved to nothing.
struct TableUnresolved {
  std::int8_t table = 0;
  UnresolvedCounts counts;
  BA_FIELDS(table, counts)
};

// One rank's seconds per phase, in phase order.
struct RankTimings {
  std::int32_t rank = 0;
  std::vector<std::string> phases;
  std::vector<double> seconds;
  BA_FIELDS(rank, phases, seconds)
};

// What the record says, gathered from every rank. (The containers have `{}` initializers so that
// designated initializers may leave them out without -Wmissing-field-initializers.)
struct RunFacts {
  std::string job_version, cadence, period, input_digest;
  int ranks = 0;
  std::int64_t sellers_delivered = 0;
  std::size_t sellers_with_rep_tables = 0;
  // Enrolled sellers whose territory rules were not used, by seller: why.
  std::map<std::string, std::vector<std::string>> rule_errors{};
  std::vector<NamedCounts> counts{};     // every rank's, in any order
  std::vector<AmountBalance> amounts{};  // every rank's, in any order
  std::vector<TableUnresolved> unresolved{};  // every rank's, in any order
  std::vector<Reject> rejects{};         // every rank's, in any order
  std::vector<RankTimings> timings{};    // in rank order
};

struct RunRecord {
  std::string report_json;
  std::string rejects_csv;  // sorted by feed, file, line, reason
  // Every feed's rows and every (table, seller, currency)'s amounts balance.
  bool balanced = false;
  std::int64_t rows_read = 0, rows_rejected = 0;  // over every feed: for the reject limit
};

RunRecord make_run_record(RunFacts facts);

}  // namespace ba
