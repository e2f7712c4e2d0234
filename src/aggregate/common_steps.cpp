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

void reject_mixed_groups(const mpi::Comm& comm, const std::vector<std::string>& mixed_keys,
                         const std::vector<BillingEvent>& events, std::string (*key_of)(const BillingEvent&),
                         bool (*in_table)(const BillingEvent&), Ledger& ledger) {
  // Mixed groups are rare and their keys small: every rank learns them all and rejects its rows.
  const auto all = mpi::allgather_items(comm, mixed_keys);
  if (all.empty()) return;
  const std::unordered_set<std::string> mixed(all.begin(), all.end());
  for (const auto& e : events)
    if (in_table(e) && mixed.count(key_of(e)))
      ledger.reject_late("billing_event", &FeedCounts::used, reason::mixed_currency, e.ref);
}

}  // namespace ba
