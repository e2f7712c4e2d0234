#include "model/winners.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace ba {

namespace {

struct RowAt {
  std::uint64_t hash = 0;
  std::int32_t origin = 0;
  std::int64_t index = 0;
  std::string key;
  BA_FIELDS(hash, origin, index, key)
};

int owner_of_hash(std::uint64_t hash, int ranks) { return static_cast<int>(hash % static_cast<std::uint64_t>(ranks)); }

// One row on its way to the owner of its hash: what pick_winners needs of a Candidate but the key
// (fetched only when hashes meet). All ranks run the same build, so raw bytes are a faithful
// encoding.
struct Slot {
  std::uint64_t hash;
  std::int64_t updated;
  std::int64_t offset;  // RowRef::offset: with file, the order of reading
  std::int64_t index;   // position on the origin rank
  std::int32_t file;
  std::int32_t origin;
};
static_assert(std::is_trivially_copyable_v<Slot> && sizeof(Slot) == 40, "Slot travels as raw bytes");

template <class T>
void append_bytes(std::vector<char>& out, const T& value) {
  const char* p = reinterpret_cast<const char*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

template <class T>
std::vector<T> from_bytes(const std::vector<char>& bytes) {
  ensure(bytes.size() % sizeof(T) == 0, "exchanged bytes are not whole records");
  std::vector<T> items(bytes.size() / sizeof(T));
  if (!items.empty()) std::memcpy(items.data(), bytes.data(), bytes.size());
  return items;
}

// The positions of `hashes` in the order of their values: least significant digit first, 16 bits
// a pass. Millions of uniformly random hashes: std::sort of the 40-byte Slots took a tenth of
// reading a fact feed.
std::vector<std::uint32_t> order_by_hash(const std::vector<Slot>& slots) {
  struct Entry {
    std::uint64_t hash;
    std::uint32_t position;
  };
  ensure(slots.size() < UINT32_MAX, "slots to sort fit 32-bit positions");
  std::vector<Entry> from(slots.size()), to(slots.size());
  for (std::size_t i = 0; i < slots.size(); ++i) from[i] = Entry{slots[i].hash, static_cast<std::uint32_t>(i)};
  constexpr int kDigits = 4;
  constexpr std::size_t kBuckets = std::size_t{1} << 16;
  std::vector<std::size_t> counts(kDigits * kBuckets, 0);
  for (const Entry& e : from)
    for (int d = 0; d < kDigits; ++d) ++counts[static_cast<std::size_t>(d) * kBuckets + ((e.hash >> (16 * d)) & 0xFFFF)];
  for (int d = 0; d < kDigits; ++d) {
    std::size_t* count = counts.data() + static_cast<std::size_t>(d) * kBuckets;
    std::size_t sum = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) sum += std::exchange(count[b], sum);  // starts of buckets
    for (const Entry& e : from) to[count[(e.hash >> (16 * d)) & 0xFFFF]++] = e;
    from.swap(to);
  }
  std::vector<std::uint32_t> order(from.size());
  for (std::size_t i = 0; i < from.size(); ++i) order[i] = from[i].position;
  return order;
}

}  // namespace

std::vector<bool> pick_winners(const std::vector<Candidate>& c, Prefer prefer) {
  std::vector<std::size_t> order(c.size());
  std::iota(order.begin(), order.end(), 0);
  // Sort so that the winner of each key comes first.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (c[a].hash != c[b].hash) return c[a].hash < c[b].hash;
    if (c[a].key != c[b].key) return c[a].key < c[b].key;
    if (prefer == Prefer::latest_update && c[a].updated != c[b].updated) return c[a].updated > c[b].updated;
    return prefer == Prefer::first_read ? c[a].ref < c[b].ref : c[b].ref < c[a].ref;
  });
  std::vector<bool> wins(c.size(), false);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& x = c[order[k]];
    wins[order[k]] = k == 0 || x.hash != c[order[k - 1]].hash || x.key != c[order[k - 1]].key;
  }
  return wins;
}

std::vector<bool> select_winners(const mpi::Comm& comm, const std::vector<std::uint64_t>& hashes,
                                 const std::vector<std::int64_t>& updated, const std::vector<RowRef>& refs,
                                 Prefer prefer, const KeyOfRow& key_of_row) {
  const int ranks = comm.size();
  const auto nranks = static_cast<std::size_t>(ranks);
  // Every row travels as a fixed-size Slot, copied as raw bytes into one buffer per owner:
  // encoding Candidates field by field (and sorting them with their string member) cost more
  // than reading the feed.
  std::vector<std::size_t> per_owner(nranks, 0);
  for (const auto h : hashes) ++per_owner[static_cast<std::size_t>(owner_of_hash(h, ranks))];
  std::vector<std::vector<char>> outgoing(nranks);
  for (std::size_t d = 0; d < nranks; ++d) outgoing[d].resize(per_owner[d] * sizeof(Slot));
  std::fill(per_owner.begin(), per_owner.end(), 0);
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    const auto d = static_cast<std::size_t>(owner_of_hash(hashes[i], ranks));
    const Slot slot{hashes[i], updated[i], refs[i].offset, static_cast<std::int64_t>(i), refs[i].file, comm.rank()};
    std::memcpy(outgoing[d].data() + per_owner[d]++ * sizeof(Slot), &slot, sizeof(Slot));
  }
  std::vector<Slot> owned = from_bytes<Slot>(comm.exchange(outgoing));
  outgoing = {};

  // Hashes that meet: ask the rows' ranks for their full keys (true duplicates or collisions).
  const std::vector<std::uint32_t> order = order_by_hash(owned);
  const auto hash_at = [&](std::size_t k) { return owned[order[k]].hash; };
  std::vector<std::size_t> shared;  // positions in owned of rows whose hash is not alone
  std::vector<RowAt> asks;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const bool meets =
        (k > 0 && hash_at(k - 1) == hash_at(k)) || (k + 1 < order.size() && hash_at(k + 1) == hash_at(k));
    if (!meets) continue;
    const Slot& x = owned[order[k]];
    shared.push_back(order[k]);
    asks.push_back(RowAt{x.hash, x.origin, x.index, {}});
  }
  auto mine = mpi::shuffle(comm, asks, [](const RowAt& a) { return a.origin; });
  for (auto& a : mine) a.key = key_of_row(static_cast<std::size_t>(a.index));
  const auto answers = mpi::shuffle(comm, mine, [&](const RowAt& a) { return owner_of_hash(a.hash, ranks); });
  std::unordered_map<std::int64_t, const std::string*> key_at;  // (origin, index) -> key
  const auto id = [&](std::int32_t origin, std::int64_t index) { return index * ranks + origin; };
  for (const auto& a : answers) key_at[id(a.origin, a.index)] = &a.key;

  // A hash alone wins; rows whose hashes meet are decided by pick_winners, which orders by
  // hash first, so deciding them apart from the lone ones gives the same flags.
  std::vector<Candidate> meeting;
  meeting.reserve(shared.size());
  for (const std::size_t k : shared) {
    const Slot& x = owned[k];
    Candidate c{x.hash, {}, x.updated, RowRef{x.file, x.offset, 0, 0}, x.origin, x.index};
    if (const auto it = key_at.find(id(x.origin, x.index)); it != key_at.end()) c.key = *it->second;
    meeting.push_back(std::move(c));
  }
  const auto wins = pick_winners(meeting, prefer);
  // Tell each row's rank which of its rows lost.
  std::vector<std::vector<char>> losers(nranks);
  for (std::size_t k = 0; k < meeting.size(); ++k)
    if (!wins[k]) append_bytes(losers[static_cast<std::size_t>(meeting[k].origin)], meeting[k].index);
  std::vector<bool> result(hashes.size(), true);
  for (const std::int64_t index : from_bytes<std::int64_t>(comm.exchange(losers)))
    result[static_cast<std::size_t>(index)] = false;
  return result;
}

}  // namespace ba
