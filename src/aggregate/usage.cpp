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
  const auto resolved = attribute(comm, groups, dims, /*with_offer=*/false);

  DetailRows out;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& g = groups[i];
    const Resolved& r = resolved[i];
    const auto& a = g.attribution;
    TableRow row;
    row.seller = g.seller;
    row.payer = a.payer;
    row.product = a.product;
    auto text = [&](std::string v) { row.cells.push_back(Cell{std::move(v), 0}); };
    auto amount = [&](Micros v) { row.cells.push_back(Cell{{}, v}); };
    append_buyer_cells(row, r.buyer);
    text(r.end_customer_aws_account_id);
    text(r.product_code);
    text(r.product_title);
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
