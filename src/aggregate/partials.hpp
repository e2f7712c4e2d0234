#pragma once
// The groups of the detail tables, and the per-rank streaming combiner that folds every used
// fact row into its group as the row is read: a rank keeps groups, never rows, and a busy buyer
// ships one partial group per rank instead of thousands of rows.
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aggregate/attribution.hpp"
#include "common/group_index.hpp"
#include "common/memory.hpp"
#include "ingest/ledger.hpp"
#include "ingest/rows.hpp"

namespace ba {

// A group's key as views of its fields, hashed and compared field by field: no joined key string
// is built per row or group. Equal exactly when every field is (as the composite key() strings).
template <std::size_t N>
struct GroupKey {
  std::array<std::string_view, N> fields;
  Instant instant = 0;  // the usage key's usage_date

  bool operator==(const GroupKey& other) const { return instant == other.instant && fields == other.fields; }

  std::uint64_t hash() const {
    auto h = static_cast<std::uint64_t>(instant);
    for (const auto f : fields) {
      h = (h ^ std::hash<std::string_view>{}(f)) * 0x9e3779b97f4a7c15ULL;
      h ^= h >> 32;
    }
    return h;
  }
};

// One (seller, transaction_reference_id, product_id, end_user_account_id) group, partial or whole.
struct SalesGroup {
  std::string seller, transaction_ref;
  Instant invoice = 0;
  std::string currency_min, currency_max;  // differ: the group mixes currencies
  std::array<Micros, kBuckets> buckets{};
  Attribution attribution;  // payer, billing address and offer: the greatest value seen
  BA_FIELDS(seller, transaction_ref, invoice, currency_min, currency_max, buckets, attribution)
  std::string key() const;
  GroupKey<4> group_key() const { return {{seller, transaction_ref, attribution.product, attribution.end_user}}; }
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
  GroupKey<5> group_key() const {
    return {{seller, transaction_ref, attribution.product, payout_id, attribution.end_user}};
  }
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
  GroupKey<9> group_key() const {
    const auto& a = attribution;
    return {{seller, a.payer, a.end_user, a.product, a.offer, region, dimension_key, unit, currency}, usage_date};
  }
};

// Which billing events feed which table (semantics.md).
bool feeds_sales_compensation(const BillingEvent& e);
bool is_disbursement_line(const BillingEvent& e);
bool is_payout(const BillingEvent& e);
bool is_payout_failure(const BillingEvent& e);
// The group key of an event in its table (the same string SalesGroup/DisbursementGroup::key give).
std::string sales_key(const BillingEvent& e);
std::string line_key(const BillingEvent& e);

void merge(SalesGroup& into, const SalesGroup& from);
void merge(DisbursementGroup& into, const DisbursementGroup& from);
void merge(UsageGroup& into, const UsageGroup& from);

// Folds `g` into the group of its key in `groups`, or appends it as a new group; returns where.
template <class Group>
std::size_t fold_into(std::vector<Group>& groups, GroupIndex& at, Group&& g) {
  const auto key = g.group_key();
  const std::size_t i =
      at.find_or_add(key.hash(), groups.size(), [&](std::size_t j) { return groups[j].group_key() == key; });
  if (i == groups.size())
    groups.push_back(std::move(g));
  else
    merge(groups[i], g);
  return i;
}

// Folds groups with the same key (partials from several ranks), in order of first appearance.
// In place: the first of each key moves forward to the next free position (always at or before
// its own), the others merge into it, so no second array of groups is ever held.
template <class Group>
std::vector<Group> combine(std::vector<Group> parts) {
  GroupIndex at;
  at.reserve(parts.size());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto key = parts[i].group_key();
    const std::size_t j =
        at.find_or_add(key.hash(), kept, [&](std::size_t k) { return parts[k].group_key() == key; });
    if (j < kept) {
      merge(parts[j], parts[i]);
      continue;
    }
    if (j != i) parts[j] = std::move(parts[i]);
    ++kept;
  }
  parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(kept), parts.end());
  return parts;
}

// Where add() put a row: the group or payout note it joined (none: the row feeds no table).
struct Folded {
  enum Kind : std::uint8_t { none, sales, line, usage, note };
  static constexpr std::size_t kKinds = 5;
  Kind kind = none;
  std::uint32_t index = 0;
};

class PartialAggregates {
 public:
  PartialAggregates();
  ~PartialAggregates();
  PartialAggregates(PartialAggregates&&) noexcept;
  PartialAggregates& operator=(PartialAggregates&&) noexcept;

  // A used billing event / usage record (in the period, enrolled, not a duplicate): its amounts
  // enter the control totals and the row joins its group.
  Folded add(const BillingEvent& e, Ledger& ledger);
  Folded add(const UsageRecord& r, Ledger& ledger);

  // Each fact feed is read once: a row is added before the ranks have agreed which row wins its
  // key. The rows that then lose are undone in three steps:
  // - mark(where add put it) for each of them: its group or note is marked;
  // - withdraw(row, where) for each of them: its amounts leave the control totals; and
  //   refold(row, where) for every winning row whose group is marked (marked()), in any order;
  // - finish_undo(): each marked group is replaced, in its place, by the one its winning rows
  //   refolded into; marked groups left with no row and marked notes go.
  // Groups take no rows after finish_undo(), only take_*().
  void mark(Folded f);
  bool marked(Folded f) const {
    const auto& m = marked_[f.kind];
    return f.kind != Folded::none && f.index < m.size() && m[f.index];
  }
  void withdraw(const BillingEvent& e, Folded f, Ledger& ledger);
  void withdraw(const UsageRecord& r, Folded f, Ledger& ledger);
  void refold(const BillingEvent& e, Folded f);
  void refold(const UsageRecord& r, Folded f);
  void finish_undo();

  // Room for as many groups of each kind as rows may feed them (a bound; 0 leaves a kind as it
  // is), reserved before the rows come (when the system grants it): the groups never move to a
  // grown array, so each page of them is touched once (fresh pages are slow to fault in), and
  // untouched room costs no memory.
  void reserve(std::size_t sales_rows, std::size_t line_rows, std::size_t usage_rows) {
    reserve_if_granted(sales_, sales_rows);
    reserve_if_granted(lines_, line_rows);
    reserve_if_granted(usage_, usage_rows);
  }

  std::vector<SalesGroup> take_sales() { return take(sales_, sales_at_); }
  std::vector<DisbursementGroup> take_lines() { return take(lines_, lines_at_); }
  std::vector<UsageGroup> take_usage() { return take(usage_, usage_at_); }
  std::vector<PayoutNote> take_notes() { return std::move(notes_); }

 private:
  template <class Group>
  static std::vector<Group> take(std::vector<Group>& groups, GroupIndex& at) {
    at = {};
    return std::move(groups);
  }

  template <class Row>
  void refold_row(const Row& row, Folded f);

  std::vector<SalesGroup> sales_;
  std::vector<DisbursementGroup> lines_;
  std::vector<UsageGroup> usage_;
  std::vector<PayoutNote> notes_;
  GroupIndex sales_at_, lines_at_, usage_at_;
  // Undoing rows that lost their key (see undo): by Folded::Kind, the marked groups and notes,
  // the groups refolded from their winning rows, and the marked group each of those replaces.
  std::array<std::vector<bool>, Folded::kKinds> marked_;
  std::unique_ptr<PartialAggregates> refolded_;
  std::unique_ptr<Ledger> refold_ledger_;  // the winning rows' amounts were counted when added
  std::array<std::vector<std::uint32_t>, Folded::kKinds> replaces_;
};

}  // namespace ba
