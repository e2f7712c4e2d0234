#include <unordered_map>

#include "aggregate/detail_tables.hpp"
#include "aggregate/partials.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

namespace ba {


DetailRows build_usage(const mpi::Comm& comm, std::vector<UsageGroup> parts, const Dimensions& dims,
                       const SellerRanks& ranks) {
  // Whole groups meet at the rank of their seller.
  auto groups = combine(
      mpi::shuffle(comm, std::move(parts), [&](const UsageGroup& g) { return rank_of_seller(ranks, g.seller); }));
  parts = {};
  auto resolved = attribute(comm, groups, dims, /*with_offer=*/false);

  DetailRows out;
  out.rows.resize(groups.size());
  CellPacker cells;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& g = groups[i];
    const Resolved& r = resolved[i];
    const auto& a = g.attribution;
    append_buyer_cells(cells, r.buyer);
    cells.text(r.end_customer_aws_account_id).text(r.product_code).text(r.product_title).text(a.offer);
    cells.text(g.region).text(g.dimension_key).text(g.unit).text(format_date(g.usage_date));
    cells.number(g.quantity).number(g.revenue).text(g.currency);
    TableRow& row = out.rows[i];
    row.seller = g.seller;
    row.payer = a.payer;
    row.product = a.product;
    cells.pack_into(row);
  }
  groups = {};
  return out;
}

}  // namespace ba
