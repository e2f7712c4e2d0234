#include <algorithm>
#include <unordered_map>

#include "aggregate/detail_tables.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

namespace ba {

namespace {

// One (seller, transaction_reference_id, product_id, end_user_account_id) group, partial or whole.
struct SalesGroup {
  std::string seller, transaction_ref;
  Instant invoice = 0;
  std::string currency_min, currency_max;  // differ: the group mixes currencies
  std::array<Micros, kBuckets> buckets{};
  Attribution attribution;  // payer, billing address and offer: the greatest value seen
  BA_FIELDS(seller, transaction_ref, invoice, currency_min, currency_max, buckets, attribution)

  std::string key() const {
    return seller + '\x1f' + transaction_ref + '\x1f' + attribution.product + '\x1f' + attribution.end_user;
  }
};

std::string event_key(const BillingEvent& e) {
  return e.seller + '\x1f' + e.transaction_ref + '\x1f' + e.product + '\x1f' + e.end_user;
}

void keep_greatest(std::string& into, const std::string& value) {
  if (value > into) into = value;
}

void merge(SalesGroup& into, const SalesGroup& from) {
  into.invoice = std::max(into.invoice, from.invoice);
  into.currency_min = std::min(into.currency_min, from.currency_min);
  into.currency_max = std::max(into.currency_max, from.currency_max);
  add_buckets(into.buckets, from.buckets);
  keep_greatest(into.attribution.payer, from.attribution.payer);
  keep_greatest(into.attribution.billing_address, from.attribution.billing_address);
  keep_greatest(into.attribution.offer, from.attribution.offer);
}

SalesGroup from_event(const BillingEvent& e) {
  SalesGroup g;
  g.seller = e.seller;
  g.transaction_ref = e.transaction_ref;
  g.invoice = e.invoice;
  g.currency_min = g.currency_max = e.currency;
  if (const int b = bucket_of(e.type); b >= 0) g.buckets[static_cast<std::size_t>(b)] = e.amount;
  auto& a = g.attribution;
  a.product = e.product;
  a.end_user = e.end_user;
  a.offer = e.offer;
  a.billing_address = e.billing_address;
  if (names_payer(e.type) && e.from_account != kMarketplace) a.payer = e.from_account;
  return g;
}

// Partial sums per group on this rank, so a busy buyer ships one row, not thousands.
std::vector<SalesGroup> combine(std::vector<SalesGroup> parts) {
  std::unordered_map<std::string, std::size_t> at;
  std::vector<SalesGroup> groups;
  for (auto& p : parts) {
    auto [it, inserted] = at.try_emplace(p.key(), groups.size());
    if (inserted)
      groups.push_back(std::move(p));
    else
      merge(groups[it->second], p);
  }
  return groups;
}

Micros net_of(const std::array<Micros, kBuckets>& buckets) {
  Micros net = 0;
  for (Micros b : buckets) net = add_checked(net, b);
  return net;
}

}  // namespace

DetailRows build_sales_compensation(const mpi::Comm& comm, const std::vector<BillingEvent>& events,
                                    const Dimensions& dims, Ledger& ledger) {
  std::vector<SalesGroup> parts;
  for (const auto& e : events)
    if (feeds_sales_compensation(e)) parts.push_back(from_event(e));
  parts = combine(std::move(parts));

  // Whole groups meet at the rank of their end customer (the buyer account they are about).
  const int ranks = comm.size();
  auto groups = combine(mpi::shuffle(comm, parts, [&](const SalesGroup& g) {
    const auto& eu = g.attribution.end_user;
    return owner_of(is_partition_key(eu) ? eu : g.seller + '\x1f' + g.transaction_ref, ranks);
  }));

  std::vector<std::string> mixed;
  std::vector<SalesGroup> kept;
  for (auto& g : groups) {
    if (g.currency_min != g.currency_max) {
      mixed.push_back(g.key());
      continue;
    }
    if (net_of(g.buckets) == 0) continue;  // a forgiven invoice nets to zero: not a row
    g.attribution.as_of = g.invoice;
    kept.push_back(std::move(g));
  }
  reject_mixed_groups(comm, mixed, events, event_key, feeds_sales_compensation, 1, ledger);

  kept = attribute(comm, std::move(kept), dims, /*with_offer=*/true);

  const auto& schema = sales_compensation_schema();
  DetailRows out;
  for (const auto& g : kept) {
    const auto& a = g.attribution;
    const Micros net = net_of(g.buckets);
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
    text(a.offer);
    text(a.opportunity_name);
    for (Micros b : g.buckets) amount(b);
    amount(net);
    text(g.currency_min);
    text(format_month(g.invoice));
    text(format_date(g.invoice));
    text(g.transaction_ref);
    text(a.payer);
    text(a.end_customer_aws_account_id);
    out.facts.push_back(BuyerFact{g.seller, a.payer, g.currency_min, a.product, g.invoice, 1, net, a.buyer,
                                  render_line(schema, row)});
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace ba
