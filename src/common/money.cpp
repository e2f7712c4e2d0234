#include "common/money.hpp"

#include <cstring>

#include "common/error.hpp"

namespace ba {

std::optional<Micros> parse_amount(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  const std::size_t int_begin = i;
  unsigned __int128 value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
    if (value > static_cast<unsigned __int128>(INT64_MAX)) return std::nullopt;
    ++i;
  }
  if (i == int_begin) return std::nullopt;  // ".5", "-", ""
  value *= kMicrosPerUnit;
  if (i < text.size()) {
    if (text[i] != '.') return std::nullopt;
    ++i;
    const std::size_t frac_begin = i;
    unsigned __int128 scale = kMicrosPerUnit / 10;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      const unsigned digit = static_cast<unsigned>(text[i] - '0');
      if (scale == 0) {
        if (digit != 0) return std::nullopt;  // a seventh non-zero fraction digit
      } else {
        value += digit * scale;
        scale /= 10;
      }
      ++i;
    }
    if (i == frac_begin || i != text.size()) return std::nullopt;  // "5." or trailing junk
  }
  if (value > static_cast<unsigned __int128>(INT64_MAX)) return std::nullopt;
  const auto magnitude = static_cast<Micros>(value);
  return negative ? -magnitude : magnitude;
}

void append_amount(std::string& out, Micros value) {
  char digits[kMaxAmountChars];
  out.append(digits, static_cast<std::size_t>(write_amount(digits, value) - digits));
}

char* write_amount(char* out, Micros value) {
  const bool negative = value < 0;
  // Work in unsigned to render INT64_MIN too.
  unsigned long long magnitude = negative ? 0ULL - static_cast<unsigned long long>(value)
                                          : static_cast<unsigned long long>(value);
  char digits[32];  // right to left: six fraction digits, the point, the integer part, the sign
  char* p = digits + sizeof digits;
  for (int k = 0; k < 6; ++k) {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  }
  *--p = '.';
  do {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0);
  if (negative) *--p = '-';
  const auto length = static_cast<std::size_t>(digits + sizeof digits - p);
  std::memcpy(out, p, length);
  return out + length;
}

std::string format_amount(Micros value) {
  std::string out;
  append_amount(out, value);
  return out;
}

Micros add_checked(Micros a, Micros b) {
  Micros sum = 0;
  if (__builtin_add_overflow(a, b, &sum))
    fail(ExitCode::bad_input, "amount sum overflows 64-bit micro-units (" + format_amount(a) + " + " +
                                  format_amount(b) + ")");
  return sum;
}

}  // namespace ba
