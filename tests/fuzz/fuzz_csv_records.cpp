// libFuzzer target for the CSV record layer and the row parsers: any bytes, split at several
// simulated rank counts and chunk sizes, must give exactly the serial records (no row lost,
// duplicated or invented), and parsing them must never crash.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
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
