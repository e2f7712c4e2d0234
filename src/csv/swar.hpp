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
#include <string_view>

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

// True when test(word) is non-zero for some word of the text's bytes. The words cover every byte
// and hold no byte from outside the text: a text of 8 bytes or more is read 8 at a time, its last
// word overlapping the one before; a shorter one is packed into one word, some bytes repeated.
// So `test` must flag bytes one by one (equal_bytes, zero_bytes), and no loop goes byte by byte:
// it is called for every cell of tens of millions of rows, most of them shorter than 16 bytes.
template <class Test>
bool any_word(std::string_view text, Test test) {
  const char* p = text.data();
  const std::size_t n = text.size();
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (test(load8(p + i)) != 0) return true;
    return test(load8(p + n - 8)) != 0;
  }
  if (n >= 4) {
    std::uint32_t head = 0, tail = 0;
    std::memcpy(&head, p, sizeof head);
    std::memcpy(&tail, p + n - 4, sizeof tail);
    return test(static_cast<std::uint64_t>(head) | static_cast<std::uint64_t>(tail) << 32) != 0;
  }
  if (n == 0) return false;
  const auto byte = [p](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])); };
  // Bytes 0 and 3..7 repeat the first byte, byte 1 is the middle one, byte 2 the last.
  const std::uint64_t w = (kOnes * byte(0) & ~std::uint64_t{0xFFFF00}) | byte(n / 2) << 8 | byte(n - 1) << 16;
  return test(w) != 0;
}

}  // namespace ba::csv::swar
