#pragma once
// RFC 4180 field splitting of one record (the record's bytes without its line end).
#include <string>
#include <string_view>
#include <vector>

namespace ba::csv {

enum class FieldStatus { ok, unterminated_quote, bad_quoting };

// Splits record into fields. Unquoted fields are views into record; quoted fields are unescaped
// into scratch (which is cleared and reserved first, so views stay valid until the next call).
FieldStatus split_fields(std::string_view record, std::vector<std::string_view>& fields, std::string& scratch);

// Renders one cell the RFC 4180 way: quoted only when it holds , " \n or \r.
void append_cell(std::string& line, std::string_view cell);
// Whether append_cell quotes the cell.
bool needs_quotes(std::string_view cell);

}  // namespace ba::csv
