// The word-at-a-time fast paths of ingestion against straightforward byte-by-byte references
// (the implementations they replaced): same answers on tricky and on random inputs.
#include <gtest/gtest.h>


#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/money.hpp"
#include "csv/fields.hpp"
#include "csv/record_reader.hpp"
#include "csv/swar.hpp"
#include "ingest/rows.hpp"
#include "temp_dir.hpp"

using namespace ba;

namespace {

// ---- references ---------------------------------------------------------------------------

bool reference_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

struct Split {
  csv::FieldStatus status;
  std::vector<std::string> fields;  // compared only when status is ok
  bool operator==(const Split& o) const {
    return status == o.status && (status != csv::FieldStatus::ok || fields == o.fields);
  }
};

Split reference_split(std::string_view record) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  const std::size_t n = record.size();
  while (true) {
    if (i < n && record[i] == '"') {
      std::string cell;
      ++i;
      bool closed = false;
      while (i < n) {
        if (record[i] == '"') {
          if (i + 1 < n && record[i + 1] == '"') {
            cell.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        cell.push_back(record[i++]);
      }
      if (!closed) return {csv::FieldStatus::unterminated_quote, {}};
      fields.push_back(cell);
      if (i == n) return {csv::FieldStatus::ok, fields};
      if (record[i] != ',') return {csv::FieldStatus::bad_quoting, {}};
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < n && record[i] != ',') {
      if (record[i] == '"') return {csv::FieldStatus::bad_quoting, {}};
      ++i;
    }
    fields.emplace_back(record.substr(begin, i - begin));
    if (i == n) return {csv::FieldStatus::ok, fields};
    ++i;
  }
}

Split fast_split(std::string_view record) {
  std::vector<std::string_view> fields{"stale"};  // must be cleared
  std::string scratch = "stale";
  const auto status = csv::split_fields(record, fields, scratch);
  return {status, {fields.begin(), fields.end()}};
}

struct Rec {
  std::int64_t offset, length, line;
  std::string text;
  bool unterminated;
  bool operator==(const Rec&) const = default;
};

// Records of a whole file, byte by byte: a record ends at a '\n' with an even count of quotes.
std::vector<Rec> reference_records(const std::string& content) {
  std::vector<Rec> out;
  std::size_t start = 0;
  std::int64_t line = 1;
  while (start < content.size()) {
    bool odd = false;
    std::int64_t inside = 0;
    std::size_t k = start;
    for (; k < content.size(); ++k) {
      if (content[k] == '"') odd = !odd;
      else if (content[k] == '\n' && !odd) break;
      else if (content[k] == '\n') ++inside;
    }
    const bool ended = k < content.size();
    std::size_t text_end = k;
    if (ended && text_end > start && content[text_end - 1] == '\r') --text_end;
    out.push_back(Rec{static_cast<std::int64_t>(start), static_cast<std::int64_t>(k - start), line,
                      content.substr(start, text_end - start), !ended && odd});
    line += inside + 1;
    start = k + 1;
  }
  return out;
}

// Reads [0, size) split into `parts` equal ranges, as that many ranks would.
std::vector<Rec> read_in_parts(const std::string& path, std::int64_t size, int parts, std::size_t chunk) {
  InputFile in(path);
  std::vector<Rec> out;
  std::int64_t quotes = 0, newlines = 0;
  for (int r = 0; r < parts; ++r) {
    const std::int64_t begin = size * r / parts, end = size * (r + 1) / parts;
    csv::RecordReader reader(in, begin, end, quotes, newlines, chunk);
    csv::RecordView v;
    while (reader.next(v)) out.push_back(Rec{v.offset, v.length, v.line, std::string(v.text), v.unterminated});
    const auto c = csv::count_range(in, begin, end, chunk);
    quotes += c.quotes;
    newlines += c.newlines;
  }
  return out;
}

std::string random_text(std::mt19937& rng, std::size_t length, std::string_view alphabet) {
  std::string s;
  for (std::size_t k = 0; k < length; ++k) s += alphabet[rng() % alphabet.size()];
  return s;
}

}  // namespace

// ---- swar ----------------------------------------------------------------------------------

TEST(Swar, MasksFlagExactlyTheMatchingBytes) {
  // Every byte value at every position, with neighbours that provoke borrows in naive tricks.
  for (int v = 0; v < 256; ++v)
    for (std::size_t at = 0; at < 8; ++at)
      for (const char fill : {'\0', '\x01', ',', '\x80', '\xff'}) {
        std::string bytes(8, fill);
        bytes[at] = static_cast<char>(v);
        const std::uint64_t w = csv::swar::load8(bytes.data());
        std::uint64_t zero = 0, comma = 0;
        for (std::size_t k = 0; k < 8; ++k) {
          if (bytes[k] == '\0') zero |= std::uint64_t{0x80} << (8 * k);
          if (bytes[k] == ',') comma |= std::uint64_t{0x80} << (8 * k);
        }
        ASSERT_EQ(csv::swar::zero_bytes(w), zero) << v << " at " << at;
        ASSERT_EQ(csv::swar::equal_bytes(w, ','), comma) << v << " at " << at;
        ASSERT_EQ(csv::swar::ascii8(w), std::none_of(bytes.begin(), bytes.end(), [](char c) {
                    return static_cast<unsigned char>(c) >= 0x80;
                  }));
        if (comma != 0) {
          ASSERT_EQ(csv::swar::first_byte(comma), bytes.find(','));
        }
      }
}

// ---- UTF-8 and NUL --------------------------------------------------------------------------

TEST(Utf8, TrickySequencesAtEveryAlignmentMatchTheReference) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"\xC3\xA9", true},              // é
      {"\xE2\x82\xAC", true},          // €
      {"\xF0\x9F\x98\x80", true},      // U+1F600
      {"\xF4\x8F\xBF\xBF", true},      // U+10FFFF, the last code point
      {"\xED\x9F\xBF", true},          // U+D7FF, just below the surrogates
      {"\xEE\x80\x80", true},          // U+E000, just above them
      {"\xC0\x80", false},             // overlong NUL
      {"\xC1\xBF", false},             // overlong
      {"\xE0\x80\x80", false},         // overlong 3-byte
      {"\xE0\x9F\xBF", false},         // overlong U+07FF
      {"\xF0\x80\x80\x80", false},     // overlong 4-byte
      {"\xF0\x8F\xBF\xBF", false},     // overlong U+FFFF
      {"\xED\xA0\x80", false},         // U+D800 surrogate
      {"\xED\xBF\xBF", false},         // U+DFFF surrogate
      {"\xF4\x90\x80\x80", false},     // U+110000
      {"\xF5\x80\x80\x80", false},     // lead byte never valid
      {"\xFF", false},
      {"\x80", false},                 // lone continuation
      {"\xBF", false},
      {"\xC3", false},                 // truncated 2-byte
      {"\xE2\x82", false},             // truncated 3-byte
      {"\xF0\x9F\x98", false},         // truncated 4-byte
      {"\xC3\x28", false},             // continuation missing
      {"\xE2\x28\xA1", false},
      {"\xF0\x9F\x28\x80", false},
  };
  for (const auto& [seq, valid] : cases)
    for (std::size_t before = 0; before <= 17; ++before)
      for (std::size_t after : {0u, 1u, 7u, 8u, 9u}) {
        // Also cut the sequence short at the end of the text: truncation across a word boundary.
        for (std::size_t cut = 0; cut <= seq.size(); ++cut) {
          const std::string text = std::string(before, 'a') + seq.substr(0, cut) + std::string(cut == seq.size() ? after : 0, 'b');
          ASSERT_EQ(is_valid_utf8(text), reference_utf8(text)) << before << " " << cut << " " << after;
        }
        const std::string text = std::string(before, 'a') + seq + std::string(after, 'b');
        ASSERT_EQ(is_valid_utf8(text), valid) << before << " " << after;
      }
}

TEST(Utf8, RandomTextsMatchTheReference) {
  std::mt19937 rng(7);
  // Mostly ASCII with a sprinkle of lead and continuation bytes, so that valid and invalid
  // texts both occur often and sequences straddle 8-byte words.
  const std::string alphabet = std::string("abcdefgh,01234567") + "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xED\xA0\xC0\xF4\x90\x80\xBF";
  int valid = 0;
  for (int round = 0; round < 200000; ++round) {
    const std::string text = random_text(rng, rng() % 40, alphabet);
    const bool expected = reference_utf8(text);
    valid += expected;
    ASSERT_EQ(is_valid_utf8(text), expected) << round;
  }
  EXPECT_GT(valid, 1000);
  EXPECT_LT(valid, 199000);
}

TEST(Utf8, EveryTwoByteTextMatchesTheReference) {
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b)
      for (std::size_t pad : {0u, 7u}) {
        const std::string text = std::string(pad, 'x') + static_cast<char>(a) + static_cast<char>(b);
        ASSERT_EQ(is_valid_utf8(text), reference_utf8(text)) << a << " " << b;
      }
}

TEST(Utf8, AsciiWithoutNulIsExactlyBytesOneTo127) {
  for (std::size_t length : {0u, 1u, 7u, 8u, 9u, 16u, 23u})
    for (std::size_t at = 0; at < length; ++at)
      for (int v : {0, 1, 0x7F, 0x80, 0xC3, 0xFF}) {
        std::string text(length, 'q');
        text[at] = static_cast<char>(v);
        ASSERT_EQ(is_ascii_without_nul(text), v >= 1 && v <= 0x7F) << length << " " << at << " " << v;
      }
  EXPECT_TRUE(is_ascii_without_nul(""));
  EXPECT_TRUE(is_ascii_without_nul("be-116847cd55,acc-s0000355,2026-10-01T00:06:32Z"));
}

// ---- fields -------------------------------------------------------------------------------

TEST(CsvFieldsFast, RandomRecordsMatchTheReference) {
  std::mt19937 rng(11);
  for (const std::string_view alphabet : {std::string_view("ab,"), std::string_view("ab,\""),
                                          std::string_view("abcdefg,,\"\r\n"), std::string_view("abcdefghijk,")}) {
    for (int round = 0; round < 50000; ++round) {
      const std::string record = random_text(rng, rng() % 48, alphabet);
      ASSERT_EQ(fast_split(record), reference_split(record)) << record;
    }
  }
}

TEST(CsvFieldsFast, CommasAtWordBoundariesAndQuotesLate) {
  for (std::size_t n = 0; n <= 24; ++n)
    for (std::size_t at = 0; at <= n; ++at) {
      std::string record(n, 'x');
      if (at < n) record[at] = ',';
      ASSERT_EQ(fast_split(record), reference_split(record)) << record;
      // A quote after several bare words: the fast path has emitted fields and must start over.
      const std::string late = record + ",\"q,\"\"x\"\"\"";
      ASSERT_EQ(fast_split(late), reference_split(late)) << late;
      const std::string stray = record + "a\"b";
      ASSERT_EQ(fast_split(stray).status, csv::FieldStatus::bad_quoting) << stray;
    }
}

// ---- records ------------------------------------------------------------------------------

TEST(CsvRecordsFast, RandomFilesMatchTheByteByByteReference) {
  std::mt19937 rng(5);
  for (int round = 0; round < 60; ++round) {
    // Short random records of quotes, commas, \r and \n, then some long plain ones.
    std::string content = random_text(rng, 200 + rng() % 600, round % 2 ? "ab,\"\n" : "abcdefgh,\r\n\"\"");
    for (int k = 0; k < 5; ++k) content += random_text(rng, 100, "abcdefgh,") + (rng() % 2 ? "\r\n" : "\n");
    const auto path = test::write_scratch_file("r" + std::to_string(round).append(".csv"), content);
    const auto expected = reference_records(content);
    const auto size = static_cast<std::int64_t>(content.size());
    for (int parts : {1, 2, 3, 7})
      for (std::size_t chunk : {1u, 5u, 8u, 64u, 1u << 16})
        ASSERT_EQ(read_in_parts(path, size, parts, chunk), expected) << round << " " << parts << " " << chunk;
  }
}

TEST(CsvRecordsFast, CountRangeCountsQuotesAndLineFeeds) {
  std::mt19937 rng(3);
  const std::string content = random_text(rng, 100000, "ab\"\n,x");
  const auto path = test::write_scratch_file("count.csv", content);
  InputFile in(path);
  for (std::size_t chunk : {1u, 7u, 4096u, 1u << 20})
    for (std::int64_t begin : {0, 1, 777}) {
      const std::int64_t end = 99001;
      const auto c = csv::count_range(in, begin, end, chunk);
      EXPECT_EQ(c.quotes, std::count(content.begin() + begin, content.begin() + end, '"'));
      EXPECT_EQ(c.newlines, std::count(content.begin() + begin, content.begin() + end, '\n'));
    }
  // Runs of one byte longer than the counters' blocks: a count that wraps would show here.
  const std::string runs = std::string(1000, '"') + std::string(1000, '\n') + std::string(300, '"');
  InputFile runs_in(test::write_scratch_file("runs.csv", runs));
  for (std::size_t chunk : {255u, 256u, 1u << 20}) {
    const auto c = csv::count_range(runs_in, 0, static_cast<std::int64_t>(runs.size()), chunk);
    EXPECT_EQ(c.quotes, 1300) << chunk;
    EXPECT_EQ(c.newlines, 1000) << chunk;
  }
}

// ---- amounts ------------------------------------------------------------------------------

TEST(ShortAmount, AgreesWithParseAmountWheneverItAnswers) {
  std::mt19937 rng(9);
  int answered = 0;
  for (int round = 0; round < 300000; ++round) {
    const std::string text = random_text(rng, rng() % 24, round % 3 ? "0123456789." : "-0123456789.+ e");
    Micros fast = 0;
    const auto slow = parse_amount(text);
    if (parse_short_amount(text, fast)) {
      ++answered;
      ASSERT_TRUE(slow.has_value()) << text;
      ASSERT_EQ(fast, *slow) << text;
    }
  }
  EXPECT_GT(answered, 1000);
}

TEST(ShortAmount, TakesTheCommonShapesAndLeavesTheRest) {
  const std::vector<std::pair<std::string, Micros>> taken = {
      {"0", 0},
      {"-0", 0},
      {"162.170000", 162170000},
      {"-8.108500", -8108500},
      {"0.000001", 1},
      {"-0.5", -500000},
      {"007.25", 7250000},
      {"999999999999.999999", 999999999999999999},
      {"-999999999999.999999", -999999999999999999},
  };
  for (const auto& [text, value] : taken) {
    Micros out = 0;
    ASSERT_TRUE(parse_short_amount(text, out)) << text;
    EXPECT_EQ(out, value) << text;
    EXPECT_EQ(parse_amount(text), value) << text;
  }
  // Valid but longer: left to parse_amount, which accepts them.
  for (const std::string text : {"1000000000000", "1.0000000", "-1234567890123.5", "9223372036854.775807"}) {
    Micros out = 0;
    EXPECT_FALSE(parse_short_amount(text, out)) << text;
    EXPECT_TRUE(parse_amount(text).has_value()) << text;
  }
  // Invalid: left to parse_amount, which refuses them.
  for (const std::string text : {"", "-", ".5", "5.", "1.2.3", "+1", "1e5", " 1", "1 ", "--1", "1.-2"}) {
    Micros out = 0;
    EXPECT_FALSE(parse_short_amount(text, out)) << text;
    EXPECT_FALSE(parse_amount(text).has_value()) << text;
  }
}
