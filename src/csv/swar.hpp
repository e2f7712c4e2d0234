#pragma once
// Word-at-a-time ("SWAR") byte tests: 8 bytes per step in plain C++, no intrinsics, so the hot
// loops of CSV parsing (fields, UTF-8, NUL bytes) do not pay a branch per byte.
//
// The masks are exact: every byte is tested on its own (no borrow or carry crosses a byte), so a
// mask can be walked bit by bit, not only to its first match. Words are loaded in file order
// (byte k of the text is byte k of the word, least significant first) on any endianness.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ba::csv::swar {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
inline constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;

// The 8 bytes at p (unaligned), byte p[k] in bits 8k..8k+7.
inline std::uint64_t load8(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, sizeof w);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

// 0x80 in every byte of w that is zero, 0x00 in the others.
inline std::uint64_t zero_bytes(std::uint64_t w) { return ~(((w & kLow7) + kLow7) | w | kLow7); }

// 0x80 in every byte of w equal to c, 0x00 in the others.
inline std::uint64_t equal_bytes(std::uint64_t w, char c) {
  return zero_bytes(w ^ (kOnes * static_cast<unsigned char>(c)));
}

// Index (0..7) of the first flagged byte of a non-zero mask.
inline std::size_t first_byte(std::uint64_t mask) { return static_cast<std::size_t>(std::countr_zero(mask)) / 8; }

// True when none of the 8 bytes has its high bit set (all ASCII).
inline bool ascii8(std::uint64_t w) { return (w & kHigh) == 0; }

}  // namespace ba::csv::swar
