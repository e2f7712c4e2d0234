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
// a shuffle copies two strings instead of thirty.
//   cells_ = [uint16 cells][uint8 hidden][uint8 width][end of each cell's bytes, `width` bytes
//            each][the cells' bytes]
// `cells` counts the hidden ones, which come last: what the buyers table needs of a detail row
// that its delivered cells do not say (the payer id: usage rows show only the payer's account
// number; the product id: products are counted by id, not code). They are neither stored nor
// delivered. Ends take 2 bytes each, or 4 when the row's bytes do not fit 16 bits.
// A text or date cell's bytes are its text; an amount or count cell's bytes are its int64 (none
// when 0). The schema says which a column is: `text(c)` and `number(c)` read the same bytes.
class TableRow {
 public:
  std::string seller;  // recipient_account_id: the seller key of every output row

  // The delivered cells.
  std::size_t size() const { return all() - hidden(); }
  // Bytes the packed cells take (offsets included): about the size of the rendered line.
  std::size_t byte_size() const { return cells_.size(); }
  std::string_view raw(std::size_t c) const {
    const std::size_t begin = c == 0 ? 0 : end_of(c - 1);
    return std::string_view(cells_).substr(kHeader + all() * width() + begin, end_of(c) - begin);
  }
  std::string_view text(std::size_t c) const { return raw(c); }
  // Calls visit(c, bytes) for every delivered cell, in order, reading the header once (raw(c)
  // reads it per cell).
  template <class Visit>
  void for_each_cell(Visit&& visit) const {
    const std::size_t n = size();
    if (n == 0) return;
    const std::size_t w = width();
    const char* ends = cells_.data() + kHeader;
    const char* bytes = ends + all() * w;
    std::size_t begin = 0;
    for (std::size_t c = 0; c < n; ++c) {
      std::size_t end = 0;
      if (w == 2) {
        std::uint16_t v = 0;
        std::memcpy(&v, ends + 2 * c, sizeof v);
        end = v;
      } else {
        std::uint32_t v = 0;
        std::memcpy(&v, ends + 4 * c, sizeof v);
        end = v;
      }
      visit(c, std::string_view(bytes + begin, end - begin));
      begin = end;
    }
  }
  // In a pass over rows[0, end), at row `at`: starts loading the packed cells (up to 256 bytes)
  // of the row kAhead on. Rows are separate allocations, so a pass over millions of them misses
  // the cache on every row unless it asks a few rows ahead.
  static constexpr std::size_t kAhead = 8;
  static void prefetch_ahead(const TableRow* rows, std::size_t at, std::size_t end) {
    if (at + kAhead < end) rows[at + kAhead].prefetch();
  }
  // Starts loading this row's packed cells (up to 256 bytes).
  void prefetch() const {
    for (std::size_t b = 0; b < cells_.size() && b < 256; b += 64) __builtin_prefetch(cells_.data() + b);
  }
  // The number a packed amount or count cell holds.
  static std::int64_t number_of(std::string_view bytes) {
    std::int64_t v = 0;
    if (bytes.size() == sizeof v) std::memcpy(&v, bytes.data(), sizeof v);
    return v;
  }
  std::int64_t number(std::size_t c) const { return number_of(raw(c)); }
  // The hidden cells of a detail row (empty for other rows).
  std::string_view payer() const { return hidden() == kHiddenCells ? raw(size()) : std::string_view{}; }
  std::string_view product() const { return hidden() == kHiddenCells ? raw(size() + 1) : std::string_view{}; }

  // Tests and small tables: rows from unpacked cells (a cell is text if its text is not empty,
  // else its number), and back, given the row's schema.
  static TableRow from_cells(std::string seller, const std::vector<Cell>& cells, std::string_view payer = {},
                             std::string_view product = {});
  std::vector<Cell> unpack(const TableSchema& schema) const;

  BA_FIELDS(seller, cells_)

 private:
  friend class CellPacker;
  static constexpr std::size_t kHeader = 4;
  static constexpr std::size_t kHiddenCells = 2;
  std::size_t all() const {
    if (cells_.empty()) return 0;
    std::uint16_t n = 0;
    std::memcpy(&n, cells_.data(), sizeof n);
    return n;
  }
  std::size_t hidden() const { return cells_.empty() ? 0 : static_cast<unsigned char>(cells_[2]); }
  std::size_t width() const { return static_cast<unsigned char>(cells_[3]); }
  std::size_t end_of(std::size_t c) const {
    const char* at = cells_.data() + kHeader + c * width();
    if (width() == 2) {
      std::uint16_t v = 0;
      std::memcpy(&v, at, sizeof v);
      return v;
    }
    std::uint32_t v = 0;
    std::memcpy(&v, at, sizeof v);
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
  // The hidden cells of a detail row, after its delivered cells.
  CellPacker& hidden(std::string_view payer, std::string_view product) {
    text(payer).text(product);
    hidden_ = TableRow::kHiddenCells;
    return *this;
  }
  // Moves the cells into `row` and starts afresh.
  void pack_into(TableRow& row) {
    ensure(ends_.size() <= UINT16_MAX, "a row has at most 65535 cells");
    const auto n = static_cast<std::uint16_t>(ends_.size());
    const bool narrow = bytes_.size() <= UINT16_MAX;
    std::string& out = row.cells_;
    out.clear();
    out.reserve(TableRow::kHeader + ends_.size() * (narrow ? 2 : 4) + bytes_.size());
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    out.push_back(static_cast<char>(hidden_));
    out.push_back(static_cast<char>(narrow ? 2 : 4));
    for (std::uint32_t end : ends_) {
      if (narrow) {
        const auto e = static_cast<std::uint16_t>(end);
        out.append(reinterpret_cast<const char*>(&e), sizeof e);
      } else {
        out.append(reinterpret_cast<const char*>(&end), sizeof end);
      }
    }
    out.append(bytes_);
    bytes_.clear();
    ends_.clear();
    hidden_ = 0;
  }

 private:
  CellPacker& end_cell() {
    ensure(bytes_.size() <= UINT32_MAX, "a row's cells fit 4 GB");
    ends_.push_back(static_cast<std::uint32_t>(bytes_.size()));
    return *this;
  }
  std::string bytes_;
  std::vector<std::uint32_t> ends_;
  std::uint8_t hidden_ = 0;
};

inline TableRow TableRow::from_cells(std::string seller_id, const std::vector<Cell>& cells, std::string_view payer,
                                     std::string_view product) {
  CellPacker packer;
  for (const auto& c : cells) {
    ensure(c.text.empty() || c.number == 0, "a cell holds text or a number, not both");
    if (c.text.empty())
      packer.number(c.number);
    else
      packer.text(c.text);
  }
  if (!payer.empty() || !product.empty()) packer.hidden(payer, product);
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
