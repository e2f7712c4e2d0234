#pragma once
// The three detail tables and the buyers table of semantics.md, computed across ranks.
#include <string>
#include <unordered_map>
#include <vector>

#include "aggregate/attribution.hpp"
#include "aggregate/partials.hpp"
#include "ingest/ledger.hpp"
#include "ingest/rows.hpp"
#include "mpi/comm.hpp"
#include "tables/table.hpp"

namespace ba {

struct DetailRows {
  std::vector<TableRow> rows;  // on their seller's rank (SellerRanks)
};

// The seven buyer columns every table starts with.
inline void append_buyer_cells(CellPacker& cells, const BuyerColumns& b) {
  for (const std::string* v : {&b.customer_aws_account_id, &b.company_name, &b.email_domain, &b.country_code,
                               &b.state_or_region, &b.city, &b.postal_code})
    cells.text(*v);
}

// The rank that delivers a seller: every group of the seller goes there, so its rows are built
// where they are stored and exported (no shuffle of finished rows).
using SellerRanks = std::unordered_map<std::string, int, StringHash, std::equal_to<>>;

// Each builder takes this rank's partial groups (PartialAggregates), moves them to their
// seller's rank and returns the table's rows there. Groups that mix two currencies are left out
// and their keys appended to `mixed`: the caller rejects their rows (which only the ranks that
// read them can name).
DetailRows build_sales_compensation(const mpi::Comm& comm, std::vector<SalesGroup> parts, const Dimensions& dims,
                                    const SellerRanks& ranks, std::vector<std::string>& mixed);
// Lines of payouts that were not kept are recorded as excluded amounts in `ledger`.
DetailRows build_disbursements(const mpi::Comm& comm, std::vector<DisbursementGroup> parts,
                               std::vector<PayoutNote> notes, const Dimensions& dims, const SellerRanks& ranks,
                               Ledger& ledger, std::vector<std::string>& mixed);
DetailRows build_usage(const mpi::Comm& comm, std::vector<UsageGroup> parts, const Dimensions& dims,
                       const SellerRanks& ranks);

// The rank of a seller's groups (every seller with groups has one).
inline int rank_of_seller(const SellerRanks& ranks, std::string_view seller) {
  const auto it = ranks.find(seller);
  ensure(it != ranks.end(), "a group of a seller that no rank delivers");
  return it->second;
}

// Plain: the buyers rows of the detail rows (sales_compensation, disbursements, usage) of sellers
// held here, any order.
std::vector<TableRow> build_buyers(const std::vector<TableRow>& sales, const std::vector<TableRow>& disbursements,
                                   const std::vector<TableRow>& usage);

}  // namespace ba
