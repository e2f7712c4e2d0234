#include "common/group_index.hpp"

#include <utility>

namespace ba {

void GroupIndex::reserve(std::size_t groups) {
  std::size_t slots = 16;
  while (3 * slots < 4 * groups) slots *= 2;
  if (slots > slots_.size()) rehash(slots);
}

void GroupIndex::rehash(std::size_t slots) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots));
  const std::size_t mask = slots - 1;
  for (const Slot& slot : old) {
    if (slot.position == kEmpty) continue;
    auto s = static_cast<std::size_t>(slot.hash) & mask;
    while (slots_[s].position != kEmpty) s = (s + 1) & mask;
    slots_[s] = slot;
  }
}

}  // namespace ba
