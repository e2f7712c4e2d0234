#include <gtest/gtest.h>

#include <random>

#include "csv/fields.hpp"
#include "csv/record_reader.hpp"
#include "common/file.hpp"
#include "ingest/feed_files.hpp"
#include "ingest/ingest.hpp"
#include "temp_dir.hpp"

using namespace ba;

namespace {

std::vector<std::string> split(std::string_view record) {
  std::vector<std::string_view> fields;
  std::string scratch;
  EXPECT_EQ(csv::split_fields(record, fields, scratch), csv::FieldStatus::ok) << record;
  return {fields.begin(), fields.end()};
}

struct Rec {
  std::int64_t line;
  std::string text;
  bool unterminated;
  bool operator==(const Rec&) const = default;
};

// Reads the file as P simulated ranks would (exclusive scan of counts done by hand) and returns
// all records in order.
std::vector<Rec> read_as_ranks(const std::string& path, int ranks, std::size_t chunk) {
  InputFile in(path);
  std::vector<FeedFile> files{FeedFile{path, "f.csv", in.size()}};
  std::vector<csv::RangeCounts> counts(static_cast<std::size_t>(ranks));
  std::vector<ByteSlice> slice(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) {
    const auto s = slices_for_rank(files, r, ranks);
    if (s.empty()) continue;
    slice[static_cast<std::size_t>(r)] = s[0];
    counts[static_cast<std::size_t>(r)] = csv::count_range(in, s[0].begin, s[0].end, chunk);
  }
  std::vector<Rec> out;
  std::int64_t quotes = 0, newlines = 0;
  for (int r = 0; r < ranks; ++r) {
    const auto& s = slice[static_cast<std::size_t>(r)];
    if (s.end > s.begin) {
      csv::RecordReader reader(in, s.begin, s.end, quotes, newlines, chunk);
      csv::RecordView v;
      while (reader.next(v)) out.push_back(Rec{v.line, std::string(v.text), v.unterminated});
    }
    quotes += counts[static_cast<std::size_t>(r)].quotes;
    newlines += counts[static_cast<std::size_t>(r)].newlines;
  }
  return out;
}

}  // namespace

TEST(CsvFields, SplitsQuotedFieldsWithCommasQuotesAndLineFeeds) {
  EXPECT_EQ(split("a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split("\"Acme, \"\"Inc\"\"\",x"), (std::vector<std::string>{"Acme, \"Inc\"", "x"}));
  EXPECT_EQ(split("\"line\nfeed\",\r,"), (std::vector<std::string>{"line\nfeed", "\r", ""}));
  EXPECT_EQ(split(""), (std::vector<std::string>{""}));
  EXPECT_EQ(split(",,"), (std::vector<std::string>{"", "", ""}));
}

TEST(CsvFields, ReportsBadQuoting) {
  std::vector<std::string_view> f;
  std::string s;
  EXPECT_EQ(csv::split_fields("ab\"c,d", f, s), csv::FieldStatus::bad_quoting);
  EXPECT_EQ(csv::split_fields("\"ab\"c,d", f, s), csv::FieldStatus::bad_quoting);
  EXPECT_EQ(csv::split_fields("\"abc", f, s), csv::FieldStatus::unterminated_quote);
}

TEST(CsvFields, RendersCellsTheRfcWay) {
  std::string line;
  csv::append_cell(line, "plain");
  line += ',';
  csv::append_cell(line, "a,\"b\"\nc");
  EXPECT_EQ(line, "plain,\"a,\"\"b\"\"\nc\"");
}

// needs_quotes reads words (whole, overlapping, or gathered from a short cell): every length and
// every position of each special byte, among bytes that are close to them, against a byte loop.
TEST(CsvFields, NeedsQuotesFindsASpecialByteAtAnyPlaceOfAnyLength) {
  const auto reference = [](std::string_view cell) {
    for (const char c : cell)
      if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
    return false;
  };
  const std::string fillers{'a', '\0', '+', '-', '!', '#', '\x0b', '\x0e', '\xac', '\xa2', '\x8d', '\x8a'};
  for (std::size_t n = 0; n <= 40; ++n) {
    for (const char filler : fillers) {
      std::string cell(n, filler);
      ASSERT_EQ(csv::needs_quotes(cell), reference(cell)) << n;
      for (std::size_t at = 0; at < n; ++at)
        for (const char special : {',', '"', '\n', '\r'}) {
          std::string marked = cell;
          marked[at] = special;
          ASSERT_TRUE(csv::needs_quotes(marked)) << "length " << n << " at " << at;
        }
    }
  }
  // A cell viewed inside a longer text: bytes around it do not count.
  const std::string text = ",abcdefghijklmnop,";
  for (std::size_t n = 0; n + 2 <= text.size(); ++n) EXPECT_FALSE(csv::needs_quotes(std::string_view(text).substr(1, n)));
}

TEST(CsvRecords, LineNumbersCountPhysicalLines) {
  const auto path = test::write_scratch_file("lines.csv", "h1,h2\r\n1,\"a\nb\"\r\n2,c\n3,\"d\"\"\ne\"");
  const auto recs = read_as_ranks(path, 1, 1 << 20);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0], (Rec{1, "h1,h2", false}));
  EXPECT_EQ(recs[1], (Rec{2, "1,\"a\nb\"", false}));
  EXPECT_EQ(recs[2], (Rec{4, "2,c", false}));
  EXPECT_EQ(recs[3], (Rec{5, "3,\"d\"\"\ne\"", false}));  // no final line feed
}

TEST(CsvRecords, UnterminatedQuoteSwallowsTheRestOfTheFile) {
  const auto path = test::write_scratch_file("unterminated.csv", "h\n1\n\"2\n3\n4\n");
  for (int ranks : {1, 2, 3, 5})
    for (std::size_t chunk : {1u, 3u, 1024u}) {
      const auto recs = read_as_ranks(path, ranks, chunk);
      ASSERT_EQ(recs.size(), 3u) << ranks << " " << chunk;
      EXPECT_TRUE(recs[2].unterminated);
      EXPECT_EQ(recs[2].line, 3);
    }
}

TEST(CsvRecords, AnySplitAndChunkGivesTheSerialRecords) {
  // Quoted line feeds, doubled quotes, \r\n, a stray \r and empty lines, at random.
  std::mt19937 rng(42);
  std::string content = "id,name,amount\n";
  for (int i = 0; i < 300; ++i) {
    content += std::to_string(i) + ",";
    switch (rng() % 6) {
      case 0: content += "\"Acme, \"\"Inc\"\"\""; break;
      case 1: content += "\"two\nlines\r\nhere\""; break;
      case 2: content += "plain\rcarriage"; break;
      case 3: content += "\"\""; break;
      case 4: content += "\"\n\""; break;
      default: content += "x"; break;
    }
    content += rng() % 2 ? ",1.5\r\n" : ",2\n";
  }
  const auto path = test::write_scratch_file("random.csv", content);
  const auto serial = read_as_ranks(path, 1, 1 << 20);
  ASSERT_EQ(serial.size(), 301u);
  for (const auto& r : serial) EXPECT_EQ(split(r.text).size(), 3u) << r.text;
  for (int ranks : {2, 3, 4, 7, 16})
    for (std::size_t chunk : {1u, 2u, 7u, 64u, 4096u})
      EXPECT_EQ(read_as_ranks(path, ranks, chunk), serial) << ranks << " ranks, chunk " << chunk;
}

TEST(CsvRecords, HeaderOnlyAndEmptyFiles) {
  EXPECT_EQ(read_as_ranks(test::write_scratch_file("header.csv", "a,b\n"), 3, 2).size(), 1u);
  EXPECT_EQ(read_as_ranks(test::write_scratch_file("empty.csv", ""), 3, 2).size(), 0u);
}

// A row read again (duplicates, late rejects) is the text its first read parsed: a \r before the
// \n that ends a record goes, a stray \r at the end of the file (no \n after it) is data.
TEST(RowRereader, ReadsTheTextTheFirstReadParsed) {
  const std::string header =
      "billing_event_id,recipient_account_id,from_account_id,to_account_id,end_user_account_id,product_id,"
      "offer_id,action,transaction_type,parent_billing_event_id,disbursement_billing_event_id,amount,"
      "balance_impacting,invoice_date,payment_due_date,usage_period_start_date,usage_period_end_date,invoice_id,"
      "billing_address_id,transaction_reference_id,bank_trace_id,broker_id,currency";
  const std::string body = "be-1,acc-s,acc-b,acc-s,acc-b,p,o,INVOICED,SELLER_REV_SHARE,,,1.000000,1,"
                           "2026-10-05T00:00:00Z,,,,inv,,txn-1,,,";
  const std::string first = body + "USD\r", last = body + "USD\r";  // \r\n-ended, then \r at the end
  const std::string path = test::scratch_subdir("reread") + "/data.csv";
  write_file(path, header + "\n" + first + "\n" + last);
  const std::vector<FeedFile> files{FeedFile{path, "billing_event_v1/data.csv", file_size(path)}};
  RowRereader<BillingEvent> rereader(files, 1 << 10);
  const auto first_at = static_cast<std::int64_t>(header.size() + 1);
  const auto last_at = first_at + static_cast<std::int64_t>(first.size() + 1);
  std::string currency;
  rereader.reread(RowRef{0, first_at, static_cast<std::int64_t>(first.size()), 2},
                  [&](const BillingEvent& e) { currency = std::string(e.currency); });
  EXPECT_EQ(currency, "USD");
  rereader.reread(RowRef{0, last_at, static_cast<std::int64_t>(last.size()), 3},
                  [&](const BillingEvent& e) { currency = std::string(e.currency); });
  EXPECT_EQ(currency, "USD\r");
}
