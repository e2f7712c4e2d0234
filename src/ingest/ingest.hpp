#pragma once
// Parses one feed into typed rows on every rank (each rank its own byte ranges). Rows that cannot
// be used are rejected into the ledger with their reason; nothing is skipped silently.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ingest/feed_reader.hpp"
#include "ingest/ledger.hpp"
#include "ingest/rows.hpp"
#include "mpi/comm.hpp"

namespace ba {

// Collective. Calls on_row(row) for every valid row of this rank's byte ranges. When `ledger` is
// given, counts the rows read and rejects the bad ones (the first pass over a feed); a later pass
// over the same feed passes nullptr and sees the same valid rows. `on_bound`: see read_feed.
template <class Row, class OnRow>
void scan_feed(const mpi::Comm& comm, const std::string& feed, const std::vector<FeedFile>& files,
               std::size_t chunk_bytes, Ledger* ledger, bool progress, OnRow&& on_row,
               const std::function<void(std::int64_t)>& on_bound = {}) {
  if (ledger) ledger->set_files(feed, files);
  std::unique_ptr<RowParser<Row>> parser;
  FeedCounts* counts = ledger ? &ledger->feed(feed) : nullptr;
  Row row{};
  read_feed(
      comm, files, chunk_bytes,
      [&](std::size_t file, const Header& header) {
        parser = std::make_unique<RowParser<Row>>(header, files[file].display);
      },
      [&](const RawRecord& raw) {
        const auto& rec = *raw.record;
        if (counts) counts->read += 1;
        const auto reject = [&](std::string_view why) {
          if (ledger) ledger->reject(feed, files[raw.file].display, rec.line, why, rec.text);
        };
        if (raw.status == csv::FieldStatus::unterminated_quote) return reject(reason::unterminated_quote);
        // Text cells end up in fixed-length HDF5 strings and UTF-8 deliveries: refuse what
        // cannot be carried faithfully instead of failing the run later.
        if (!is_ascii_without_nul(rec.text)) {
          if (rec.text.find('\0') != std::string_view::npos) return reject(reason::nul_byte);
          if (!is_valid_utf8(rec.text)) return reject(reason::invalid_utf8);
        }
        if (raw.status == csv::FieldStatus::bad_quoting) return reject(reason::bad_quoting);
        if (raw.fields->size() != parser->columns()) return reject(reason::column_count);
        if (const auto why = parser->parse(*raw.fields, row); !why.empty()) return reject(why);
        row.ref = RowRef{static_cast<std::int32_t>(raw.file), rec.offset, rec.length, rec.line};
        on_row(row);
      },
      progress ? feed : std::string(), on_bound);
}

// Collective. Every valid row of this rank's ranges, kept (dimension feeds and the registry:
// rows that own their strings).
template <class Row>
std::vector<Row> ingest_feed(const mpi::Comm& comm, const std::string& feed, const std::vector<FeedFile>& files,
                             std::size_t chunk_bytes, Ledger& ledger, bool progress = false) {
  std::vector<Row> rows;
  scan_feed<Row>(comm, feed, files, chunk_bytes, &ledger, progress, [&](const Row& r) { rows.push_back(r); });
  return rows;
}

// Re-reads stored rows of one feed (duplicate checks, late rejects): each file's header is read
// and its parser bound once, then every row costs one small read.
template <class Row>
class RowRereader {
 public:
  RowRereader(const std::vector<FeedFile>& files, std::size_t chunk_bytes) : files_(files), chunk_(chunk_bytes) {}

  template <class OnRow>
  void reread(const RowRef& ref, OnRow&& on_row) {
    auto& open = open_[static_cast<std::size_t>(ref.file)];
    const FeedFile& file = files_.at(static_cast<std::size_t>(ref.file));
    if (!open.parser) {
      open.parser = std::make_unique<RowParser<Row>>(read_header(file, chunk_), file.display);
      open.in = std::make_unique<InputFile>(file.path);
    }
    // The record and the byte after it: the text the first read parsed drops a \r only before the
    // \n that ends the record (feeds.md: a stray \r is data, one at the end of the file too).
    text_.resize(static_cast<std::size_t>(ref.length) + 1);
    text_.resize(open.in->read_at(ref.offset, text_.data(), text_.size()));
    if (text_.size() == static_cast<std::size_t>(ref.length) + 1 && text_.back() == '\n') {
      text_.pop_back();
      if (!text_.empty() && text_.back() == '\r') text_.pop_back();
    }
    Row row{};
    ensure(csv::split_fields(text_, fields_, scratch_) == csv::FieldStatus::ok &&
               fields_.size() == open.parser->columns() && open.parser->parse(fields_, row).empty(),
           "a row that parsed before parses again (" + file.display + " line " + std::to_string(ref.line) + ")");
    row.ref = ref;
    on_row(row);
  }

 private:
  struct Open {
    std::unique_ptr<RowParser<Row>> parser;
    std::unique_ptr<InputFile> in;
  };
  const std::vector<FeedFile>& files_;
  std::size_t chunk_;
  std::map<std::size_t, Open> open_;
  std::string text_, scratch_;
  std::vector<std::string_view> fields_;
};

}  // namespace ba
