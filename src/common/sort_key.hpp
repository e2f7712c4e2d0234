#pragma once
// Sorting by string keys without chasing a pointer per comparison: a key's first bytes held as
// numbers in the sort entry itself.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ba {

// The first 8 bytes of `bytes` from `at` as a big-endian number (zeros past the end): comparing
// two of them compares those bytes in byte order. Two strings whose words tie may still differ
// (later bytes, or a shorter one against NULs): they must then be compared whole.
inline std::uint64_t big_endian_word(std::string_view bytes, std::size_t at) {
  unsigned char word[8] = {};
  if (at < bytes.size()) std::memcpy(word, bytes.data() + at, std::min<std::size_t>(8, bytes.size() - at));
  std::uint64_t value = 0;
  for (unsigned char b : word) value = value << 8 | b;
  return value;
}

}  // namespace ba
