#pragma once
// Reads the records of one feed that fall into this rank's byte ranges. Record boundaries are
// agreed across ranks by an exclusive scan of quote and line-feed counts (see record_reader.hpp).
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "csv/fields.hpp"
#include "csv/record_reader.hpp"
#include "ingest/feed_files.hpp"
#include "ingest/header.hpp"
#include "mpi/comm.hpp"

namespace ba {

struct RawRecord {
  std::size_t file = 0;
  const csv::RecordView* record = nullptr;
  csv::FieldStatus status = csv::FieldStatus::ok;
  const std::vector<std::string_view>* fields = nullptr;
};

using HeaderHandler = std::function<void(std::size_t file, const Header& header)>;
using RecordHandler = std::function<void(const RawRecord& raw)>;

// Collective: every rank calls it with the same files. Calls on_header once per file this rank
// reads (before its records), then on_record for every data record starting in its ranges.
// With `progress`, rank 0 prints how far it is through its ranges (ranks read equal shares).
// `on_bound`, when given, is called before any record with the line feeds in this rank's ranges:
// at least as many as the records it will see, known before they are parsed.
void read_feed(const mpi::Comm& comm, const std::vector<FeedFile>& files, std::size_t chunk_bytes,
               const HeaderHandler& on_header, const RecordHandler& on_record, const std::string& progress = {},
               const std::function<void(std::int64_t)>& on_bound = {});

}  // namespace ba
