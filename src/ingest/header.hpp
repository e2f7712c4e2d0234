#pragma once
// A feed file's header row: columns are found by name, in any order.
#include <string>
#include <string_view>
#include <vector>

#include "ingest/feed_files.hpp"

namespace ba {

struct Header {
  std::vector<std::string> names;
  // Index of a column, or -1.
  int find(std::string_view name) const;
};

// Reads and splits the first record of a file. Fatal (bad_input) if the file has no header.
Header read_header(const FeedFile& file, std::size_t chunk_bytes);

}  // namespace ba
