#include <algorithm>
#include <unordered_map>

#include "aggregate/detail_tables.hpp"
#include "aggregate/partials.hpp"
#include "common/composite_key.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

namespace ba {


DetailRows build_disbursements(const mpi::Comm& comm, std::vector<DisbursementGroup> parts,
                               std::vector<PayoutNote> notes, const Dimensions& dims, const SellerRanks& ranks,
                               Ledger& ledger, std::vector<std::string>& mixed) {
  // Lines meet their payout (and whole groups) at the rank of their seller.
  notes = mpi::shuffle(comm, std::move(notes), [&](const PayoutNote& n) { return rank_of_seller(ranks, n.seller); });
  auto groups = combine(mpi::shuffle(comm, std::move(parts), [&](const DisbursementGroup& g) {
    return rank_of_seller(ranks, g.seller);
  }));

  struct Payout {
    Instant date = 0;
    std::string bank_trace;
    bool paid = false, failed = false;
  };
  std::unordered_map<std::string, Payout> payouts;
  for (const auto& n : notes) {
    auto& p = payouts[composite_key(n.seller, n.payout_id)];
    if (n.failure) {
      p.failed = true;
    } else {
      p.paid = true;
      p.date = n.date;
      p.bank_trace = n.bank_trace;
    }
  }

  parts = {};
  std::vector<char> keep(groups.size(), 0);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    DisbursementGroup& g = groups[i];
    const auto it = payouts.find(composite_key(g.seller, g.payout_id));
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
    keep[i] = 1;
  }

  DetailRows out;
  out.rows = rows_of_groups(comm, std::move(groups), keep, dims, /*with_offer=*/false, out.unresolved,
                            [](const DisbursementGroup& g, const Resolved& r, CellPacker& cells) {
                              const auto& a = g.attribution;
                              Micros net = 0;
                              for (Micros b : g.buckets) net = add_checked(net, b);
                              append_buyer_cells(cells, r.buyer);
                              cells.text(r.product_code).text(r.product_title);
                              for (Micros b : g.buckets) cells.number(b);
                              cells.number(net);
                              cells.text(g.currency_min).text(g.transaction_ref).text(format_date(a.as_of));
                              cells.text(g.bank_trace).text(a.payer).text(r.end_customer_aws_account_id);
                            });
  return out;
}

}  // namespace ba
