#pragma once
// The groups of the detail tables, and the per-rank streaming combiner that folds every used
// fact row into its group as the row is read: a rank keeps groups, never rows, and a busy buyer
// ships one partial group per rank instead of thousands of rows.
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "aggregate/attribution.hpp"
#include "ingest/ledger.hpp"
#include "ingest/rows.hpp"

namespace ba {

// One (seller, transaction_reference_id, product_id, end_user_account_id) group, partial or whole.
struct SalesGroup {
  std::string seller, transaction_ref;
  Instant invoice = 0;
  std::string currency_min, currency_max;  // differ: the group mixes currencies
  std::array<Micros, kBuckets> buckets{};
  Attribution attribution;  // payer, billing address and offer: the greatest value seen
  BA_FIELDS(seller, transaction_ref, invoice, currency_min, currency_max, buckets, attribution)
  std::string key() const;
};

// One (seller, transaction_reference_id, product_id, payout id, end_user_account_id) group.
struct DisbursementGroup {
  std::string seller, transaction_ref, payout_id;
  std::string currency_min, currency_max;
  std::array<Micros, kBuckets> buckets{};  // as the table shows them: the lines' amounts negated
  std::string bank_trace;   // greatest among the lines: used when the payout row has none
  Attribution attribution;  // billing_address: greatest among SELLER_* lines
  BA_FIELDS(seller, transaction_ref, payout_id, currency_min, currency_max, buckets, bank_trace, attribution)
  std::string key() const;
};

// A payout, or the failure that cancels one.
struct PayoutNote {
  std::string seller, payout_id, bank_trace;
  Instant date = 0;
  bool failure = false;
  BA_FIELDS(seller, payout_id, bank_trace, date, failure)
};

// One usage group: every column of the usage table's key.
struct UsageGroup {
  std::string seller, region, dimension_key, unit, currency;
  Instant usage_date = 0;
  Micros quantity = 0, revenue = 0;
  Attribution attribution;  // payer, end user, product, offer are part of the key
  BA_FIELDS(seller, region, dimension_key, unit, currency, usage_date, quantity, revenue, attribution)
  std::string key() const;
};

// Which billing events feed which table (semantics.md).
bool feeds_sales_compensation(const BillingEvent& e);
bool is_disbursement_line(const BillingEvent& e);
bool is_payout(const BillingEvent& e);
// The group key of an event in its table (the same string SalesGroup/DisbursementGroup::key give).
std::string sales_key(const BillingEvent& e);
std::string line_key(const BillingEvent& e);

void merge(SalesGroup& into, const SalesGroup& from);
void merge(DisbursementGroup& into, const DisbursementGroup& from);
void merge(UsageGroup& into, const UsageGroup& from);

// Folds groups with the same key (partials from several ranks).
template <class Group>
std::vector<Group> combine(std::vector<Group> parts) {
  std::unordered_map<std::string, std::size_t> at;
  std::vector<Group> groups;
  for (auto& p : parts) {
    auto [it, inserted] = at.try_emplace(p.key(), groups.size());
    if (inserted)
      groups.push_back(std::move(p));
    else
      merge(groups[it->second], p);
  }
  return groups;
}

class PartialAggregates {
 public:
  // A used billing event / usage record (in the period, enrolled, not a duplicate): its amounts
  // enter the control totals and the row joins its group.
  void add(const BillingEvent& e, Ledger& ledger);
  void add(const UsageRecord& r, Ledger& ledger);

  std::vector<SalesGroup> take_sales() { return take(sales_, sales_at_); }
  std::vector<DisbursementGroup> take_lines() { return take(lines_, lines_at_); }
  std::vector<UsageGroup> take_usage() { return take(usage_, usage_at_); }
  std::vector<PayoutNote> take_notes() { return std::move(notes_); }

 private:
  template <class Group>
  static std::vector<Group> take(std::vector<Group>& groups, std::unordered_map<std::string, std::size_t>& at) {
    at = {};
    return std::move(groups);
  }
  template <class Group>
  void fold(std::vector<Group>& groups, std::unordered_map<std::string, std::size_t>& at, Group&& g);

  std::vector<SalesGroup> sales_;
  std::vector<DisbursementGroup> lines_;
  std::vector<UsageGroup> usage_;
  std::vector<PayoutNote> notes_;
  std::unordered_map<std::string, std::size_t> sales_at_, lines_at_, usage_at_;
};

}  // namespace ba
