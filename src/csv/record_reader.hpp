#pragma once
// Streams the records of one file that start inside a byte range, in bounded chunks.
//
// A record ends at a '\n' preceded by an even number of '"' in the file (RFC 4180 quotes come in
// pairs, a doubled quote included), so given the quote parity at the range start the boundaries
// are exact: no guessing, no lost or duplicated row at any split.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/file.hpp"

namespace ba::csv {

struct RecordView {
  std::int64_t offset = 0;   // byte offset of the record's first byte in the file
  std::int64_t length = 0;   // bytes up to (not including) the terminating '\n' (or end of file)
  std::int64_t line = 0;     // physical line where it starts, 1-based
  std::string_view text;     // the record without its line end ("\r\n" ends a line too)
  bool unterminated = false; // reached end of file inside a quoted field
};

// Counts of one byte range, combined across ranks by an exclusive scan.
struct RangeCounts {
  std::int64_t quotes = 0;
  std::int64_t newlines = 0;
};

RangeCounts count_range(const InputFile& file, std::int64_t begin, std::int64_t end, std::size_t chunk_bytes);

class RecordReader {
 public:
  // Reads the records that start at or after `begin` and before `end`. `quotes_before` and
  // `newlines_before` are the counts of '"' and '\n' in [0, begin) of the file.
  RecordReader(const InputFile& file, std::int64_t begin, std::int64_t end, std::int64_t quotes_before,
               std::int64_t newlines_before, std::size_t chunk_bytes);

  // The next record, or false when no more records start inside the range.
  bool next(RecordView& record);

 private:
  bool fill();  // appends one chunk; false at end of file
  void compact();  // drops the bytes before cursor_
  const InputFile& file_;
  std::int64_t end_;
  std::size_t chunk_;
  // Not a std::string: growing one zero-fills every chunk before the read overwrites it.
  std::unique_ptr<char[]> buffer_;
  std::size_t size_ = 0;      // bytes held
  std::size_t capacity_ = 0;  // bytes allocated
  std::int64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  std::size_t cursor_ = 0;          // start of the next record in buffer_
  std::int64_t line_ = 1;
  bool eof_ = false;
  bool positioned_ = false;
  std::int64_t begin_;
  std::int64_t quotes_before_;
};

}  // namespace ba::csv
