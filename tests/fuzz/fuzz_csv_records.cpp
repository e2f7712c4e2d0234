// libFuzzer target for the whole ingestion of a file short of MPI: the CSV record layer and every
// feed's row parser. Any bytes, split at several simulated rank counts and chunk sizes, must give
// exactly the serial records (no row lost, duplicated or invented); the first record is taken
// as the header of the feed chosen by the first byte, and every record must parse into a row or
// a reject reason (a missing required column is the one expected failure), never a crash.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <cstdlib>
#include <string>
#include <vector>

#include "csv/fields.hpp"
#include "csv/record_reader.hpp"
#include "ingest/feed_files.hpp"
#include "ingest/rows.hpp"

namespace {

struct Rec {
  std::int64_t offset, line;
  std::string text;
  bool unterminated;
  bool operator==(const Rec&) const = default;
};

std::vector<Rec> read(const ba::InputFile& in, std::int64_t size, int ranks, std::size_t chunk) {
  std::vector<ba::FeedFile> files{ba::FeedFile{in.path(), "fuzz.csv", size}};
  std::vector<Rec> out;
  std::int64_t quotes = 0, newlines = 0;
  for (int r = 0; r < ranks; ++r) {
    const auto slices = ba::slices_for_rank(files, r, ranks);
    if (slices.empty()) continue;
    const auto& s = slices[0];
    ba::csv::RecordReader reader(in, s.begin, s.end, quotes, newlines, chunk);
    ba::csv::RecordView v;
    while (reader.next(v)) out.push_back(Rec{v.offset, v.line, std::string(v.text), v.unterminated});
    const auto c = ba::csv::count_range(in, s.begin, s.end, chunk);
    quotes += c.quotes;
    newlines += c.newlines;
  }
  return out;
}

// Feeds a record to the row parser of feed `Row`, as scan_feed does.
template <class Row>
void parse_all(const std::vector<Rec>& records) {
  if (records.empty()) return;
  std::vector<std::string_view> fields;
  std::string scratch;
  ba::Header header;
  if (ba::csv::split_fields(records[0].text, fields, scratch) != ba::csv::FieldStatus::ok) return;
  for (auto f : fields) header.names.emplace_back(f);
  std::unique_ptr<ba::RowParser<Row>> parser;
  try {
    parser = std::make_unique<ba::RowParser<Row>>(header, "fuzz.csv");
  } catch (const ba::Failure& f) {
    if (f.code() != ba::ExitCode::bad_input) std::abort();  // a missing column: the expected refusal
    return;
  }
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.unterminated || r.text.find('\0') != std::string::npos || !ba::is_valid_utf8(r.text)) continue;
    if (ba::csv::split_fields(r.text, fields, scratch) != ba::csv::FieldStatus::ok) continue;
    if (fields.size() != parser->columns()) continue;
    Row row{};
    (void)parser->parse(fields, row);
  }
}

const ba::Header& billing_header() {
  static const ba::Header h{{"billing_event_id", "recipient_account_id", "from_account_id", "to_account_id",
                             "end_user_account_id", "product_id", "offer_id", "action", "transaction_type",
                             "parent_billing_event_id", "disbursement_billing_event_id", "currency", "amount",
                             "balance_impacting", "invoice_date", "payment_due_date", "usage_period_start_date",
                             "usage_period_end_date", "invoice_id", "billing_address_id", "transaction_reference_id",
                             "bank_trace_id", "broker_id"}};
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("fuzz-csv", 0);
  if (fd < 0) std::abort();
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  const ba::InputFile in("/proc/self/fd/" + std::to_string(fd));
  const auto size64 = static_cast<std::int64_t>(size);

  const auto serial = read(in, size64, 1, 1 << 16);
  for (int ranks : {2, 3, 7})
    for (std::size_t chunk : {1u, 5u, 64u})
      if (read(in, size64, ranks, chunk) != serial) std::abort();  // lost, duplicated or invented

  // The header's first column picks the feed (the seeds are real feed files); anything else, the
  // first byte.
  static const std::vector<std::string> kFirstColumns{"billing_event_id", "usage_feed_id", "account_id", "address_id",
                                                      "product_id",       "offer_id",      "seller_account_id"};
  std::size_t feed = size > 0 ? data[0] % 7 : 0;
  for (std::size_t k = 0; k < kFirstColumns.size(); ++k)
    if (!serial.empty() && serial[0].text.rfind(kFirstColumns[k] + ",", 0) == 0) feed = k;
  switch (feed) {
    case 0: parse_all<ba::BillingEvent>(serial); break;
    case 1: parse_all<ba::UsageRecord>(serial); break;
    case 2: parse_all<ba::AccountRow>(serial); break;
    case 3: parse_all<ba::AddressRow>(serial); break;
    case 4: parse_all<ba::ProductRow>(serial); break;
    case 5: parse_all<ba::OfferRow>(serial); break;
    default: parse_all<ba::EnrollmentRow>(serial); break;
  }

  // And always the billing parser with a fixed header, so that rows need not bring their own.
  static const ba::RowParser<ba::BillingEvent> parser(billing_header(), "fuzz.csv");
  std::vector<std::string_view> fields;
  std::string scratch;
  for (const auto& r : serial) {
    if (r.unterminated) continue;
    if (ba::csv::split_fields(r.text, fields, scratch) != ba::csv::FieldStatus::ok) continue;
    for (auto f : fields) {
      (void)ba::parse_amount(f);
      (void)ba::parse_instant(f);
      (void)ba::is_valid_utf8(f);
      (void)ba::printable_raw_text(f);
    }
    if (fields.size() == parser.columns()) {
      ba::BillingEvent e;
      (void)parser.parse(fields, e);
    }
  }
  return 0;
}
