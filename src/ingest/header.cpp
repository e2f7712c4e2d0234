#include "ingest/header.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "csv/fields.hpp"
#include "csv/record_reader.hpp"

namespace ba {

int Header::find(std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

Header read_header(const FeedFile& file, std::size_t chunk_bytes) {
  InputFile in(file.path);
  // A header is short: read it in small pieces whatever the data chunk size (the reader grows
  // its buffer for a longer record).
  csv::RecordReader reader(in, 0, 1, 0, 0, std::min<std::size_t>(chunk_bytes, 64 << 10));
  csv::RecordView record;
  if (!reader.next(record) || record.text.empty())
    fail(ExitCode::bad_input, "input file " + file.display + ": empty, expected a header row on line 1");
  std::vector<std::string_view> fields;
  std::string scratch;
  if (record.unterminated || csv::split_fields(record.text, fields, scratch) != csv::FieldStatus::ok)
    fail(ExitCode::bad_input, "input file " + file.display + ": line 1: the header row is not valid CSV");
  Header header;
  for (auto f : fields) header.names.emplace_back(f);
  // A UTF-8 byte order mark is not allowed by the contract, but naming it beats a missing column.
  if (!header.names.empty() && header.names[0].rfind("\xEF\xBB\xBF", 0) == 0)
    fail(ExitCode::bad_input, "input file " + file.display + ": starts with a UTF-8 byte order mark (the feeds are UTF-8 without BOM)");
  return header;
}

}  // namespace ba
