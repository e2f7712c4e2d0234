#pragma once
// Rendering rows as delivery CSV, and the delivery sort order.
#include <string>
#include <vector>

#include "tables/table.hpp"

namespace ba {

// The cell as it appears in the delivery before CSV quoting: amounts with 6 fraction digits,
// counts as integers, and text starting with = + - @ tab or CR prefixed with ' (spreadsheets
// would run it as a formula).
std::string render_cell(const Column& column, const Cell& cell);
// The same for cell c of a row, appended to `out`.
void append_rendered(std::string& out, const Column& column, const TableRow& row, std::size_t c);

std::string render_line(const TableSchema& schema, const TableRow& row);  // with '\n'
void append_line(std::string& out, const TableSchema& schema, const TableRow& row);
// The same line written at `out`, which has room for line_bound(schema, row) bytes; returns its
// end. For rendering millions of lines without a bounds check per byte.
std::size_t line_bound(const TableSchema& schema, const TableRow& row);
char* write_line(char* out, const TableSchema& schema, const TableRow& row);
std::string render_header(const TableSchema& schema);                      // with '\n'

// Sorts rows of one seller (or of several, seller first) in delivery order: the schema's sort
// columns compared as bytes of the rendered cells, ties broken by the whole rendered line.
void sort_rows(const TableSchema& schema, std::vector<TableRow>& rows);

}  // namespace ba
