#pragma once
// A historized dimension resolved per semantics.md: corrections and deletions applied, then
// versions ordered by valid_from so a key can be read "as of" an instant or at its latest.
#include <algorithm>
#include <bit>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/group_index.hpp"
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
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      if (a.key != b.key) return a.key < b.key;
      if (a.version.valid_from != b.version.valid_from) return a.version.valid_from < b.version.valid_from;
      const auto ta = version_tag(a.attrs), tb = version_tag(b.attrs);
      if (ta != tb) return ta < tb;
      if (a.version.updated != b.version.updated) return a.version.updated < b.version.updated;
      return a.ref < b.ref;  // identical update_date: the row read last wins
    });
    // Rows come sorted by key: a key's versions are appended to the entry made for its first
    // surviving version, whose key is moved in (no copy, one hash lookup per key).
    index_.reserve(entries_.size() + rows.size());
    std::vector<Held>* current = nullptr;
    const std::string* current_key = nullptr;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const bool last_of_version =
          i + 1 == rows.size() || rows[i + 1].key != rows[i].key ||
          rows[i + 1].version.valid_from != rows[i].version.valid_from ||
          version_tag(rows[i + 1].attrs) != version_tag(rows[i].attrs);
      if (!last_of_version) {
        counts.superseded += 1;
        continue;
      }
      counts.used += 1;
      if (rows[i].version.deleted) continue;  // the version's latest correction deletes it
      if (current == nullptr || *current_key != rows[i].key) {
        const bool later_key = i + 1 < rows.size() && rows[i + 1].key == rows[i].key;
        const std::string& key = rows[i].key;
        const std::size_t at = index_.find_or_add(index_hash(key), entries_.size(),
                                                  [&](std::size_t e) { return entries_[e].key == key; });
        if (at == entries_.size())  // the next row still compares its key with this one's: copy it then
          entries_.push_back(Entry{later_key ? key : std::move(rows[i].key), {}});
        current = &entries_[at].held;
        current_key = &entries_[at].key;
      }
      current->push_back(Held{rows[i].version.valid_from, version_tag(rows[i].attrs), std::move(rows[i].attrs)});
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

  struct Entry {
    std::string key;
    std::vector<Held> held;
  };
  std::vector<Entry> entries_;  // in the order keys were first built
  GroupIndex index_;
};

}  // namespace ba
