#pragma once
// An output table as the store and the deliveries see it: a schema of typed columns and rows of
// cells, grouped by seller. Every stage after aggregation works on this one representation.
#include <cstdint>
#include <cstring>
#include <string_view>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/error.hpp"

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

// One cell, unpacked: text and date cells use `text`, amount and count cells use `number`.
struct Cell {
  std::string text;
  std::int64_t number = 0;
  BA_FIELDS(text, number)
};

class CellPacker;

// One output row. Its cells live packed in one buffer, because a table holds millions of rows
// that move between ranks, sort and render: one allocation per row instead of one per cell, and
// a shuffle copies four strings instead of thirty.
//   cells_ = [uint32 count][uint32 end of each cell's bytes][the cells' bytes]
// A text or date cell's bytes are its text; an amount or count cell's bytes are its int64 (none
// when 0). The schema says which a column is: `text(c)` and `number(c)` read the same bytes.
class TableRow {
 public:
  std::string seller;  // recipient_account_id: the seller key of every output row
  // Not delivered, not stored: what the buyers table needs of a detail row that its cells do not
  // say (usage rows carry no payer id; products are counted by id, not code).
  std::string payer{}, product{};

  std::size_t size() const { return cells_.empty() ? 0 : read_u32(0); }
  std::string_view raw(std::size_t c) const {
    const std::size_t n = size();
    const std::size_t begin = c == 0 ? 0 : read_u32(4 * c);
    const std::size_t end = read_u32(4 * (c + 1));
    return std::string_view(cells_).substr(4 * (n + 1) + begin, end - begin);
  }
  std::string_view text(std::size_t c) const { return raw(c); }
  std::int64_t number(std::size_t c) const {
    const auto bytes = raw(c);
    std::int64_t v = 0;
    if (bytes.size() == sizeof v) std::memcpy(&v, bytes.data(), sizeof v);
    return v;
  }
  // Tests and small tables: rows from unpacked cells (a cell is text if its text is not empty,
  // else its number), and back, given the row's schema.
  static TableRow from_cells(std::string seller, const std::vector<Cell>& cells);
  std::vector<Cell> unpack(const TableSchema& schema) const;

  BA_FIELDS(seller, cells_, payer, product)

 private:
  friend class CellPacker;
  std::uint32_t read_u32(std::size_t at) const {
    std::uint32_t v = 0;
    std::memcpy(&v, cells_.data() + at, sizeof v);
    return v;
  }
  std::string cells_;
};

// Builds rows cell by cell; reused across rows, it keeps its buffers.
class CellPacker {
 public:
  CellPacker& text(std::string_view v) {
    bytes_.append(v);
    return end_cell();
  }
  CellPacker& number(std::int64_t v) {
    if (v != 0) bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
    return end_cell();
  }
  CellPacker& raw(std::string_view bytes) {  // a cell copied as is from another row
    bytes_.append(bytes);
    return end_cell();
  }
  // Moves the cells into `row` and starts afresh.
  void pack_into(TableRow& row) {
    const auto n = static_cast<std::uint32_t>(ends_.size());
    std::string& out = row.cells_;
    out.clear();
    out.reserve(4 * (ends_.size() + 1) + bytes_.size());
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    out.append(reinterpret_cast<const char*>(ends_.data()), 4 * ends_.size());
    out.append(bytes_);
    bytes_.clear();
    ends_.clear();
  }

 private:
  CellPacker& end_cell() {
    ensure(bytes_.size() <= UINT32_MAX, "a row's cells fit 4 GB");
    ends_.push_back(static_cast<std::uint32_t>(bytes_.size()));
    return *this;
  }
  std::string bytes_;
  std::vector<std::uint32_t> ends_;
};

inline TableRow TableRow::from_cells(std::string seller_id, const std::vector<Cell>& cells) {
  CellPacker packer;
  for (const auto& c : cells) {
    ensure(c.text.empty() || c.number == 0, "a cell holds text or a number, not both");
    if (c.text.empty())
      packer.number(c.number);
    else
      packer.text(c.text);
  }
  TableRow row;
  row.seller = std::move(seller_id);
  packer.pack_into(row);
  return row;
}

inline std::vector<Cell> TableRow::unpack(const TableSchema& schema) const {
  std::vector<Cell> cells(size());
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const auto kind = c < schema.columns.size() ? schema.columns[c].kind : ColumnKind::text;
    const bool numeric = kind == ColumnKind::amount || kind == ColumnKind::count;
    if (numeric)
      cells[c].number = number(c);
    else
      cells[c].text = std::string(text(c));
  }
  return cells;
}

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
