#pragma once
// Helpers shared by the territory sources (not part of the public interface).
#include <string>
#include <string_view>

#include "territory/territory.hpp"

namespace ba::territory {

std::string lower_ascii(std::string_view s);
// Two rules of one seller can match the same buyer at equal priority exactly when their keys
// are equal: same match type and specificity, same match values (case-insensitive).
std::string overlap_key(const TerritoryRule& rule);

}  // namespace ba::territory
