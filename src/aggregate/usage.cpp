#include <unordered_map>

#include "aggregate/detail_tables.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

namespace ba {

namespace {

struct UsageGroup {
  std::string seller, region, dimension_key, unit, currency;
  Instant usage_date = 0;
  Micros quantity = 0, revenue = 0;
  Attribution attribution;  // payer, end user, product, offer are part of the key
  BA_FIELDS(seller, region, dimension_key, unit, currency, usage_date, quantity, revenue, attribution)

  std::string key() const {
    const auto& a = attribution;
    return seller + '\x1f' + a.payer + '\x1f' + a.end_user + '\x1f' + a.product + '\x1f' + a.offer + '\x1f' + region +
           '\x1f' + dimension_key + '\x1f' + unit + '\x1f' + currency + '\x1f' + std::to_string(usage_date);
  }
};

UsageGroup from_record(const UsageRecord& r) {
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
  return g;
}

std::vector<UsageGroup> combine(std::vector<UsageGroup> parts) {
  std::unordered_map<std::string, std::size_t> at;
  std::vector<UsageGroup> groups;
  for (auto& p : parts) {
    auto [it, inserted] = at.try_emplace(p.key(), groups.size());
    if (inserted) {
      groups.push_back(std::move(p));
    } else {
      auto& g = groups[it->second];
      g.quantity = add_checked(g.quantity, p.quantity);
      g.revenue = add_checked(g.revenue, p.revenue);
    }
  }
  return groups;
}

}  // namespace

DetailRows build_usage(const mpi::Comm& comm, const std::vector<UsageRecord>& records, const Dimensions& dims) {
  std::vector<UsageGroup> parts;
  parts.reserve(records.size());
  for (const auto& r : records) parts.push_back(from_record(r));
  parts = combine(std::move(parts));
  const int ranks = comm.size();
  auto groups = combine(mpi::shuffle(comm, parts, [&](const UsageGroup& g) {
    const auto& payer = g.attribution.payer;
    return owner_of(is_partition_key(payer) ? payer : g.key(), ranks);
  }));
  groups = attribute(comm, std::move(groups), dims, /*with_offer=*/false);

  const auto& schema = usage_schema();
  DetailRows out;
  for (const auto& g : groups) {
    const auto& a = g.attribution;
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
    text(a.end_customer_aws_account_id);
    text(a.product_code);
    text(a.product_title);
    text(a.offer);
    text(g.region);
    text(g.dimension_key);
    text(g.unit);
    text(format_date(g.usage_date));
    amount(g.quantity);
    amount(g.revenue);
    text(g.currency);
    out.facts.push_back(
        BuyerFact{g.seller, a.payer, g.currency, a.product, g.usage_date, 3, g.revenue, a.buyer, render_line(schema, row)});
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace ba
