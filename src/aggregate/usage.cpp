#include <unordered_map>

#include "aggregate/detail_tables.hpp"
#include "aggregate/partials.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

namespace ba {


DetailRows build_usage(const mpi::Comm& comm, std::vector<UsageGroup> parts, const Dimensions& dims) {
  const int ranks = comm.size();
  auto groups = combine(mpi::shuffle(comm, std::move(parts), [&](const UsageGroup& g) {
    const auto& payer = g.attribution.payer;
    return owner_of(is_partition_key(payer) ? payer : g.key(), ranks);
  }));
  parts = {};
  attribute(comm, groups, dims, /*with_offer=*/false);

  DetailRows out;
  for (const auto& g : groups) {
    const auto& a = g.attribution;
    TableRow row;
    row.seller = g.seller;
    row.payer = a.payer;
    row.product = a.product;
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
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace ba
