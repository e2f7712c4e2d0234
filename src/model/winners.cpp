#include "model/winners.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <utility>

namespace ba {

namespace {

// A row whose hash meets another's, on its way to its rank for its full key and back.
struct RowAt {
  std::uint64_t hash = 0;
  std::int32_t origin = 0;
  std::int64_t index = 0;
  std::string key;
  std::int64_t updated = 0;
  RowRef ref;  // file and offset only: the order of reading
  BA_FIELDS(hash, origin, index, key, updated, ref)
};

int owner_of_hash(std::uint64_t hash, int ranks) { return static_cast<int>(hash % static_cast<std::uint64_t>(ranks)); }

// One row on its way to the owner of its hash: only what tells whether its hash is alone. The
// rest of a Candidate (key, update time, place in the file) is asked for only when hashes meet,
// as they rarely do. All ranks run the same build, so raw bytes are a faithful encoding.
struct Slot {
  std::uint64_t hash;
  std::uint64_t tag;  // position on the origin rank * ranks + origin
};
static_assert(std::is_trivially_copyable_v<Slot> && sizeof(Slot) == 16, "Slot travels as raw bytes");

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

// The slots in the order of their hashes: least significant digit first, 16 bits a pass, each
// pass reading `slots` as bytes (as they arrived) or as the previous pass left them. Millions of
// uniformly random hashes: std::sort of wider records took a tenth of reading a fact feed.
std::vector<Slot> sorted_by_hash(const std::vector<char>& arrived) {
  ensure(arrived.size() % sizeof(Slot) == 0, "exchanged bytes are not whole records");
  const std::size_t n = arrived.size() / sizeof(Slot);
  const auto slot_at = [&](std::size_t i) {
    Slot s;
    std::memcpy(&s, arrived.data() + i * sizeof(Slot), sizeof(Slot));
    return s;
  };
  constexpr int kDigits = 4;
  constexpr std::size_t kBuckets = std::size_t{1} << 16;
  std::vector<std::size_t> counts(kDigits * kBuckets, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t h = slot_at(i).hash;
    for (int d = 0; d < kDigits; ++d) ++counts[static_cast<std::size_t>(d) * kBuckets + ((h >> (16 * d)) & 0xFFFF)];
  }
  for (int d = 0; d < kDigits; ++d) {
    std::size_t sum = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) sum += std::exchange(counts[static_cast<std::size_t>(d) * kBuckets + b], sum);
  }
  std::vector<Slot> from(n), to(n);
  for (std::size_t i = 0; i < n; ++i) {  // the first pass reads the arrived bytes
    const Slot s = slot_at(i);
    from[counts[s.hash & 0xFFFF]++] = s;
  }
  for (int d = 1; d < kDigits; ++d) {
    std::size_t* count = counts.data() + static_cast<std::size_t>(d) * kBuckets;
    for (const Slot& s : from) to[count[(s.hash >> (16 * d)) & 0xFFFF]++] = s;
    from.swap(to);
  }
  return from;
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
  const auto tag_of = [&](std::size_t index) {
    return static_cast<std::uint64_t>(index) * nranks + static_cast<std::uint64_t>(comm.rank());
  };
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
    const Slot slot{hashes[i], tag_of(i)};
    std::memcpy(outgoing[d].data() + per_owner[d]++ * sizeof(Slot), &slot, sizeof(Slot));
  }
  std::vector<Slot> owned;
  {
    const std::vector<char> arrived = comm.exchange(outgoing);
    outgoing = {};
    owned = sorted_by_hash(arrived);
  }

  // Hashes that meet: ask the rows' ranks for their full keys (true duplicates or collisions),
  // update times and places in their files.
  std::vector<RowAt> asks;
  for (std::size_t k = 0; k < owned.size(); ++k) {
    const std::uint64_t h = owned[k].hash;
    const bool meets = (k > 0 && owned[k - 1].hash == h) || (k + 1 < owned.size() && owned[k + 1].hash == h);
    if (!meets) continue;
    RowAt a;
    a.hash = h;
    a.origin = static_cast<std::int32_t>(owned[k].tag % nranks);
    a.index = static_cast<std::int64_t>(owned[k].tag / nranks);
    asks.push_back(std::move(a));
  }
  owned = {};
  auto mine = mpi::shuffle(comm, asks, [](const RowAt& a) { return a.origin; });
  for (auto& a : mine) {
    const auto i = static_cast<std::size_t>(a.index);
    a.key = key_of_row(i);
    a.updated = updated[i];
    a.ref = RowRef{refs[i].file, refs[i].offset, 0, 0};
  }
  const auto answers = mpi::shuffle(comm, mine, [&](const RowAt& a) { return owner_of_hash(a.hash, ranks); });

  // A hash alone wins; rows whose hashes meet are decided by pick_winners, which orders by
  // hash first, so deciding them apart from the lone ones gives the same flags.
  std::vector<Candidate> meeting;
  meeting.reserve(answers.size());
  for (const auto& a : answers) meeting.push_back(Candidate{a.hash, a.key, a.updated, a.ref, a.origin, a.index});
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
