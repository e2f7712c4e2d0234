#pragma once
// The four output tables of semantics.md: columns in delivery order and the sort order.
#include <vector>

#include "tables/table.hpp"

namespace ba {

const TableSchema& sales_compensation_schema();
const TableSchema& disbursements_schema();
const TableSchema& usage_schema();
const TableSchema& buyers_schema();
// All four, in the order the store and the manifests list them.
const std::vector<const TableSchema*>& all_schemas();

// Number of buyer columns every table starts with.
inline constexpr std::size_t kBuyerColumns = 7;

}  // namespace ba
