#include "csv/record_reader.hpp"

#include <algorithm>
#include <cstring>

namespace ba::csv {

RangeCounts count_range(const InputFile& file, std::int64_t begin, std::int64_t end, std::size_t chunk_bytes) {
  RangeCounts counts;
  std::string buffer(std::max<std::size_t>(chunk_bytes, 1), '\0');
  for (std::int64_t at = begin; at < end;) {
    const auto want = static_cast<std::size_t>(std::min<std::int64_t>(end - at, static_cast<std::int64_t>(buffer.size())));
    const std::size_t got = file.read_at(at, buffer.data(), want);
    if (got == 0) break;
    const char* p = buffer.data();
    for (std::size_t k = 0; k < got; ++k) {
      counts.quotes += p[k] == '"';
      counts.newlines += p[k] == '\n';
    }
    at += static_cast<std::int64_t>(got);
  }
  return counts;
}

RecordReader::RecordReader(const InputFile& file, std::int64_t begin, std::int64_t end, std::int64_t quotes_before,
                           std::int64_t newlines_before, std::size_t chunk_bytes)
    : file_(file),
      end_(end),
      chunk_(std::max<std::size_t>(chunk_bytes, 1)),
      buffer_offset_(begin),
      line_(1 + newlines_before),
      begin_(begin),
      quotes_before_(quotes_before) {}

bool RecordReader::fill() {
  if (eof_) return false;
  const std::size_t old = buffer_.size();
  buffer_.resize(old + chunk_);
  const std::size_t got = file_.read_at(buffer_offset_ + static_cast<std::int64_t>(old), buffer_.data() + old, chunk_);
  buffer_.resize(old + got);
  if (got < chunk_) eof_ = true;
  return got > 0;
}

bool RecordReader::next(RecordView& record) {
  if (!positioned_) {
    positioned_ = true;
    if (begin_ > 0) {
      // Find the first record start in [begin, end): the byte after a '\n' at even parity, where
      // the '\n' may be the byte just before begin. Read from begin - 1 to see it.
      buffer_offset_ = begin_ - 1;
      bool parity_odd = (quotes_before_ % 2) != 0;
      // quotes_before counts [0, begin): remove byte begin-1 if it is a quote, it is scanned below.
      std::size_t scan = 0;
      bool found = false;
      bool first = true;
      while (!found) {
        if (scan == buffer_.size() && !fill()) break;
        const char c = buffer_[scan];
        if (first) {
          if (c == '"') parity_odd = !parity_odd;  // undo: it is counted again below
          first = false;
        }
        if (c == '"') {
          parity_odd = !parity_odd;
        } else if (c == '\n') {
          if (scan > 0) ++line_;  // the '\n' at begin-1 is already in newlines_before
          if (!parity_odd) found = true;
        }
        ++scan;
        if (!found && buffer_offset_ + static_cast<std::int64_t>(scan) >= end_) break;  // no start in range
      }
      if (!found) {
        cursor_ = 0;
        buffer_.clear();
        end_ = -1;  // nothing starts in this range
        return false;
      }
      cursor_ = scan;
    }
  }
  const std::int64_t start = buffer_offset_ + static_cast<std::int64_t>(cursor_);
  if (start >= end_) return false;
  if (cursor_ == buffer_.size() && !fill()) return false;  // end of file exactly at a boundary

  // Scan for the end of this record: a '\n' at even parity, counting lines as we go.
  std::size_t scan = cursor_;
  bool parity_odd = false;
  std::int64_t newlines_inside = 0;
  bool ended = false;
  while (true) {
    if (scan == buffer_.size()) {
      // Compact before growing so the buffer holds at most the current record plus a chunk.
      if (cursor_ > 0) {
        buffer_.erase(0, cursor_);
        buffer_offset_ += static_cast<std::int64_t>(cursor_);
        scan -= cursor_;
        cursor_ = 0;
      }
      if (!fill()) break;
    }
    const char* base = buffer_.data();
    const std::size_t limit = buffer_.size();
    for (; scan < limit; ++scan) {
      const char c = base[scan];
      if (c == '"') {
        parity_odd = !parity_odd;
      } else if (c == '\n') {
        if (!parity_odd) {
          ended = true;
          break;
        }
        ++newlines_inside;
      }
    }
    if (ended) break;
  }
  record.offset = buffer_offset_ + static_cast<std::int64_t>(cursor_);
  record.line = line_;
  record.unterminated = !ended && parity_odd;
  std::size_t text_end = scan;
  if (ended && text_end > cursor_ && buffer_[text_end - 1] == '\r') --text_end;  // "\r\n"
  record.text = std::string_view(buffer_.data() + cursor_, text_end - cursor_);
  record.length = static_cast<std::int64_t>(scan - cursor_);
  line_ += newlines_inside + (ended ? 1 : 0);
  cursor_ = ended ? scan + 1 : scan;
  if (!ended && record.text.empty()) return false;  // nothing after the last line end
  return true;
}

}  // namespace ba::csv
