#pragma once
// Which files a run reads, and how they are split into byte ranges across ranks.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/time.hpp"

namespace ba {

struct FeedFile {
  std::string path;     // as opened
  std::string display;  // relative to the feeds root, as reported in rejects
  std::int64_t size = 0;
  std::int64_t modified_ns = 0;  // modification time when the run planned its inputs
  std::string edges{};           // edges_digest of the planned bytes, when the run planned
  BA_FIELDS(path, display, size, modified_ns, edges)
};

// A period of one cadence: [begin, end) in UTC.
struct Period {
  std::string cadence;  // "monthly" or "daily"
  std::string label;    // "2026-10" or "2026-10-14"
  Instant begin = 0;
  Instant end = 0;
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;  // 0 for monthly
  bool contains(Instant t) const { return t >= begin && t < end; }
  std::string name() const { return cadence + "-" + label; }
  BA_FIELDS(cadence, label, begin, end, year, month, day)
};

// Parses and validates --cadence/--period; throws bad_arguments naming the bad value.
Period make_period(const std::string& cadence, const std::string& label);

struct FeedLayout {
  std::string name;      // "billing_event"
  std::string folder;    // "billing_event_v1"
  bool historized = false;  // dimension: every month up to the period, else the period's month only
};

// Lists the files of one feed for the period (rank 0 only: touches the file system). A missing
// fact file is a fatal input error naming the path.
std::vector<FeedFile> list_feed_files(const std::string& feeds_root, const FeedLayout& feed, const Period& period);

// A file's modification time in nanoseconds (io_failure naming the file when it cannot be read).
std::int64_t modified_ns(const std::string& path, const std::string& display);

// SHA-256 (hex) of the first and the last 4 KiB of a file's first `size` bytes: a cheap
// fingerprint of the bytes a run plans to read, taken again when the file has grown, so that a
// file rewritten whole (not appended to) is told from one that grew (io_failure naming the file
// when it cannot be read).
std::string edges_digest(const std::string& path, const std::string& display, std::int64_t size);

// Whether an input file is still as the run planned it (size, modification time), asked once the
// run has read everything, before it publishes: a month's file grows during the month, and a
// delivery appended while the job ran must not end up half in its outputs. Returns nothing when
// the file is unchanged. When it only grew and its planned bytes end where a record ends (a line
// feed outside quotes) and the first and last of them are unchanged (`edges`), the run read whole
// records: returns a warning saying that the appended bytes are not in this run. Anything else
// (the planned bytes end inside a record or changed, the file shrank, was rewritten or is gone)
// fails with io_failure naming the file: the run may
// have read a half-written or changing file.
std::optional<std::string> changed_since_plan(const FeedFile& planned, std::size_t chunk_bytes);

// The part of the concatenated files that rank `rank` of `ranks` reads.
struct ByteSlice {
  std::size_t file = 0;
  std::int64_t begin = 0;
  std::int64_t end = 0;
};
std::vector<ByteSlice> slices_for_rank(const std::vector<FeedFile>& files, int rank, int ranks);

}  // namespace ba
