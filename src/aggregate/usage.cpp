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
  auto resolved = attribute(comm, groups, dims, /*with_offer=*/false);

  DetailRows out;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    auto& g = groups[i];  // moved from: each group becomes its row
    Resolved& r = resolved[i];
    auto& a = g.attribution;
    TableRow row;
    row.seller = g.seller;
    row.cells.reserve(usage_schema().columns.size());
    row.payer = a.payer;
    row.product = a.product;
    auto text = [&](std::string v) { row.cells.push_back(Cell{std::move(v), 0}); };
    auto amount = [&](Micros v) { row.cells.push_back(Cell{{}, v}); };
    append_buyer_cells(row, std::move(r.buyer));
    text(std::move(r.end_customer_aws_account_id));
    text(std::move(r.product_code));
    text(std::move(r.product_title));
    text(std::move(a.offer));
    text(std::move(g.region));
    text(std::move(g.dimension_key));
    text(std::move(g.unit));
    text(format_date(g.usage_date));
    amount(g.quantity);
    amount(g.revenue);
    text(g.currency);
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace ba
