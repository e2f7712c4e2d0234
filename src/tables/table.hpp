#pragma once
// An output table as the store and the deliveries see it: a schema of typed columns and rows of
// cells, grouped by seller. Every stage after aggregation works on this one representation.
#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace ba {

enum class ColumnKind : std::uint8_t {
  text,    // free text or id: formula-neutralised when rendered
  amount,  // micro-units, rendered with 6 fraction digits
  date,    // YYYY-MM-DD (or empty)
  count,   // integer
};

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::text;
};

struct TableSchema {
  std::string name;                 // "sales_compensation"
  std::vector<Column> columns;      // delivery column order
  std::vector<std::size_t> sort_by; // column indexes of the delivery sort order
};

// One cell: text and date cells use `text`, amount and count cells use `number`.
struct Cell {
  std::string text;
  std::int64_t number = 0;
  BA_FIELDS(text, number)
};

struct TableRow {
  std::string seller;  // recipient_account_id: the seller key of every output row
  std::vector<Cell> cells;
  // Not delivered, not stored: what the buyers table needs of a detail row that its cells do not
  // say (usage rows carry no payer id; products are counted by id, not code).
  std::string payer{}, product{};
  BA_FIELDS(seller, cells, payer, product)
};

// A seller this rank holds: its rows are contiguous in LocalTable::rows.
struct SellerEntry {
  std::string seller;  // seller_account_id
  std::string folder;  // its 12-digit aws_account_id (delivery folder name)
  std::int64_t rows = 0;
  BA_FIELDS(seller, folder, rows)
};

// This rank's part of one table: sellers in global order, rows grouped by seller in that order
// and sorted within each seller in delivery order.
struct LocalTable {
  const TableSchema* schema = nullptr;
  std::vector<SellerEntry> sellers;
  std::vector<TableRow> rows;
};

}  // namespace ba
