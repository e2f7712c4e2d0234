#include "ingest/feed_files.hpp"

#include <algorithm>
#include <filesystem>
#include <regex>

#include <sys/stat.h>

#include "common/error.hpp"
#include "common/file.hpp"
#include "common/sha256.hpp"
#include "csv/record_reader.hpp"

namespace ba {

namespace fs = std::filesystem;

Period make_period(const std::string& cadence, const std::string& label) {
  Period p;
  p.cadence = cadence;
  p.label = label;
  if (cadence == "monthly") {
    const auto first = parse_date(label + "-01");
    if (label.size() != 7 || !first)
      fail(ExitCode::bad_arguments, "--period '" + label + "' is not a month YYYY-MM (needed by --cadence monthly" +
                                        (parse_date(label) ? "; a day needs --cadence daily)" : ")"));
    p.begin = *first;
    int y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(p.begin / kSecondsPerDay, y, m, d);
    p.year = y;
    p.month = m;
    p.end = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * kSecondsPerDay;
  } else if (cadence == "daily") {
    const auto day = parse_date(label);
    if (!day)
      fail(ExitCode::bad_arguments, "--period '" + label + "' is not a day YYYY-MM-DD (needed by --cadence daily" +
                                        (label.size() == 7 && parse_date(label + "-01") ? "; a month needs --cadence monthly)" : ")"));
    p.begin = *day;
    p.end = *day + kSecondsPerDay;
    int y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(p.begin / kSecondsPerDay, y, m, d);
    p.year = y;
    p.month = m;
    p.day = d;
  } else {
    fail(ExitCode::bad_arguments, "--cadence '" + cadence + "' is not one of: monthly, daily");
  }
  return p;
}

namespace {

std::string two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

FeedFile describe(const fs::path& path, const std::string& root) {
  FeedFile f;
  f.path = path.string();
  f.display = fs::relative(path, root).string();
  f.size = file_size(f.path);
  return f;
}

}  // namespace

std::vector<FeedFile> list_feed_files(const std::string& feeds_root, const FeedLayout& feed, const Period& period) {
  const fs::path base = fs::path(feeds_root) / feed.folder;
  std::vector<FeedFile> files;
  if (!feed.historized) {
    const fs::path path = base / ("year=" + std::to_string(period.year)) / ("month=" + two(period.month)) / "data.csv";
    if (!fs::is_regular_file(path))
      fail(ExitCode::bad_input, "missing input: feed " + feed.name + " has no file for " + period.label.substr(0, 7) +
                                    " (expected " + path.string() + ")");
    files.push_back(describe(path, feeds_root));
    return files;
  }
  // Every year=YYYY/month=MM up to the period's month, oldest first (2010-01 is the backfill).
  std::error_code ec;
  if (!fs::is_directory(base, ec)) fail(ExitCode::bad_input, "missing input: no folder " + base.string() + " for feed " + feed.name);
  static const std::regex year_re("year=(\\d{4})"), month_re("month=(\\d{2})");
  std::vector<std::pair<int, fs::path>> found;
  for (const auto& y : fs::directory_iterator(base)) {
    std::smatch ym;
    const std::string yname = y.path().filename().string();
    if (!y.is_directory() || !std::regex_match(yname, ym, year_re)) continue;
    for (const auto& m : fs::directory_iterator(y.path())) {
      std::smatch mm;
      const std::string mname = m.path().filename().string();
      if (!m.is_directory() || !std::regex_match(mname, mm, month_re)) continue;
      const int key = std::stoi(ym[1]) * 100 + std::stoi(mm[1]);
      if (key > period.year * 100 + static_cast<int>(period.month)) continue;  // after the period
      const fs::path data = m.path() / "data.csv";
      if (fs::is_regular_file(data)) found.emplace_back(key, data);
    }
  }
  std::sort(found.begin(), found.end());
  if (found.empty())
    fail(ExitCode::bad_input, "missing input: feed " + feed.name + " has no year=YYYY/month=MM/data.csv under " + base.string() +
                                  " up to " + period.label.substr(0, 7));
  for (const auto& [key, path] : found) files.push_back(describe(path, feeds_root));
  return files;
}

std::vector<ByteSlice> slices_for_rank(const std::vector<FeedFile>& files, int rank, int ranks) {
  std::int64_t total = 0;
  for (const auto& f : files) total += f.size;
  // Equal shares of the concatenation; __int128 keeps total * rank exact for any size.
  const auto share = [&](int r) {
    return static_cast<std::int64_t>(static_cast<__int128>(total) * r / ranks);
  };
  const std::int64_t lo = share(rank), hi = share(rank + 1);
  std::vector<ByteSlice> slices;
  std::int64_t at = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::int64_t fb = at, fe = at + files[i].size;
    at = fe;
    const std::int64_t b = std::max(lo, fb), e = std::min(hi, fe);
    if (b < e) slices.push_back({i, b - fb, e - fb});
  }
  return slices;
}

namespace {

struct FileState {
  std::int64_t size = 0;
  std::int64_t modified_ns = 0;
};

std::optional<FileState> state_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileState{static_cast<std::int64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

}  // namespace

std::int64_t modified_ns(const std::string& path, const std::string& display) {
  const auto state = state_of(path);
  if (!state) fail(ExitCode::io_failure, "input file " + display + " (" + path + "): cannot read its modification time");
  return state->modified_ns;
}

std::string edges_digest(const std::string& path, const std::string& display, std::int64_t size) {
  constexpr std::int64_t kEdge = 4096;
  InputFile in(path);
  Sha256 digest;
  std::string bytes;
  // The head, then the tail (the same bytes twice in a file under 8 KiB: still a fingerprint).
  for (const std::int64_t from : {std::int64_t{0}, std::max<std::int64_t>(0, size - kEdge)}) {
    bytes.resize(static_cast<std::size_t>(std::min(kEdge, size - from)));
    if (in.read_at(from, bytes.data(), bytes.size()) != bytes.size())
      fail(ExitCode::io_failure, "input file " + display + " (" + path + "): shorter than the " + std::to_string(size) +
                                     " bytes planned");
    digest.update(bytes);
  }
  return digest.hex();
}

std::optional<std::string> changed_since_plan(const FeedFile& planned, std::size_t chunk_bytes) {
  const auto now = state_of(planned.path);
  const std::string rerun = ": the run may have read a half-written or changing file, so nothing was published; rerun "
                            "the period once the file is complete";
  if (!now) fail(ExitCode::io_failure, "input file " + planned.display + " (" + planned.path + ") is gone since the run planned its inputs" + rerun);
  if (now->size == planned.size && now->modified_ns == planned.modified_ns) return std::nullopt;
  const std::string what = "input file " + planned.display + " changed while the run read it (" +
                           std::to_string(planned.size) + " -> " + std::to_string(now->size) + " bytes";
  if (now->size > planned.size && planned.size > 0) {
    InputFile in(planned.path);
    char last = 0;
    const bool ends_record = in.read_at(planned.size - 1, &last, 1) == 1 && last == '\n' &&
                             csv::count_range(in, 0, planned.size, chunk_bytes).quotes % 2 == 0;
    // The file also grows when it is rewritten whole with more rows: the planned bytes then
    // differ, most likely at one of their ends.
    if (ends_record && edges_digest(planned.path, planned.display, planned.size) != planned.edges)
      fail(ExitCode::io_failure, what + ", rewritten: the first or last of the bytes planned differ)" + rerun);
    if (ends_record)
      return what + "): its planned bytes end where a record ends, so the run read whole records; the " +
             std::to_string(now->size - planned.size) + " bytes appended since are not in this run";
  }
  fail(ExitCode::io_failure, what + (now->size == planned.size ? ", rewritten in place)" : ")") + rerun);
}

}  // namespace ba
