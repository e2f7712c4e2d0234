#include "aggregate/partials.hpp"

#include <algorithm>
#include <utility>

#include "common/composite_key.hpp"
#include "common/error.hpp"

namespace ba {

namespace {

void keep_greatest(std::string& into, std::string_view value) {
  if (value > into) into.assign(value);
}

void keep_greatest(std::string& into, const std::string& value) {
  if (value > into) into = value;
}

bool is_seller_type(TxType t) {
  return t == TxType::seller_rev_share || t == TxType::seller_rev_share_refund || t == TxType::seller_rev_share_credit ||
         t == TxType::seller_tax_share || t == TxType::seller_tax_share_refund;
}


}  // namespace

bool feeds_sales_compensation(const BillingEvent& e) {
  return (e.action == Action::invoiced || e.action == Action::forgiven) && e.balance_impacting &&
         e.type != TxType::balance_adjustment && !is_payout_failure(e);
}

// A failure cancels its payout whatever its action (semantics.md names none). One carrying
// INVOICED would also pass the sales filter, where it adds to no bucket: a row joins one table
// only, and cancelling the payout is what moves money (decisions.md).
bool is_payout_failure(const BillingEvent& e) {
  return e.type == TxType::disbursement_failure && !e.parent_id.empty();
}

// A DISBURSED row that settles something under a payout (decisions.md: not the payout rows).
bool is_disbursement_line(const BillingEvent& e) {
  return e.action == Action::disbursed && e.type != TxType::disbursement && e.type != TxType::disbursement_failure &&
         !e.disbursement_id.empty();
}

bool is_payout(const BillingEvent& e) { return e.type == TxType::disbursement && e.action == Action::disbursed; }

std::string SalesGroup::key() const {
  return composite_key(seller, transaction_ref, attribution.product, attribution.end_user);
}
std::string DisbursementGroup::key() const {
  return composite_key(seller, transaction_ref, attribution.product, payout_id, attribution.end_user);
}
std::string UsageGroup::key() const {
  const auto& a = attribution;
  return composite_key(seller, a.payer, a.end_user, a.product, a.offer, region, dimension_key, unit, currency,
                       std::to_string(usage_date));
}

std::string sales_key(const BillingEvent& e) { return composite_key(e.seller, e.transaction_ref, e.product, e.end_user); }

std::string line_key(const BillingEvent& e) {
  return composite_key(e.seller, e.transaction_ref, e.product, e.disbursement_id, e.end_user);
}

void merge(SalesGroup& into, const SalesGroup& from) {
  into.invoice = std::max(into.invoice, from.invoice);
  into.currency_min = std::min(into.currency_min, from.currency_min);
  into.currency_max = std::max(into.currency_max, from.currency_max);
  for (std::size_t b = 0; b < into.buckets.size(); ++b) into.buckets[b] = add_checked(into.buckets[b], from.buckets[b]);
  keep_greatest(into.attribution.payer, from.attribution.payer);
  keep_greatest(into.attribution.billing_address, from.attribution.billing_address);
  keep_greatest(into.attribution.offer, from.attribution.offer);
}

void merge(DisbursementGroup& into, const DisbursementGroup& from) {
  into.currency_min = std::min(into.currency_min, from.currency_min);
  into.currency_max = std::max(into.currency_max, from.currency_max);
  for (std::size_t b = 0; b < into.buckets.size(); ++b) into.buckets[b] = add_checked(into.buckets[b], from.buckets[b]);
  keep_greatest(into.bank_trace, from.bank_trace);
  keep_greatest(into.attribution.payer, from.attribution.payer);
  keep_greatest(into.attribution.billing_address, from.attribution.billing_address);
}

void merge(UsageGroup& into, const UsageGroup& from) {
  into.quantity = add_checked(into.quantity, from.quantity);
  into.revenue = add_checked(into.revenue, from.revenue);
}

PartialAggregates::PartialAggregates() = default;
PartialAggregates::~PartialAggregates() = default;
PartialAggregates::PartialAggregates(PartialAggregates&&) noexcept = default;
PartialAggregates& PartialAggregates::operator=(PartialAggregates&&) noexcept = default;

namespace {
Folded folded(Folded::Kind kind, std::size_t index) {
  ensure(index <= std::numeric_limits<std::uint32_t>::max(), "fewer than 2^32 partial groups of a kind on a rank");
  return Folded{kind, static_cast<std::uint32_t>(index)};
}
}  // namespace

Folded PartialAggregates::add(const BillingEvent& e, Ledger& ledger) {
  const int bucket = bucket_of(e.type);
  if (feeds_sales_compensation(e)) {
    if (bucket >= 0) ledger.amount_in(1, e.seller, e.currency, e.amount);
    // Fast path: most rows join a group this rank has seen (the rows of a transaction are near).
    const GroupKey<4> key{{e.seller, e.transaction_ref, e.product, e.end_user}};  // as SalesGroup::group_key
    const std::size_t at =
        sales_at_.find_or_add(key.hash(), sales_.size(), [&](std::size_t j) { return sales_[j].group_key() == key; });
    if (at < sales_.size()) {
      auto& g = sales_[at];
      g.invoice = std::max(g.invoice, e.invoice);
      if (e.currency < g.currency_min) g.currency_min.assign(e.currency);
      if (e.currency > g.currency_max) g.currency_max.assign(e.currency);
      if (bucket >= 0) g.buckets[static_cast<std::size_t>(bucket)] = add_checked(g.buckets[static_cast<std::size_t>(bucket)], e.amount);
      if (names_payer(e.type) && e.from_account != kMarketplace) keep_greatest(g.attribution.payer, e.from_account);
      keep_greatest(g.attribution.billing_address, e.billing_address);
      keep_greatest(g.attribution.offer, e.offer);
      return folded(Folded::sales, at);
    }
    SalesGroup g;
    g.seller = e.seller;
    g.transaction_ref = e.transaction_ref;
    g.invoice = e.invoice;
    g.currency_min = g.currency_max = e.currency;
    if (bucket >= 0) g.buckets[static_cast<std::size_t>(bucket)] = e.amount;
    auto& a = g.attribution;
    a.product = e.product;
    a.end_user = e.end_user;
    a.offer = e.offer;
    a.billing_address = e.billing_address;
    if (names_payer(e.type) && e.from_account != kMarketplace) a.payer = e.from_account;
    sales_.push_back(std::move(g));  // at the position find_or_add recorded
    return folded(Folded::sales, at);
  }
  // A row is at most one of a payout, a failure and a line (their types differ).
  if (is_payout(e)) {
    notes_.push_back(PayoutNote{std::string(e.seller), std::string(e.id), std::string(e.bank_trace), e.invoice, false});
    return folded(Folded::note, notes_.size() - 1);
  }
  if (is_payout_failure(e)) {
    notes_.push_back(PayoutNote{std::string(e.seller), std::string(e.parent_id), {}, 0, true});
    return folded(Folded::note, notes_.size() - 1);
  }
  if (is_disbursement_line(e)) {
    // A line settling a 100 charge carries -100: the table shows what was paid out, +100.
    if (bucket >= 0) ledger.amount_in(2, e.seller, e.currency, -e.amount);
    DisbursementGroup g;
    g.seller = e.seller;
    g.transaction_ref = e.transaction_ref;
    g.payout_id = e.disbursement_id;
    g.currency_min = g.currency_max = e.currency;
    if (bucket >= 0) g.buckets[static_cast<std::size_t>(bucket)] = -e.amount;
    g.bank_trace = e.bank_trace;
    auto& a = g.attribution;
    a.product = e.product;
    a.end_user = e.end_user;
    if (is_seller_type(e.type)) a.billing_address = e.billing_address;
    if (names_payer(e.type) && e.from_account != kMarketplace) a.payer = e.from_account;
    return folded(Folded::line, fold_into(lines_, lines_at_, std::move(g)));
  }
  return {};
}

Folded PartialAggregates::add(const UsageRecord& r, Ledger& ledger) {
  ledger.amount_in(3, r.seller, r.currency, r.revenue);
  UsageGroup g;
  g.seller = r.seller;
  g.region = r.region;
  g.dimension_key = r.dimension_key;
  g.unit = r.unit;
  g.currency = r.currency;
  g.usage_date = r.usage_date;
  g.quantity = r.quantity;
  g.revenue = r.revenue;
  auto& a = g.attribution;
  a.payer = r.payer;
  a.end_user = r.end_user;
  a.product = r.product;
  a.offer = r.offer;
  a.as_of = r.usage_date;
  return folded(Folded::usage, fold_into(usage_, usage_at_, std::move(g)));
}

// The amounts add() counted in, counted out again.
void PartialAggregates::withdraw(const BillingEvent& e, Folded f, Ledger& ledger) {
  if (const int bucket = bucket_of(e.type); bucket >= 0) {
    if (f.kind == Folded::sales) ledger.amount_withdrawn(1, e.seller, e.currency, e.amount);
    if (f.kind == Folded::line) ledger.amount_withdrawn(2, e.seller, e.currency, -e.amount);
  }
}

void PartialAggregates::withdraw(const UsageRecord& r, Folded f, Ledger& ledger) {
  if (f.kind == Folded::usage) ledger.amount_withdrawn(3, r.seller, r.currency, r.revenue);
}

void PartialAggregates::mark(Folded f) {
  if (f.kind == Folded::none) return;
  auto& m = marked_[f.kind];
  if (m.size() <= f.index) m.resize(std::max<std::size_t>(f.index + 1, 2 * m.size()));
  m[f.index] = true;
}

template <class Row>
void PartialAggregates::refold_row(const Row& row, Folded f) {
  ensure(marked(f), "a refolded row belongs to a marked group");
  if (!refolded_) {
    refolded_ = std::make_unique<PartialAggregates>();
    refold_ledger_ = std::make_unique<Ledger>();
  }
  const Folded into = refolded_->add(row, *refold_ledger_);
  ensure(into.kind == f.kind, "a refolded row joins a group of the same table");
  auto& replaces = replaces_[f.kind];
  if (replaces.size() <= into.index) replaces.resize(into.index + 1);
  replaces[into.index] = f.index;
}

void PartialAggregates::refold(const BillingEvent& e, Folded f) { refold_row(e, f); }
void PartialAggregates::refold(const UsageRecord& r, Folded f) { refold_row(r, f); }

namespace {
// Puts each refolded group in the place of the marked group it replaces; drops the marked items
// nothing replaced, keeping the order of the others.
template <class Item>
void replace_marked(std::vector<Item>& items, const std::vector<bool>& marked, std::vector<Item>&& refolded,
                    const std::vector<std::uint32_t>& replaces) {
  std::vector<bool> dropped(std::min(marked.size(), items.size()));
  for (std::size_t i = 0; i < dropped.size(); ++i) dropped[i] = marked[i];
  for (std::size_t j = 0; j < refolded.size(); ++j) {
    items[replaces[j]] = std::move(refolded[j]);
    dropped[replaces[j]] = false;
  }
  if (std::find(dropped.begin(), dropped.end(), true) == dropped.end()) return;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i < dropped.size() && dropped[i]) continue;
    if (kept != i) items[kept] = std::move(items[i]);
    ++kept;
  }
  items.erase(items.begin() + static_cast<std::ptrdiff_t>(kept), items.end());
}
}  // namespace

void PartialAggregates::finish_undo() {
  PartialAggregates none;
  PartialAggregates& refolded = refolded_ ? *refolded_ : none;
  ensure(refolded.notes_.empty(), "rows of groups carry no payout notes");
  replace_marked(sales_, marked_[Folded::sales], std::move(refolded.sales_), replaces_[Folded::sales]);
  replace_marked(lines_, marked_[Folded::line], std::move(refolded.lines_), replaces_[Folded::line]);
  replace_marked(usage_, marked_[Folded::usage], std::move(refolded.usage_), replaces_[Folded::usage]);
  replace_marked(notes_, marked_[Folded::note], std::vector<PayoutNote>{}, {});
  // Positions moved: the indexes are stale, and nothing is added any more.
  sales_at_ = {};
  lines_at_ = {};
  usage_at_ = {};
  marked_ = {};
  replaces_ = {};
  refolded_.reset();
  refold_ledger_.reset();
}

}  // namespace ba
