#include "csv/fields.hpp"

namespace ba::csv {

FieldStatus split_fields(std::string_view record, std::vector<std::string_view>& fields, std::string& scratch) {
  fields.clear();
  scratch.clear();
  scratch.reserve(record.size());  // no reallocation below: views into scratch stay valid
  std::size_t i = 0;
  const std::size_t n = record.size();
  while (true) {
    if (i < n && record[i] == '"') {
      // Quoted field: "" is a literal quote; the closing quote must end the field.
      const std::size_t begin = scratch.size();
      ++i;
      bool closed = false;
      while (i < n) {
        const char c = record[i];
        if (c == '"') {
          if (i + 1 < n && record[i + 1] == '"') {
            scratch.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        scratch.push_back(c);
        ++i;
      }
      if (!closed) return FieldStatus::unterminated_quote;
      fields.emplace_back(scratch.data() + begin, scratch.size() - begin);
      if (i == n) return FieldStatus::ok;
      if (record[i] != ',') return FieldStatus::bad_quoting;  // "ab"c
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < n && record[i] != ',') {
      if (record[i] == '"') return FieldStatus::bad_quoting;  // ab"c: a quote inside a bare field
      ++i;
    }
    fields.emplace_back(record.substr(begin, i - begin));
    if (i == n) return FieldStatus::ok;
    ++i;  // the comma; a trailing comma means one more (empty) field
  }
}

void append_cell(std::string& line, std::string_view cell) {
  if (cell.find_first_of(",\"\n\r") == std::string_view::npos) {
    line.append(cell);
    return;
  }
  line.push_back('"');
  for (char c : cell) {
    if (c == '"') line.push_back('"');
    line.push_back(c);
  }
  line.push_back('"');
}

}  // namespace ba::csv
