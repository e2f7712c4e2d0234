#pragma once
// Money and quantities are integer counts of micro-units (10^-6). Never floating point.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ba {

using Micros = std::int64_t;
inline constexpr Micros kMicrosPerUnit = 1'000'000;

// Parses the feed amount grammar: optional '-', digits, optional '.' and digits; digits beyond
// the sixth fraction digit must be zeros. Returns nullopt for anything else or on overflow.
std::optional<Micros> parse_amount(std::string_view text);

// Renders with exactly six fraction digits: -12.500000.
std::string format_amount(Micros value);
void append_amount(std::string& out, Micros value);  // the same, appended
// The same, written at `out` (room for kMaxAmountChars); returns the end.
constexpr std::size_t kMaxAmountChars = 21;  // -9223372036854.775808
char* write_amount(char* out, Micros value);

// Adds with an overflow check (a sum that does not fit is an input error, never a wrap).
Micros add_checked(Micros a, Micros b);

}  // namespace ba
