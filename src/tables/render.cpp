#include "tables/render.hpp"

#include <algorithm>
#include <numeric>

#include "common/money.hpp"
#include "csv/fields.hpp"

namespace ba {

std::string render_cell(const Column& column, const Cell& cell) {
  switch (column.kind) {
    case ColumnKind::amount:
      return format_amount(cell.number);
    case ColumnKind::count:
      return std::to_string(cell.number);
    case ColumnKind::date:
      return cell.text;
    case ColumnKind::text:
      break;
  }
  if (!cell.text.empty()) {
    const char first = cell.text.front();
    if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r')
      return "'" + cell.text;
  }
  return cell.text;
}

std::string render_line(const TableSchema& schema, const TableRow& row) {
  std::string line;
  for (std::size_t i = 0; i < schema.columns.size(); ++i) {
    if (i > 0) line.push_back(',');
    csv::append_cell(line, render_cell(schema.columns[i], row.cells[i]));
  }
  line.push_back('\n');
  return line;
}

std::string render_header(const TableSchema& schema) {
  std::string line;
  for (std::size_t i = 0; i < schema.columns.size(); ++i) {
    if (i > 0) line.push_back(',');
    csv::append_cell(line, schema.columns[i].name);
  }
  line.push_back('\n');
  return line;
}

void sort_rows(const TableSchema& schema, std::vector<TableRow>& rows) {
  // The sort columns are rendered once per row; the whole line only for rows whose sort columns
  // tie (rare), and then cached.
  std::vector<std::vector<std::string>> keys(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    keys[r].reserve(schema.sort_by.size() + 1);
    keys[r].push_back(rows[r].seller);
    for (std::size_t c : schema.sort_by) keys[r].push_back(render_cell(schema.columns[c], rows[r].cells[c]));
  }
  std::vector<std::string> lines(rows.size());
  std::vector<bool> rendered(rows.size(), false);
  const auto line_of = [&](std::size_t r) -> const std::string& {
    if (!rendered[r]) {
      lines[r] = render_line(schema, rows[r]);
      rendered[r] = true;
    }
    return lines[r];
  };
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (keys[a] != keys[b]) return keys[a] < keys[b];
    return line_of(a) < line_of(b);
  });
  std::vector<TableRow> sorted;
  sorted.reserve(rows.size());
  for (std::size_t i : order) sorted.push_back(std::move(rows[i]));
  rows = std::move(sorted);
}

}  // namespace ba
