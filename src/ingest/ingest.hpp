#pragma once
// Parses one feed into typed rows on every rank (each rank its own byte ranges). Rows that cannot
// be used are rejected into the ledger with their reason; nothing is skipped silently.
#include <memory>
#include <string>
#include <vector>

#include "ingest/feed_reader.hpp"
#include "ingest/ledger.hpp"
#include "ingest/rows.hpp"
#include "mpi/comm.hpp"

namespace ba {

template <class Row>
std::vector<Row> ingest_feed(const mpi::Comm& comm, const std::string& feed, const std::vector<FeedFile>& files,
                             std::size_t chunk_bytes, Ledger& ledger, bool progress = false) {
  ledger.set_files(feed, files);
  std::vector<Row> rows;
  std::unique_ptr<RowParser<Row>> parser;
  FeedCounts& counts = ledger.feed(feed);
  read_feed(
      comm, files, chunk_bytes,
      [&](std::size_t file, const Header& header) {
        parser = std::make_unique<RowParser<Row>>(header, files[file].display);
      },
      [&](const RawRecord& raw) {
        counts.read += 1;
        const auto& rec = *raw.record;
        const auto reject = [&](std::string_view why) {
          ledger.reject(feed, files[raw.file].display, rec.line, why, rec.text);
        };
        if (raw.status == csv::FieldStatus::unterminated_quote) return reject(reason::unterminated_quote);
        // Text cells end up in fixed-length HDF5 strings and UTF-8 deliveries: refuse what
        // cannot be carried faithfully instead of failing the run later.
        if (rec.text.find('\0') != std::string_view::npos) return reject(reason::nul_byte);
        if (!is_valid_utf8(rec.text)) return reject(reason::invalid_utf8);
        if (raw.status == csv::FieldStatus::bad_quoting) return reject(reason::bad_quoting);
        if (raw.fields->size() != parser->columns()) return reject(reason::column_count);
        Row row{};
        if (const auto why = parser->parse(*raw.fields, row); !why.empty()) return reject(why);
        row.ref = RowRef{static_cast<std::int32_t>(raw.file), rec.offset, rec.length, rec.line};
        rows.push_back(std::move(row));
      },
      progress ? feed : std::string());
  return rows;
}

}  // namespace ba
