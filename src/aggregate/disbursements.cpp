#include <algorithm>
#include <unordered_map>

#include "aggregate/detail_tables.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

namespace ba {

namespace {

bool is_payout(const BillingEvent& e) { return e.type == TxType::disbursement && e.action == Action::disbursed; }


bool is_seller_type(TxType t) {
  return t == TxType::seller_rev_share || t == TxType::seller_rev_share_refund || t == TxType::seller_rev_share_credit ||
         t == TxType::seller_tax_share || t == TxType::seller_tax_share_refund;
}

// A payout, or the failure that cancels one: both travel to the rank of (seller, payout id).
struct PayoutNote {
  std::string seller, payout_id, bank_trace;
  Instant date = 0;
  bool failure = false;
  BA_FIELDS(seller, payout_id, bank_trace, date, failure)
};

struct DisbursementGroup {
  std::string seller, transaction_ref, payout_id;
  std::string currency_min, currency_max;
  std::array<Micros, kBuckets> buckets{};
  std::string bank_trace;  // greatest among the lines: used when the payout row has none
  Attribution attribution;  // billing_address: greatest among SELLER_* lines
  BA_FIELDS(seller, transaction_ref, payout_id, currency_min, currency_max, buckets, bank_trace, attribution)

  std::string key() const {
    return seller + '\x1f' + transaction_ref + '\x1f' + attribution.product + '\x1f' + payout_id + '\x1f' +
           attribution.end_user;
  }
};

std::string line_key(const BillingEvent& e) {
  return e.seller + '\x1f' + e.transaction_ref + '\x1f' + e.product + '\x1f' + e.disbursement_id + '\x1f' + e.end_user;
}

void keep_greatest(std::string& into, const std::string& value) {
  if (value > into) into = value;
}

DisbursementGroup from_line(const BillingEvent& e) {
  DisbursementGroup g;
  g.seller = e.seller;
  g.transaction_ref = e.transaction_ref;
  g.payout_id = e.disbursement_id;
  g.currency_min = g.currency_max = e.currency;
  // A line settling a 100 charge carries -100: the table shows what was paid out, +100.
  if (const int b = bucket_of(e.type); b >= 0) g.buckets[static_cast<std::size_t>(b)] = -e.amount;
  g.bank_trace = e.bank_trace;
  auto& a = g.attribution;
  a.product = e.product;
  a.end_user = e.end_user;
  if (is_seller_type(e.type)) a.billing_address = e.billing_address;
  if (names_payer(e.type) && e.from_account != kMarketplace) a.payer = e.from_account;
  return g;
}

void merge(DisbursementGroup& into, const DisbursementGroup& from) {
  into.currency_min = std::min(into.currency_min, from.currency_min);
  into.currency_max = std::max(into.currency_max, from.currency_max);
  add_buckets(into.buckets, from.buckets);
  keep_greatest(into.bank_trace, from.bank_trace);
  keep_greatest(into.attribution.payer, from.attribution.payer);
  keep_greatest(into.attribution.billing_address, from.attribution.billing_address);
}

std::vector<DisbursementGroup> combine(std::vector<DisbursementGroup> parts) {
  std::unordered_map<std::string, std::size_t> at;
  std::vector<DisbursementGroup> groups;
  for (auto& p : parts) {
    auto [it, inserted] = at.try_emplace(p.key(), groups.size());
    if (inserted)
      groups.push_back(std::move(p));
    else
      merge(groups[it->second], p);
  }
  return groups;
}

}  // namespace

// A DISBURSED row that settles something under a payout (decisions.md: not the payout rows).
bool is_disbursement_line(const BillingEvent& e) {
  return e.action == Action::disbursed && e.type != TxType::disbursement && e.type != TxType::disbursement_failure &&
         !e.disbursement_id.empty();
}

DetailRows build_disbursements(const mpi::Comm& comm, const std::vector<BillingEvent>& events, const Dimensions& dims,
                               Ledger& ledger) {
  std::vector<PayoutNote> notes;
  std::vector<DisbursementGroup> parts;
  for (const auto& e : events) {
    if (is_payout(e)) notes.push_back(PayoutNote{e.seller, e.id, e.bank_trace, e.invoice, false});
    if (e.type == TxType::disbursement_failure && !e.parent_id.empty())
      notes.push_back(PayoutNote{e.seller, e.parent_id, {}, 0, true});
    if (is_disbursement_line(e)) parts.push_back(from_line(e));
  }
  parts = combine(std::move(parts));

  // Lines meet their payout at the rank of (seller, payout id).
  const int ranks = comm.size();
  notes = mpi::shuffle(comm, notes, [&](const PayoutNote& n) { return owner_of(n.seller + '\x1f' + n.payout_id, ranks); });
  auto groups = combine(mpi::shuffle(comm, parts, [&](const DisbursementGroup& g) {
    return owner_of(g.seller + '\x1f' + g.payout_id, ranks);
  }));

  struct Payout {
    Instant date = 0;
    std::string bank_trace;
    bool paid = false, failed = false;
  };
  std::unordered_map<std::string, Payout> payouts;
  for (const auto& n : notes) {
    auto& p = payouts[n.seller + '\x1f' + n.payout_id];
    if (n.failure) {
      p.failed = true;
    } else {
      p.paid = true;
      p.date = n.date;
      p.bank_trace = n.bank_trace;
    }
  }

  std::vector<std::string> mixed;
  std::vector<DisbursementGroup> kept;
  for (auto& g : groups) {
    const auto it = payouts.find(g.seller + '\x1f' + g.payout_id);
    // Two currencies: rejected whatever the payout (decisions.md), so every excluded amount
    // below has one currency.
    if (g.currency_min != g.currency_max) {
      mixed.push_back(g.key());
      continue;
    }
    if (it == payouts.end() || !it->second.paid || it->second.failed) {  // not a kept payout
      Micros net = 0;
      for (Micros b : g.buckets) net = add_checked(net, b);
      ledger.amount_excluded(2, g.seller, g.currency_min, net);
      continue;
    }
    g.attribution.as_of = it->second.date;
    if (!it->second.bank_trace.empty()) g.bank_trace = it->second.bank_trace;
    kept.push_back(std::move(g));
  }
  reject_mixed_groups(comm, mixed, events, line_key, is_disbursement_line, 2, ledger);
  kept = attribute(comm, std::move(kept), dims, /*with_offer=*/false);

  const auto& schema = disbursements_schema();
  DetailRows out;
  for (const auto& g : kept) {
    const auto& a = g.attribution;
    Micros net = 0;
    for (Micros b : g.buckets) net = add_checked(net, b);
    TableRow row;
    row.seller = g.seller;
    auto text = [&](std::string v) { row.cells.push_back(Cell{std::move(v), 0}); };
    auto amount = [&](Micros v) { row.cells.push_back(Cell{{}, v}); };
    text(a.buyer.customer_aws_account_id);
    text(a.buyer.company_name);
    text(a.buyer.email_domain);
    text(a.buyer.country_code);
    text(a.buyer.state_or_region);
    text(a.buyer.city);
    text(a.buyer.postal_code);
    text(a.product_code);
    text(a.product_title);
    for (Micros b : g.buckets) amount(b);
    amount(net);
    text(g.currency_min);
    text(g.transaction_ref);
    text(format_date(a.as_of));
    text(g.bank_trace);
    text(a.payer);
    text(a.end_customer_aws_account_id);
    out.facts.push_back(
        BuyerFact{g.seller, a.payer, g.currency_min, a.product, a.as_of, 2, net, a.buyer, render_line(schema, row)});
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace ba
