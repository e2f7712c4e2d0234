#pragma once
// UTC instants as seconds since the Unix epoch; dates as the instant of their 00:00:00Z.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ba {

using Instant = std::int64_t;
inline constexpr Instant kSecondsPerDay = 86'400;

// "YYYY-MM-DDTHH:MM:SSZ" or a date-only "YYYY-MM-DD" (00:00:00Z). Nullopt if malformed or not a
// real calendar date.
std::optional<Instant> parse_instant(std::string_view text);
// "YYYY-MM-DD" only.
std::optional<Instant> parse_date(std::string_view text);

std::string format_date(Instant t);   // YYYY-MM-DD
std::string format_month(Instant t);  // YYYY-MM

std::int64_t days_from_civil(int year, unsigned month, unsigned day);
void civil_from_days(std::int64_t days, int& year, unsigned& month, unsigned& day);

}  // namespace ba
