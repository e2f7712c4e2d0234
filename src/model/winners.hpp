#pragma once
// One row per key across all ranks: duplicate billing events (the first read wins) and usage
// corrections (the latest update wins). Only a 64-bit hash of each key travels, with the row's
// position; rows whose hashes meet are compared by their full keys (re-read where they are), so
// the result is exact while the common case moves 16 bytes a row and back a few bytes a loser.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ingest/rows.hpp"
#include "mpi/comm.hpp"

namespace ba {

enum class Prefer : std::uint8_t {
  first_read,     // smallest (file, offset)
  latest_update,  // greatest (updated, file, offset)
};

struct Candidate {
  std::uint64_t hash = 0;
  std::string key;  // filled only when hashes meet
  std::int64_t updated = 0;
  RowRef ref;
  std::int32_t origin = 0;  // rank that holds the row
  std::int64_t index = 0;   // its position there
  BA_FIELDS(hash, key, updated, ref, origin, index)
};

// Plain logic: marks the winner of every key among candidates that hold all rows of their keys
// (candidates with equal hashes must carry their full keys). One flag per candidate, in order.
std::vector<bool> pick_winners(const std::vector<Candidate>& candidates, Prefer prefer);

// The key of the local row `index` (re-read from its file): called only for hash collisions.
using KeyOfRow = std::function<std::string(std::size_t index)>;

// Collective: hashes[i], updated[i], refs[i] describe local row i. Returns, per local row,
// whether it wins its key across all ranks.
std::vector<bool> select_winners(const mpi::Comm& comm, const std::vector<std::uint64_t>& hashes,
                                 const std::vector<std::int64_t>& updated, const std::vector<RowRef>& refs,
                                 Prefer prefer, const KeyOfRow& key_of_row);

}  // namespace ba
