#include <algorithm>
#include <unordered_set>

#include "aggregate/detail_tables.hpp"

namespace ba {

bool feeds_sales_compensation(const BillingEvent& e) {
  return (e.action == Action::invoiced || e.action == Action::forgiven) && e.balance_impacting &&
         e.type != TxType::balance_adjustment;
}

void add_buckets(std::array<Micros, kBuckets>& into, const std::array<Micros, kBuckets>& from) {
  for (int b = 0; b < kBuckets; ++b) into[static_cast<std::size_t>(b)] = add_checked(into[static_cast<std::size_t>(b)], from[static_cast<std::size_t>(b)]);
}

namespace {
// The sign a table shows an event's amount with: disbursement lines are flipped.
Micros shown(std::int8_t table, const BillingEvent& e) { return table == 2 ? -e.amount : e.amount; }
}  // namespace

void count_amounts_in(const std::vector<BillingEvent>& events, const std::vector<UsageRecord>& usage, Ledger& ledger) {
  for (const auto& e : events) {
    if (bucket_of(e.type) < 0) continue;  // adds to no bucket: never part of a table's amounts
    if (feeds_sales_compensation(e)) ledger.amount_in(1, e.seller, e.currency, shown(1, e));
    if (is_disbursement_line(e)) ledger.amount_in(2, e.seller, e.currency, shown(2, e));
  }
  for (const auto& r : usage) ledger.amount_in(3, r.seller, r.currency, r.revenue);
}

void reject_mixed_groups(const mpi::Comm& comm, const std::vector<std::string>& mixed_keys,
                         const std::vector<BillingEvent>& events, std::string (*key_of)(const BillingEvent&),
                         bool (*in_table)(const BillingEvent&), std::int8_t table, Ledger& ledger) {
  // Mixed groups are rare and their keys small: every rank learns them all and rejects its rows.
  const auto all = mpi::allgather_items(comm, mixed_keys);
  if (all.empty()) return;
  const std::unordered_set<std::string> mixed(all.begin(), all.end());
  for (const auto& e : events)
    if (in_table(e) && mixed.count(key_of(e))) {
      ledger.reject_late("billing_event", &FeedCounts::used, reason::mixed_currency, e.ref);
      if (bucket_of(e.type) >= 0) ledger.amount_excluded(table, e.seller, e.currency, shown(table, e));
    }
}

}  // namespace ba
