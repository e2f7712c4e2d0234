#include "model/winners.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>

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
  std::vector<Candidate> local(hashes.size());
  for (std::size_t i = 0; i < hashes.size(); ++i)
    local[i] = Candidate{hashes[i], {}, updated[i], refs[i], comm.rank(), static_cast<std::int64_t>(i)};
  auto owned = mpi::shuffle(comm, std::move(local), [&](const Candidate& x) { return owner_of_hash(x.hash, ranks); });
  local = {};

  // Hashes that meet: ask the rows' ranks for their full keys (true duplicates or collisions).
  std::sort(owned.begin(), owned.end(), [](const Candidate& a, const Candidate& b) { return a.hash < b.hash; });
  std::vector<RowAt> asks;
  for (std::size_t k = 0; k < owned.size(); ++k) {
    const bool shared = (k > 0 && owned[k - 1].hash == owned[k].hash) ||
                        (k + 1 < owned.size() && owned[k + 1].hash == owned[k].hash);
    if (shared) asks.push_back(RowAt{owned[k].hash, owned[k].origin, owned[k].index, {}});
  }
  auto mine = mpi::shuffle(comm, asks, [](const RowAt& a) { return a.origin; });
  for (auto& a : mine) a.key = key_of_row(static_cast<std::size_t>(a.index));
  const auto answers = mpi::shuffle(comm, mine, [&](const RowAt& a) { return owner_of_hash(a.hash, ranks); });
  std::unordered_map<std::int64_t, const std::string*> key_at;  // (origin, index) -> key
  const auto id = [&](std::int32_t origin, std::int64_t index) { return index * ranks + origin; };
  for (const auto& a : answers) key_at[id(a.origin, a.index)] = &a.key;
  for (auto& c : owned)
    if (const auto it = key_at.find(id(c.origin, c.index)); it != key_at.end()) c.key = *it->second;

  const auto wins = pick_winners(owned, prefer);
  // Tell each row's rank which of its rows lost.
  std::vector<RowAt> losers;
  for (std::size_t k = 0; k < owned.size(); ++k)
    if (!wins[k]) losers.push_back(RowAt{0, owned[k].origin, owned[k].index, {}});
  std::vector<bool> result(hashes.size(), true);
  for (const auto& l : mpi::shuffle(comm, losers, [](const RowAt& x) { return x.origin; }))
    result[static_cast<std::size_t>(l.index)] = false;
  return result;
}

}  // namespace ba
