#pragma once
// A historized dimension resolved per semantics.md: corrections and deletions applied, then
// versions ordered by valid_from so a key can be read "as of" an instant or at its latest.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/group_index.hpp"
#include "common/sort_key.hpp"
#include "ingest/ledger.hpp"
#include "ingest/rows.hpp"

namespace ba {

// Offers are versioned by revision as well; the other dimensions have no extra tag.
inline std::int64_t version_tag(const OfferAttrs& a) { return a.revision; }
template <class Attrs>
std::int64_t version_tag(const Attrs&) {
  return 0;
}

template <class Attrs>
class Dimension {
 public:
  // One surviving version. Encodable: attribution ships a key's versions to the rank asking.
  struct Held {
    Instant valid_from;
    std::int64_t tag;
    Attrs attrs;
    BA_FIELDS(valid_from, tag, attrs)
  };

  // Builds from the rows of the keys this rank owns (all rows of a key must be here). Rows that
  // lose to a later correction of the same version are counted as superseded in `counts`.
  void build(std::vector<DimensionRow<Attrs>> rows, FeedCounts& counts) {
    const std::vector<std::uint32_t> order = sorted_order(rows);
    // Rows come sorted by key: a key's versions are appended to the entry made for its first
    // surviving version, whose key is moved in (no copy, one hash lookup per key).
    index_.reserve(entries_.size() + rows.size());
    std::vector<Held>* current = nullptr;
    const std::string* current_key = nullptr;
    for (std::size_t i = 0; i < order.size(); ++i) {
      DimensionRow<Attrs>& row = rows[order[i]];
      const DimensionRow<Attrs>* next = i + 1 < order.size() ? &rows[order[i + 1]] : nullptr;
      const bool last_of_version = next == nullptr || next->key != row.key ||
                                   next->version.valid_from != row.version.valid_from ||
                                   version_tag(next->attrs) != version_tag(row.attrs);
      if (!last_of_version) {
        counts.superseded += 1;
        continue;
      }
      counts.used += 1;
      if (row.version.deleted) continue;  // the version's latest correction deletes it
      if (current == nullptr || *current_key != row.key) {
        const bool later_key = next != nullptr && next->key == row.key;
        const std::string& key = row.key;
        const std::size_t at = index_.find_or_add(index_hash(key), entries_.size(),
                                                  [&](std::size_t e) { return entries_[e].key == key; });
        if (at == entries_.size())  // the next row still compares its key with this one's: copy it then
          entries_.push_back(Entry{later_key ? key : std::move(row.key), {}});
        current = &entries_[at].held;
        current_key = &entries_[at].key;
      }
      current->push_back(Held{row.version.valid_from, version_tag(row.attrs), std::move(row.attrs)});
    }
  }

  // The version holding at t, or nullptr.
  const Attrs* as_of(std::string_view key, Instant t) const {
    const auto* v = versions(key);
    return v ? as_of(*v, t) : nullptr;
  }

  // The version of `held` (surviving versions, ordered by valid_from then tag) holding at t, or
  // nullptr. The first version also holds for the 24 hours before its valid_from (feeds arrive
  // with propagation delays). The one rule for a key resolved here or from versions shipped away.
  static const Attrs* as_of(const std::vector<Held>& held, Instant t) {
    if (held.empty()) return nullptr;
    auto after = std::upper_bound(held.begin(), held.end(), t, [](Instant x, const Held& h) { return x < h.valid_from; });
    if (after == held.begin()) return t >= held.front().valid_from - kSecondsPerDay ? &held.front().attrs : nullptr;
    return &std::prev(after)->attrs;
  }

  // The surviving versions of a key, ordered by valid_from then tag; nullptr when none survives.
  const std::vector<Held>* versions(std::string_view key) const {
    const std::size_t at = index_.find(index_hash(key), [&](std::size_t e) { return entries_[e].key == key; });
    return at == GroupIndex::npos ? nullptr : &entries_[at].held;
  }

  // Calls visit(key, versions) for every key with a surviving version, in the order built.
  template <class Visit>
  void for_each_key(Visit&& visit) const {
    for (const Entry& e : entries_) visit(std::string_view(e.key), e.held);
  }

  // The latest surviving version (greatest valid_from, then tag), or nullptr.
  const Attrs* latest(std::string_view key) const {
    const auto* v = versions(key);
    return v ? &v->back().attrs : nullptr;
  }

  std::size_t keys() const { return entries_.size(); }

 private:
  // Not stable_hash itself: every key held here has the same stable_hash modulo the ranks (that
  // chose this rank), so its low bits would crowd the slots.
  static std::uint64_t index_hash(std::string_view key) { return std::rotr(stable_hash(key), 32); }

  // The positions of `rows` in version order: by key, valid_from, tag, update_date, and for an
  // identical update_date the row read last (so a key's last row of a version is its latest
  // correction). Sorted through small entries that hold what the order needs, the key's first 16
  // bytes among it: a row is ten strings, and moving rows in the sort took more time than the
  // rest of the build.
  static std::vector<std::uint32_t> sorted_order(const std::vector<DimensionRow<Attrs>>& rows) {
    ensure(rows.size() < UINT32_MAX, "the rows of a dimension on one rank fit 32-bit positions");
    struct Order {
      std::uint64_t head, next;  // the key's first 16 bytes, big-endian
      Instant valid_from;
      std::int64_t tag;
      Instant updated;
      std::int64_t offset;
      std::int32_t file;
      std::uint32_t row;
    };
    std::vector<Order> entries(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto& row = rows[r];
      entries[r] = Order{big_endian_word(row.key, 0), big_endian_word(row.key, 8),
                         row.version.valid_from,     version_tag(row.attrs),
                         row.version.updated,        row.ref.offset,
                         row.ref.file,               static_cast<std::uint32_t>(r)};
    }
    std::sort(entries.begin(), entries.end(), [&](const Order& a, const Order& b) {
      if (a.head != b.head) return a.head < b.head;
      if (a.next != b.next) return a.next < b.next;
      if (const int c = rows[a.row].key.compare(rows[b.row].key); c != 0) return c < 0;
      if (a.valid_from != b.valid_from) return a.valid_from < b.valid_from;
      if (a.tag != b.tag) return a.tag < b.tag;
      if (a.updated != b.updated) return a.updated < b.updated;
      if (a.file != b.file) return a.file < b.file;  // as RowRef orders: identical update_date,
      return a.offset < b.offset;                    // the row read last wins
    });
    std::vector<std::uint32_t> order(rows.size());
    for (std::size_t i = 0; i < entries.size(); ++i) order[i] = entries[i].row;
    return order;
  }

  struct Entry {
    std::string key;
    std::vector<Held> held;
  };
  std::vector<Entry> entries_;  // in the order keys were first built
  GroupIndex index_;
};

}  // namespace ba
