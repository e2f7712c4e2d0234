#pragma once
// Keys that resolve to nothing (semantics.md: "the ids stay, the attribute columns are empty, and
// the row is counted"): which kinds an item names, and a table's rows counted by kind.
#include <array>
#include <cstdint>
#include <string_view>

#include "common/bytes.hpp"

namespace ba {

// The kinds of key, as bits of Resolved::unresolved.
enum UnresolvedKind : std::uint8_t {
  unresolved_account = 1,  // a payer or end user with no version holding at the item's instant
  unresolved_address = 2,  // the address chosen for a resolved payer is unknown
  unresolved_product = 4,  // an unknown product_id
  unresolved_offer = 8,    // an unknown offer_id, where the table shows the offer's attributes
};

// A table's rows counted by the kinds of key that resolved to nothing in them (a row counts once
// per kind), under the names report.json gives them.
struct UnresolvedCounts {
  static constexpr std::array<std::string_view, 4> kNames{"unresolved_account", "unresolved_address",
                                                          "unresolved_product", "unresolved_offer"};
  std::array<std::int64_t, 4> rows{};  // by bit: rows[k] counts UnresolvedKind 1 << k
  void count(std::uint8_t kinds) {
    for (std::size_t k = 0; k < rows.size(); ++k) rows[k] += (kinds >> k) & 1;
  }
  BA_FIELDS(rows)
};

}  // namespace ba
