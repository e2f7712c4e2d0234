#pragma once
// Reading a fact feed once (billing events, usage records): every valid row is counted and folded
// into this rank's partial groups as it is read, before the ranks agree which row wins its key;
// the rows that lost (duplicates, superseded corrections) are then taken out again. No rank ever
// holds the rows of a fact feed.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "aggregate/partials.hpp"
#include "common/bytes.hpp"
#include "common/error.hpp"
#include "common/memory.hpp"
#include "ingest/ingest.hpp"
#include "ingest/ledger.hpp"
#include "model/winners.hpp"
#include "mpi/comm.hpp"

namespace ba {

// The rows of a fact feed that lose their key (duplicates, superseded corrections).
struct LosingRows {
  std::vector<RowRef> rows;          // every valid row read here, in read order
  std::vector<std::size_t> losers;   // the rows (indices into `rows`) that lose their key
  std::unordered_set<std::uint64_t> positions;  // of the losers
  static std::uint64_t position(const RowRef& ref) {
    return (static_cast<std::uint64_t>(ref.file) << 44) ^ static_cast<std::uint64_t>(ref.offset);
  }
  bool contains(const RowRef& ref) const { return !positions.empty() && positions.count(position(ref)) > 0; }
};

// The keys of a fact feed's valid rows read on this rank, in read order: what the ranks need to
// agree which row wins each key.
struct FactKeys {
  std::vector<std::uint64_t> hashes;
  std::vector<std::int64_t> updated;
  std::vector<RowRef> refs;
};

// The one read of a fact feed: validates every row (counting rows read and rejects) and keeps
// each valid row's key. KeyFn writes a row's key into its string argument; on_valid_row sees every
// valid row once, in read order, before anyone knows whether it wins; on_bound gets a bound on
// this rank's rows first (see read_feed).
template <class Row, class KeyFn, class OnValidRow>
FactKeys read_fact_feed(const mpi::Comm& comm, const std::string& feed, const std::vector<FeedFile>& files,
                        std::size_t chunk, Ledger& ledger, bool progress, KeyFn key_of, OnValidRow on_valid_row,
                        const std::function<void(std::int64_t)>& on_bound) {
  FactKeys keys;
  std::string key;
  scan_feed<Row>(
      comm, feed, files, chunk, &ledger, progress,
      [&](const Row& r) {
        on_valid_row(r);
        key_of(r, key);
        keys.hashes.push_back(stable_hash(key));
        if constexpr (requires { r.updated; }) keys.updated.push_back(r.updated);
        else keys.updated.push_back(0);
        keys.refs.push_back(r.ref);
      },
      [&](std::int64_t bound) {
        // Grown by doubling, these would leave holes among the groups folded meanwhile.
        const auto n = static_cast<std::size_t>(bound);
        reserve_if_granted(keys.hashes, n);
        reserve_if_granted(keys.updated, n);
        reserve_if_granted(keys.refs, n);
        on_bound(bound);
      });
  return keys;
}

// Collective: agrees with the other ranks which row wins each key of a fact feed read by
// read_fact_feed. Called once every fact feed is read: its temporary memory then lies above
// all the partial groups, not among them.
template <class Row, class KeyFn>
LosingRows losing_rows(const mpi::Comm& comm, const std::vector<FeedFile>& files, std::size_t chunk, Prefer prefer,
                       KeyFn key_of, FactKeys keys) {
  RowRereader<Row> rereader(files, chunk);
  const auto wins = select_winners(comm, keys.hashes, keys.updated, keys.refs, prefer, [&](std::size_t i) {
    std::string full;
    rereader.reread(keys.refs[i], [&](const Row& r) { key_of(r, full); });
    return full;
  });
  free_now(keys.hashes);
  free_now(keys.updated);
  LosingRows losers;
  for (std::size_t i = 0; i < keys.refs.size(); ++i)
    if (!wins[i]) {
      losers.losers.push_back(i);
      losers.positions.insert(LosingRows::position(keys.refs[i]));
    }
  losers.rows = std::move(keys.refs);
  return losers;
}

// Rows are read again one by one while they are at most 1/kRereadShare of a feed's valid rows.
// On the 10M-event month a read of one row took about 1.3 us and a pass about 1 us per row: a
// pass pays for every row, the reads only for theirs.
constexpr std::int64_t kRereadShare = 4;

// What the read did with a valid fact row: the counter it went to and, when used, where it was
// folded (Folded, packed in 8 bytes: a month holds hundreds of millions of rows).
struct RowFate {
  enum Count : std::uint8_t { outside_period, not_enrolled, used, superseded };
  std::uint32_t index = 0;
  Folded::Kind kind = Folded::none;
  Count count = outside_period;
  Folded folded() const { return Folded{kind, index}; }
  std::int64_t FeedCounts::*counter() const {
    switch (count) {
      case outside_period: return &FeedCounts::outside_period;
      case not_enrolled: return &FeedCounts::not_enrolled;
      case used: return &FeedCounts::used;
      case superseded: break;
    }
    return &FeedCounts::superseded;
  }
};

// Takes back what the read did with the rows of a fact feed that lost their key (collective):
// `lost(fate, ref)` moves each loser from its counter; a used loser's amounts leave the control
// totals and its group is marked; the winning rows of marked groups fold again
// (PartialAggregates::mark). Those rows are read again one by one when they are few, as they are
// in a normal month; when they are many (a month whose rows were delivered twice), in one more
// pass over the feed, which costs less than a read per row.
template <class Row, class Lost>
void undo_losing_rows(const mpi::Comm& comm, const std::string& feed, const std::vector<FeedFile>& files,
                      std::size_t chunk, bool progress, LosingRows& losing, std::vector<RowFate>& fates,
                      PartialAggregates& partials, Ledger& ledger, Lost lost) {
  ensure(fates.size() == losing.rows.size(), "a fate for every valid row");
  std::vector<bool> loses(fates.size());
  for (const std::size_t i : losing.losers) {
    loses[i] = true;
    lost(fates[i], losing.rows[i]);
    if (fates[i].count == RowFate::used) partials.mark(fates[i].folded());
  }
  const auto again = [&](std::size_t i) {
    return fates[i].count == RowFate::used && (loses[i] || partials.marked(fates[i].folded()));
  };
  const auto redo = [&](std::size_t i, const Row& r) {
    if (loses[i])
      partials.withdraw(r, fates[i].folded(), ledger);
    else
      partials.refold(r, fates[i].folded());
  };
  std::int64_t rows_again = 0;
  if (!losing.losers.empty())
    for (std::size_t i = 0; i < fates.size(); ++i) rows_again += again(i) ? 1 : 0;
  const std::int64_t all_again = comm.sum(rows_again);
  const bool one_by_one = all_again * kRereadShare <= comm.sum(static_cast<std::int64_t>(fates.size()));
  if (progress && comm.is_root() && all_again > 0)
    std::fprintf(stderr, "[buyer-attribution] fold: %lld row%s of %s read again, %s\n",
                 static_cast<long long>(all_again), all_again == 1 ? "" : "s", feed.c_str(),
                 one_by_one ? "one by one" : "in a second pass over the feed");
  if (one_by_one) {
    RowRereader<Row> rereader(files, chunk);
    if (rows_again > 0)
      for (std::size_t i = 0; i < fates.size(); ++i)
        if (again(i)) rereader.reread(losing.rows[i], [&](const Row& r) { redo(i, r); });
  } else {
    // A later pass sees the same valid rows in the same order (scan_feed).
    std::size_t i = 0;
    scan_feed<Row>(comm, feed, files, chunk, nullptr, false, [&](const Row& r) {
      if (again(i)) redo(i, r);
      ++i;
    });
    ensure(i == fates.size(), "the pass over " + feed + " again sees every valid row of the first");
  }
  free_now(losing.rows);
  free_now(fates);
}

}  // namespace ba
