#pragma once
// The three detail tables and the buyers table of semantics.md, computed across ranks.
// Each builder takes this rank's used input rows and returns rows of its table somewhere in the
// job (not yet on their seller's rank), plus one BuyerFact per row for the buyers table.
#include <string>
#include <vector>

#include "aggregate/attribution.hpp"
#include "aggregate/partials.hpp"
#include "ingest/ledger.hpp"
#include "ingest/rows.hpp"
#include "mpi/comm.hpp"
#include "tables/table.hpp"

namespace ba {

// What a detail row tells the buyers table.
struct BuyerFact {
  std::string seller, payer, currency, product;
  Instant date = 0;
  std::int8_t table = 0;  // 1 sales_compensation, 2 disbursements, 3 usage (tie order)
  Micros amount = 0;      // net_revenue, net_amount or estimated_revenue
  BuyerColumns buyer;
  std::string line;  // the rendered detail row: the last tie-break
  BA_FIELDS(seller, payer, currency, product, date, table, amount, buyer, line)
};

struct DetailRows {
  std::vector<TableRow> rows;
  std::vector<BuyerFact> facts;
};

// Each builder takes this rank's partial groups (PartialAggregates) and returns the table's rows.
// Groups that mix two currencies are left out and their keys appended to `mixed`: the caller
// rejects their rows (which only the ranks that read them can name).
DetailRows build_sales_compensation(const mpi::Comm& comm, std::vector<SalesGroup> parts, const Dimensions& dims,
                                    std::vector<std::string>& mixed);
// Lines of payouts that were not kept are recorded as excluded amounts in `ledger`.
DetailRows build_disbursements(const mpi::Comm& comm, std::vector<DisbursementGroup> parts,
                               std::vector<PayoutNote> notes, const Dimensions& dims, Ledger& ledger,
                               std::vector<std::string>& mixed);
DetailRows build_usage(const mpi::Comm& comm, std::vector<UsageGroup> parts, const Dimensions& dims);

// Plain: the buyers rows of facts that all belong to sellers held here (any order).
std::vector<TableRow> build_buyers(const std::vector<BuyerFact>& facts);

}  // namespace ba
