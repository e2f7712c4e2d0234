#include <algorithm>
#include <unordered_map>

#include "aggregate/detail_tables.hpp"
#include "aggregate/partials.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

namespace ba {

namespace {

Micros net_of(const std::array<Micros, kBuckets>& buckets) {
  Micros net = 0;
  for (Micros b : buckets) net = add_checked(net, b);
  return net;
}

}  // namespace

DetailRows build_sales_compensation(const mpi::Comm& comm, std::vector<SalesGroup> parts, const Dimensions& dims,
                                    const SellerRanks& ranks, std::vector<std::string>& mixed) {
  // Whole groups meet at the rank of their seller.
  auto groups = combine(
      mpi::shuffle(comm, std::move(parts), [&](const SalesGroup& g) { return rank_of_seller(ranks, g.seller); }));

  parts = {};
  std::vector<char> keep(groups.size(), 0);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    SalesGroup& g = groups[i];
    if (g.currency_min != g.currency_max) {
      mixed.push_back(g.key());
      continue;
    }
    if (net_of(g.buckets) == 0) continue;  // a forgiven invoice nets to zero: not a row
    g.attribution.as_of = g.invoice;
    keep[i] = 1;
  }

  DetailRows out;
  out.rows = rows_of_groups(comm, std::move(groups), keep, dims, /*with_offer=*/true, out.unresolved,
                            [](const SalesGroup& g, const Resolved& r, CellPacker& cells) {
                              const auto& a = g.attribution;
                              append_buyer_cells(cells, r.buyer);
                              cells.text(r.product_code).text(r.product_title).text(a.offer).text(r.opportunity_name);
                              for (Micros b : g.buckets) cells.number(b);
                              cells.number(net_of(g.buckets));
                              cells.text(g.currency_min).text(format_month(g.invoice)).text(format_date(g.invoice));
                              cells.text(g.transaction_ref).text(a.payer).text(r.end_customer_aws_account_id);
                            });
  return out;
}

}  // namespace ba
