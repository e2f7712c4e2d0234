#pragma once
// One row per key across all ranks: duplicate billing events (the first read wins) and usage
// corrections (the latest update wins). Only the keys travel; the rows stay where they were read.
#include <cstdint>
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
  std::string key;
  std::int64_t updated = 0;
  RowRef ref;
  std::int32_t origin = 0;  // rank that holds the row
  std::int64_t index = 0;   // its position there
  BA_FIELDS(key, updated, ref, origin, index)
};

// Plain logic: marks the winner of every key among candidates that hold all rows of their keys.
// Returns one flag per candidate, in input order.
std::vector<bool> pick_winners(const std::vector<Candidate>& candidates, Prefer prefer);

// Collective: `keys[i]`/`updated[i]`/`refs[i]` describe local row i. Returns, per local row,
// whether it wins its key across all ranks.
std::vector<bool> select_winners(const mpi::Comm& comm, const std::vector<std::string>& keys,
                                 const std::vector<std::int64_t>& updated, const std::vector<RowRef>& refs,
                                 Prefer prefer);

}  // namespace ba
