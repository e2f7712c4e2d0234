#pragma once
// Keys made of several text fields (a group's key, a fact row's identity) as one string, such
// that two different tuples never make the same key: each field goes in preceded by its length.
// A separator byte would not do: ids are free text, and a field holding the separator would
// merge two groups (one buyer's revenue credited to another) or drop a row as a duplicate.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace ba {

inline void append_key_field(std::string& key, std::string_view field) {
  ensure(field.size() <= UINT32_MAX, "a key field shorter than 4 GiB");
  const auto n = static_cast<std::uint32_t>(field.size());
  const char length[4] = {static_cast<char>(n & 0xff), static_cast<char>(n >> 8 & 0xff),
                          static_cast<char>(n >> 16 & 0xff), static_cast<char>(n >> 24)};
  key.append(length, 4).append(field);
}

// `key` becomes the composite key of `fields` (its buffer is reused: no allocation per row once
// it has grown).
template <class... Fields>
void assign_composite_key(std::string& key, const Fields&... fields) {
  key.clear();
  key.reserve((0 + ... + (4 + std::string_view(fields).size())));
  (append_key_field(key, std::string_view(fields)), ...);
}

template <class... Fields>
std::string composite_key(const Fields&... fields) {
  std::string key;
  assign_composite_key(key, fields...);
  return key;
}

}  // namespace ba
