#pragma once
// The three detail tables and the buyers table of semantics.md, computed across ranks.
// Each builder takes this rank's used input rows and returns rows of its table somewhere in the
// job (not yet on their seller's rank), plus one BuyerFact per row for the buyers table.
#include <string>
#include <vector>

#include "aggregate/attribution.hpp"
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

DetailRows build_sales_compensation(const mpi::Comm& comm, const std::vector<BillingEvent>& events,
                                    const Dimensions& dims, Ledger& ledger);
DetailRows build_disbursements(const mpi::Comm& comm, const std::vector<BillingEvent>& events, const Dimensions& dims,
                               Ledger& ledger);
DetailRows build_usage(const mpi::Comm& comm, const std::vector<UsageRecord>& records, const Dimensions& dims);

// Plain: the buyers rows of facts that all belong to sellers held here (any order).
std::vector<TableRow> build_buyers(const std::vector<BuyerFact>& facts);

// Which billing events feed which table (semantics.md).
bool feeds_sales_compensation(const BillingEvent& e);
bool is_disbursement_line(const BillingEvent& e);

// Records the amounts that enter each table's computation (the control totals' "in").
void count_amounts_in(const std::vector<BillingEvent>& events, const std::vector<UsageRecord>& usage, Ledger& ledger);

// Sums per (group key) across partial aggregates, with the checked money addition.
void add_buckets(std::array<Micros, kBuckets>& into, const std::array<Micros, kBuckets>& from);

// Rejects, on every rank, the rows of groups found to mix currencies (keys joined by '\x1f').
// Their bucketed amounts are recorded as excluded from `table` (with the sign the table shows).
void reject_mixed_groups(const mpi::Comm& comm, const std::vector<std::string>& mixed_keys,
                         const std::vector<BillingEvent>& events, std::string (*key_of)(const BillingEvent&),
                         bool (*in_table)(const BillingEvent&), std::int8_t table, Ledger& ledger);

}  // namespace ba
