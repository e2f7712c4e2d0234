#pragma once
// A flat hash index from key hashes to positions in the caller's own array of keys or groups.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace ba {

// The positions of groups by key hash, open addressing. Cheaper than a map from joined key
// strings: no string and no node allocated per group, nothing to free but one array.
class GroupIndex {
 public:
  void reserve(std::size_t groups);

  // The position of the group of this hash for which same(position) holds. When there is none,
  // records `position` (where the caller puts the new group at once) and returns it.
  template <class Same>
  std::size_t find_or_add(std::uint64_t hash, std::size_t position, Same same) {
    if (4 * (size_ + 1) > 3 * slots_.size()) rehash(std::max<std::size_t>(16, 2 * slots_.size()));
    const std::size_t mask = slots_.size() - 1;
    for (auto s = static_cast<std::size_t>(hash) & mask;; s = (s + 1) & mask) {
      Slot& slot = slots_[s];
      if (slot.position == kEmpty) {
        slot = Slot{hash, position};
        ++size_;
        return position;
      }
      if (slot.hash == hash && same(slot.position)) return slot.position;
    }
  }

  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

  // The position of the group of this hash for which same(position) holds, or npos.
  template <class Same>
  std::size_t find(std::uint64_t hash, Same same) const {
    if (slots_.empty()) return npos;
    const std::size_t mask = slots_.size() - 1;
    for (auto s = static_cast<std::size_t>(hash) & mask;; s = (s + 1) & mask) {
      const Slot& slot = slots_[s];
      if (slot.position == kEmpty) return npos;
      if (slot.hash == hash && same(slot.position)) return slot.position;
    }
  }

  // For a batch of lookups into an index far larger than the caches: each lookup costs a miss
  // on its slot, then one on its group. Prefetching the slot of a lookup some steps ahead, and
  // the group of its first candidate fewer steps ahead, lets the misses of a batch overlap.
  void prefetch_slot(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(hash) & (slots_.size() - 1)]);
  }
  // The position in the first slot holding this hash (maybe another key's), or npos.
  std::size_t candidate(std::uint64_t hash) const {
    if (slots_.empty()) return npos;
    const std::size_t mask = slots_.size() - 1;
    for (auto s = static_cast<std::size_t>(hash) & mask;; s = (s + 1) & mask) {
      const Slot& slot = slots_[s];
      if (slot.position == kEmpty) return npos;
      if (slot.hash == hash) return slot.position;
    }
  }

 private:
  static constexpr std::size_t kEmpty = npos;
  struct Slot {
    std::uint64_t hash = 0;
    std::size_t position = kEmpty;
  };
  void rehash(std::size_t slots);  // slots: a power of two

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

// A set of strings asked once per input row: one flat index over the strings themselves (short
// ids sit inside their std::string), so a lookup misses on a slot and a string, not on the node
// set's bucket, node and heap key.
class StringSet {
 public:
  void insert(std::string_view text) {
    const std::size_t at = index_.find_or_add(hash(text), items_.size(), [&](std::size_t i) { return items_[i] == text; });
    if (at == items_.size()) items_.emplace_back(text);
  }
  bool contains(std::string_view text) const {
    return index_.find(hash(text), [&](std::size_t i) { return items_[i] == text; }) != GroupIndex::npos;
  }
  std::size_t size() const { return items_.size(); }

 private:
  static std::uint64_t hash(std::string_view text) { return std::hash<std::string_view>{}(text); }
  std::vector<std::string> items_;
  GroupIndex index_;
};

}  // namespace ba
