#include "model/winners.hpp"

#include <algorithm>
#include <numeric>

namespace ba {

namespace {
struct Loser {
  std::int32_t origin = 0;
  std::int64_t index = 0;
  BA_FIELDS(origin, index)
};
}  // namespace

std::vector<bool> pick_winners(const std::vector<Candidate>& c, Prefer prefer) {
  std::vector<std::size_t> order(c.size());
  std::iota(order.begin(), order.end(), 0);
  // Sort so that the winner of each key comes first.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (c[a].key != c[b].key) return c[a].key < c[b].key;
    if (prefer == Prefer::latest_update && c[a].updated != c[b].updated) return c[a].updated > c[b].updated;
    return prefer == Prefer::first_read ? c[a].ref < c[b].ref : c[b].ref < c[a].ref;
  });
  std::vector<bool> wins(c.size(), false);
  for (std::size_t k = 0; k < order.size(); ++k)
    wins[order[k]] = k == 0 || c[order[k]].key != c[order[k - 1]].key;
  return wins;
}

std::vector<bool> select_winners(const mpi::Comm& comm, const std::vector<std::string>& keys,
                                 const std::vector<std::int64_t>& updated, const std::vector<RowRef>& refs,
                                 Prefer prefer) {
  std::vector<Candidate> local(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i)
    local[i] = Candidate{keys[i], updated[i], refs[i], comm.rank(), static_cast<std::int64_t>(i)};
  const auto size = static_cast<std::uint64_t>(comm.size());
  const auto owned = mpi::shuffle(comm, local, [&](const Candidate& x) {
    return static_cast<int>(stable_hash(x.key) % size);
  });
  const auto wins = pick_winners(owned, prefer);

  // Tell each row's rank which of its rows lost.
  std::vector<Loser> losers;
  for (std::size_t k = 0; k < owned.size(); ++k)
    if (!wins[k]) losers.push_back(Loser{owned[k].origin, owned[k].index});
  const auto mine = mpi::shuffle(comm, losers, [](const Loser& l) { return l.origin; });
  std::vector<bool> result(keys.size(), true);
  for (const auto& l : mine) result[static_cast<std::size_t>(l.index)] = false;
  return result;
}

}  // namespace ba
