#include "tables/render.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "common/money.hpp"
#include "csv/fields.hpp"

namespace ba {

namespace {

bool needs_formula_prefix(std::string_view text) {
  if (text.empty()) return false;
  const char first = text.front();
  return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
}

void append_value(std::string& out, ColumnKind kind, std::string_view text, std::int64_t number) {
  switch (kind) {
    case ColumnKind::amount:
      append_amount(out, number);
      return;
    case ColumnKind::count: {
      char digits[24];
      const int n = std::snprintf(digits, sizeof digits, "%lld", static_cast<long long>(number));
      out.append(digits, static_cast<std::size_t>(n));
      return;
    }
    case ColumnKind::date:
      out.append(text);
      return;
    case ColumnKind::text:
      if (needs_formula_prefix(text)) out.push_back('\'');
      out.append(text);
      return;
  }
}

bool is_numeric(ColumnKind kind) { return kind == ColumnKind::amount || kind == ColumnKind::count; }

}  // namespace

std::string render_cell(const Column& column, const Cell& cell) {
  std::string out;
  append_value(out, column.kind, cell.text, cell.number);
  return out;
}

void append_rendered(std::string& out, const Column& column, const TableRow& row, std::size_t c) {
  if (is_numeric(column.kind))
    append_value(out, column.kind, {}, row.number(c));
  else
    append_value(out, column.kind, row.text(c), 0);
}

void append_line(std::string& out, const TableSchema& schema, const TableRow& row) {
  std::string cell;
  for (std::size_t i = 0; i < schema.columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    const Column& column = schema.columns[i];
    // Most cells need neither the formula prefix nor quoting: appended straight to the line.
    if (column.kind == ColumnKind::text && !needs_formula_prefix(row.text(i))) {
      csv::append_cell(out, row.text(i));
    } else if (column.kind == ColumnKind::text) {
      cell.clear();
      append_rendered(cell, column, row, i);
      csv::append_cell(out, cell);
    } else {
      append_rendered(out, column, row, i);  // amounts, counts and dates never need quoting
    }
  }
  out.push_back('\n');
}

std::string render_line(const TableSchema& schema, const TableRow& row) {
  std::string line;
  append_line(line, schema, row);
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

namespace {

// Appends a value to a sort key so that comparing keys as bytes compares the tuples of values:
// NUL becomes NUL 0x01 and each value ends with NUL NUL, which sorts before any content byte.
void append_key_part(std::string& key, std::string_view value) {
  if (value.find('\0') == std::string_view::npos) {
    key.append(value);
  } else {
    for (char c : value) {
      key.push_back(c);
      if (c == '\0') key.push_back('\x01');
    }
  }
  key.append(2, '\0');
}

}  // namespace

void sort_rows(const TableSchema& schema, std::vector<TableRow>& rows) {
  // One key per row (the seller, then the rendered sort columns), all in one arena; the whole
  // line only for rows whose keys tie (rare), and then cached.
  std::string arena;
  std::vector<std::size_t> key_end(rows.size());
  std::string value;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    append_key_part(arena, rows[r].seller);
    for (std::size_t c : schema.sort_by) {
      value.clear();
      append_rendered(value, schema.columns[c], rows[r], c);
      append_key_part(arena, value);
    }
    key_end[r] = arena.size();
  }
  const auto key_of = [&](std::size_t r) {
    const std::size_t begin = r == 0 ? 0 : key_end[r - 1];
    return std::string_view(arena).substr(begin, key_end[r] - begin);
  };
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
    if (const int c = key_of(a).compare(key_of(b)); c != 0) return c < 0;
    return line_of(a) < line_of(b);
  });
  arena = {};
  std::vector<TableRow> sorted;
  sorted.reserve(rows.size());
  for (std::size_t i : order) sorted.push_back(std::move(rows[i]));
  rows = std::move(sorted);
}

}  // namespace ba
