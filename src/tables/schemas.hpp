#pragma once
// The four output tables of semantics.md: columns in delivery order and the sort order.
#include <string>
#include <string_view>
#include <vector>

#include "tables/table.hpp"

namespace ba {

const TableSchema& sales_compensation_schema();
const TableSchema& disbursements_schema();
const TableSchema& usage_schema();
const TableSchema& buyers_schema();
// All four, in the order the store and the manifests list them.
const std::vector<const TableSchema*>& all_schemas();

// A schema whose delivery order sorts by the named columns (each must exist).
TableSchema make_schema(std::string name, std::vector<Column> columns, const std::vector<std::string>& sort_names);
// The index of a column (an internal error if the schema has no such column).
std::size_t column_index(const TableSchema& schema, std::string_view name);

// Number of buyer columns every table starts with.
inline constexpr std::size_t kBuyerColumns = 7;

}  // namespace ba
