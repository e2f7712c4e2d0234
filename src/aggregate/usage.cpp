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
  DetailRows out;
  out.rows = rows_of_groups(comm, std::move(groups), {}, dims, /*with_offer=*/false, out.unresolved,
                            [](const UsageGroup& g, const Resolved& r, CellPacker& cells) {
                              const auto& a = g.attribution;
                              append_buyer_cells(cells, r.buyer);
                              cells.text(r.end_customer_aws_account_id).text(r.product_code).text(r.product_title);
                              cells.text(a.offer).text(g.region).text(g.dimension_key).text(g.unit);
                              cells.text(format_date(g.usage_date)).number(g.quantity).number(g.revenue).text(g.currency);
                            });
  return out;
}

}  // namespace ba
