#pragma once
// What a rank answers for the dimension keys it owns, encoded once when the dimension is loaded:
// a lookup then costs a hash probe and one copy of a blob, instead of walking a key's versions
// and encoding their strings for every slice of groups that asks (millions of lookups, each
// missing the cache on every string).
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/group_index.hpp"

namespace ba {

class LookupAnswers {
 public:
  // `missing`: the answer for a key that is not held (the encoding of "none").
  template <class Missing>
  explicit LookupAnswers(const Missing& missing) {
    encode(missing, missing_);
  }

  // Records the answer for a key (each key once).
  template <class Answer>
  void add(std::string_view key, const Answer& answer) {
    scratch_.clear();
    encode(answer, scratch_);
    add_bytes(key, std::string_view(scratch_.data(), scratch_.size()));
  }
  void add_bytes(std::string_view key, std::string_view answer);

  // The hash a key is indexed by. Not stable_hash itself: every key held here has the same
  // stable_hash modulo the ranks (that chose this rank), so its low bits would crowd the slots.
  static std::uint64_t index_hash(std::string_view key) { return std::rotr(stable_hash(key), 32); }

  // The encoded answer for a key (the missing answer when it is not held).
  std::string_view answer(std::string_view key) const { return answer(key, index_hash(key)); }
  std::string_view answer(std::string_view key, std::uint64_t hash) const;

  // Lookups in a batch overlap their cache misses (the keys come in no order): ask
  // prefetch(hash, 2) for the lookup some steps ahead and prefetch(hash, 1) for one about half
  // as far, then look up with answer(key, hash).
  void prefetch(std::uint64_t hash, int stage) const;

  std::size_t keys() const { return keys_; }
  std::size_t bytes() const { return arena_.size(); }

 private:
  // Per key, at its position: u32 key size, u32 answer size, the key, the answer. The index holds
  // positions in the arena, so a lookup touches its slot and then one run of bytes.
  std::string arena_;
  GroupIndex index_;
  std::vector<char> missing_;
  std::vector<char> scratch_;
  std::size_t keys_ = 0;
};

}  // namespace ba
