#include "ingest/ledger.hpp"

#include "common/error.hpp"

namespace ba {

std::int64_t FeedCounts::rejected_total() const {
  std::int64_t total = 0;
  for (const auto& [reason, n] : rejected) total += n;
  return total;
}

void Ledger::reject(const std::string& feed_name, const std::string& file, std::int64_t line, std::string_view reason,
                    std::string_view text) {
  feeds_[feed_name].rejected[std::string(reason)] += 1;
  rejects_.push_back(Reject{feed_name, file, std::string(reason), printable_raw_text(text), line});
}

void Ledger::reject_late(const std::string& feed_name, std::int64_t FeedCounts::*from, std::string_view reason,
                         const RowRef& ref) {
  auto& counts = feeds_[feed_name];
  if (from) counts.*from -= 1;  // may go negative on this rank: the row was counted on another one
  counts.rejected[std::string(reason)] += 1;
  late_.push_back(LateReject{feed_name, std::string(reason), ref});
}

const std::vector<FeedFile>& Ledger::files(const std::string& feed_name) const {
  const auto it = files_.find(feed_name);
  ensure(it != files_.end(), "files of feed " + feed_name + " registered");
  return it->second;
}

void merge_counts(FeedCounts& into, const FeedCounts& from) {
  into.read += from.read;
  into.used += from.used;
  into.outside_period += from.outside_period;
  into.not_enrolled += from.not_enrolled;
  into.superseded += from.superseded;
  for (const auto& [reason, n] : from.rejected) into.rejected[reason] += n;
}

}  // namespace ba
