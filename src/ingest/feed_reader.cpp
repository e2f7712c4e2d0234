#include "ingest/feed_reader.hpp"

#include <memory>

#include "common/progress.hpp"

namespace ba {

void read_feed(const mpi::Comm& comm, const std::vector<FeedFile>& files, std::size_t chunk_bytes,
               const HeaderHandler& on_header, const RecordHandler& on_record, const std::string& progress,
               const std::function<void(std::int64_t)>& on_bound) {
  const auto slices = slices_for_rank(files, comm.rank(), comm.size());
  std::int64_t my_bytes = 0;
  for (const auto& s : slices) my_bytes += s.end - s.begin;
  Progress shown(progress, my_bytes, "B", !progress.empty() && comm.is_root());

  // Pass 1: quotes and line feeds in this rank's slices, scanned across ranks per file.
  std::vector<std::int64_t> counts(files.size() * 2, 0);
  for (const auto& s : slices) {
    InputFile in(files[s.file].path);
    const auto c = csv::count_range(in, s.begin, s.end, chunk_bytes);
    counts[s.file * 2] = c.quotes;
    counts[s.file * 2 + 1] = c.newlines;
  }
  const auto before = comm.exclusive_prefix_sum(counts);
  if (on_bound) {
    std::int64_t lines = 0;
    for (const auto& s : slices) lines += counts[s.file * 2 + 1];
    on_bound(lines + static_cast<std::int64_t>(slices.size()));  // a last record may lack its line feed
  }

  // Pass 2: the records that start in each slice.
  std::vector<std::string_view> fields;
  std::string scratch;
  for (const auto& s : slices) {
    const FeedFile& file = files[s.file];
    InputFile in(file.path);
    on_header(s.file, read_header(file, chunk_bytes));
    csv::RecordReader reader(in, s.begin, s.end, before[s.file * 2], before[s.file * 2 + 1], chunk_bytes);
    csv::RecordView record;
    while (reader.next(record)) {
      shown.advance(record.length + 1);
      if (record.offset == 0) continue;  // the header row
      RawRecord raw;
      raw.file = s.file;
      raw.record = &record;
      raw.status = record.unterminated ? csv::FieldStatus::unterminated_quote
                                       : csv::split_fields(record.text, fields, scratch);
      raw.fields = &fields;
      on_record(raw);
    }
  }
}

}  // namespace ba
