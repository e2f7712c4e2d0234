#pragma once
// The sellers of a run: which rank delivers each, and the seller indexes a re-export reads from
// a store. Plain logic.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tables/table.hpp"

namespace ba {

// The four tables every enrolled seller gets (deliverable_schemas() lists them first; the
// representative tables follow).
constexpr std::size_t kBuyersTables = 4;

// Contiguous ranges of sellers (in seller order) per rank, balanced by weight: each seller goes
// to the rank whose equal share of the total weight holds the middle of the seller's weight.
std::vector<int> assign_by_weight(int ranks, const std::vector<std::int64_t>& weight);

// The store is an input to a re-export. Its writer lists every seller, with its folder, in each of
// the four tables' indexes in one order, and the sellers with representative tables alike in
// both of theirs. Anything else would put one seller's rows in another's folder (a folder given
// twice), or deliver a seller without one of its tables: bad input, named.
// `indexes` holds every deliverable table's index, whole, in deliverable_schemas() order.
void check_store_sellers(const std::string& store_path, const std::vector<std::vector<SellerEntry>>& indexes);

}  // namespace ba
