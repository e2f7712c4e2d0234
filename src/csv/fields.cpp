#include "csv/fields.hpp"

#include "csv/swar.hpp"

namespace ba::csv {

namespace {

// Almost every record holds no quote at all: then its fields are exactly the text between
// commas. One pass 8 bytes at a time finds the commas and, if a quote turns up, gives up (false)
// so that the general parser below decides, with its exact statuses.
bool split_bare(std::string_view record, std::vector<std::string_view>& fields) {
  const char* p = record.data();
  const std::size_t n = record.size();
  std::size_t start = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t w = swar::load8(p + i);
    if (swar::equal_bytes(w, '"') != 0) return false;
    for (std::uint64_t commas = swar::equal_bytes(w, ','); commas != 0; commas &= commas - 1) {
      const std::size_t at = i + swar::first_byte(commas);
      fields.emplace_back(p + start, at - start);
      start = at + 1;
    }
  }
  for (; i < n; ++i) {
    if (p[i] == '"') return false;
    if (p[i] == ',') {
      fields.emplace_back(p + start, i - start);
      start = i + 1;
    }
  }
  fields.emplace_back(p + start, n - start);  // the last field (empty after a trailing comma)
  return true;
}

}  // namespace

FieldStatus split_fields(std::string_view record, std::vector<std::string_view>& fields, std::string& scratch) {
  fields.clear();
  scratch.clear();
  if (split_bare(record, fields)) return FieldStatus::ok;
  fields.clear();
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

// Whether a cell holds a comma, quote, LF or CR, a word at a time (find_first_of calls memchr on
// the four characters for every byte of the cell: a tenth of export's time). Called for every
// text cell delivered: a few words, no loop byte by byte (half the time on delivery-shaped cells).
bool needs_quotes(std::string_view cell) {
  return swar::any_word(cell, [](std::uint64_t w) {
    return swar::equal_bytes(w, ',') | swar::equal_bytes(w, '"') | swar::equal_bytes(w, '\n') |
           swar::equal_bytes(w, '\r');
  });
}

void append_cell(std::string& line, std::string_view cell) {
  if (!needs_quotes(cell)) {
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
