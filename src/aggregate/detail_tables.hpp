#pragma once
// The three detail tables and the buyers table of semantics.md, computed across ranks.
#include <algorithm>
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
  UnresolvedCounts unresolved;  // of these rows (this rank's)
};

// The seven buyer columns every table starts with.
inline void append_buyer_cells(CellPacker& cells, const BuyerColumns& b) {
  for (const std::string_view v : {b.customer_aws_account_id, b.company_name, b.email_domain, b.country_code,
                                   b.state_or_region, b.city, b.postal_code})
    cells.text(v);
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

// Collective: attributes whole groups and makes their rows (cells appended by
// append_cells(group, resolved, packer)), a slice of groups at a time, so only one slice's join
// answers exist at once and each group is freed as soon as its row is made: the rows grow
// while the groups shrink. Every rank runs the same number of slices. Only the groups whose
// `keep` flag is set make rows (all of them when `keep` is empty): the others are skipped where
// they lie, not filtered out first (moving every group after the first one dropped cost a tenth
// of the phase).
// The rows' keys that resolved to nothing are counted in `unresolved`.
template <class Group, class AppendCells>
std::vector<TableRow> rows_of_groups(const mpi::Comm& comm, std::vector<Group> groups, const std::vector<char>& keep,
                                     const Dimensions& dims, bool with_offer, UnresolvedCounts& unresolved,
                                     AppendCells append_cells) {
  ensure(keep.empty() || keep.size() == groups.size(), "one keep flag per group");
  const auto kept = [&](std::size_t i) { return keep.empty() || keep[i] != 0; };
  std::size_t rows_made = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) rows_made += kept(i) ? 1 : 0;
  constexpr std::size_t kSlice = std::size_t{1} << 18;
  const auto slices = comm.max(static_cast<std::int64_t>((groups.size() + kSlice - 1) / kSlice));
  std::vector<TableRow> rows(rows_made);
  std::size_t next_row = 0;
  CellPacker cells;
  std::vector<const Attribution*> items;
  for (std::int64_t s = 0; s < slices; ++s) {
    const std::size_t begin = std::min(groups.size(), static_cast<std::size_t>(s) * kSlice);
    const std::size_t end = std::min(groups.size(), begin + kSlice);
    items.clear();
    for (std::size_t i = begin; i < end; ++i)
      if (kept(i)) items.push_back(&groups[i].attribution);
    const Attributed resolved = attribute_items(comm, items, dims, with_offer);
    std::size_t item = 0;
    for (std::size_t i = begin; i < end; ++i) {
      Group& g = groups[i];
      if (kept(i)) {
        unresolved.count(resolved.items[item].unresolved);
        append_cells(static_cast<const Group&>(g), resolved.items[item++], cells);
        // The literal AWS is the marketplace, never a buyer (feeds.md): a usage row whose payer_account_id
        // is AWS joins the seller's rows without a payer in buyers, as a billing row's AWS payer does.
        const std::string_view payer = g.attribution.payer;
        cells.hidden(is_partition_key(payer) ? payer : std::string_view{}, g.attribution.product);
        TableRow& row = rows[next_row++];
        row.seller = std::move(g.seller);
        cells.pack_into(row);
      }
      g = Group{};
    }
  }
  return rows;
}

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
