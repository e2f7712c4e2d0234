#pragma once
// Typed input rows: what each feed's record becomes once parsed and validated. Every field the
// computation needs is checked here; a row that fails gets a reject reason instead.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/money.hpp"
#include "common/time.hpp"
#include "ingest/header.hpp"

namespace ba {

// Reject reason codes (report.json and rejects.csv use these exact strings).
namespace reason {
inline constexpr std::string_view column_count = "column_count";
inline constexpr std::string_view unterminated_quote = "unterminated_quote";
inline constexpr std::string_view bad_quoting = "bad_quoting";
inline constexpr std::string_view unknown_action = "unknown_action";
inline constexpr std::string_view unknown_transaction_type = "unknown_transaction_type";
inline constexpr std::string_view bad_amount = "bad_amount";
inline constexpr std::string_view bad_date = "bad_date";
inline constexpr std::string_view bad_flag = "bad_flag";
inline constexpr std::string_view bad_number = "bad_number";
inline constexpr std::string_view empty_key = "empty_key";
inline constexpr std::string_view empty_currency = "empty_currency";
inline constexpr std::string_view bad_aws_account_id = "bad_aws_account_id";
inline constexpr std::string_view duplicate = "duplicate";
inline constexpr std::string_view mixed_currency = "mixed_currency";
inline constexpr std::string_view nul_byte = "nul_byte";
inline constexpr std::string_view invalid_utf8 = "invalid_utf8";
}  // namespace reason

// Where a row came from: enough to order rows by (file, line) and to re-read its raw text.
struct RowRef {
  std::int32_t file = 0;
  std::int64_t offset = 0;
  std::int64_t length = 0;
  std::int64_t line = 0;
  BA_FIELDS(file, offset, length, line)
  friend bool operator<(const RowRef& a, const RowRef& b) {
    return a.file != b.file ? a.file < b.file : a.offset < b.offset;
  }
};

enum class Action : std::uint8_t { invoiced, forgiven, disbursed };

enum class TxType : std::uint8_t {
  seller_rev_share,
  aws_rev_share,
  seller_rev_share_refund,
  aws_rev_share_refund,
  seller_rev_share_credit,
  aws_rev_share_credit,
  seller_tax_share,
  seller_tax_share_refund,
  aws_tax_share,
  aws_tax_share_refund,
  balance_adjustment,
  disbursement,
  disbursement_failure,
};

// The eight revenue buckets of semantics.md, in output column order.
inline constexpr int kBuckets = 8;
// Bucket of a transaction type (the first eight TxType values, in order), or -1.
inline int bucket_of(TxType t) { return static_cast<int>(t) < kBuckets ? static_cast<int>(t) : -1; }
// Types whose from_account_id names the payer: the name holds neither AWS nor BALANCE_ADJUSTMENT.
bool names_payer(TxType t);
std::optional<TxType> parse_tx_type(std::string_view text);
std::optional<Action> parse_action(std::string_view text);

// The common amount (-?D{1,12}(.D{1,6})?) in int64 arithmetic: true and `out` set exactly as
// parse_amount would; false for anything else (longer, other shapes, invalid), which the caller
// then gives to parse_amount.
bool parse_short_amount(std::string_view text, Micros& out);

// The literal that stands for the marketplace itself in account columns.
inline constexpr std::string_view kMarketplace = "AWS";
bool is_aws_account_number(std::string_view text);  // exactly 12 ASCII digits
// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);
// Every byte in 0x01..0x7F: then the text holds no NUL and is valid UTF-8 (one pass instead of
// two for the common record).
bool is_ascii_without_nul(std::string_view text);
// The raw text of a reject as rejects.csv carries it: unchanged, except that NUL bytes and bytes
// that are not valid UTF-8 become \xNN, so the report itself stays valid UTF-8 text.
std::string printable_raw_text(std::string_view text);

// Fact rows are views into the record being parsed: they live for one callback of scan_feed and
// are aggregated at once, so that no rank ever holds the rows of a fact feed.
struct BillingEvent {
  std::string_view id, seller, from_account, end_user, product, offer, parent_id, disbursement_id, currency,
      billing_address, transaction_ref, bank_trace;
  Action action = Action::invoiced;
  TxType type = TxType::seller_rev_share;
  bool balance_impacting = false;
  Micros amount = 0;
  Instant invoice = 0;
  RowRef ref;
};

struct UsageRecord {
  std::string_view feed_id, seller, product, offer, end_user, payer, region, dimension_key, unit, currency;
  Instant usage_date = 0;
  Micros quantity = 0, revenue = 0;
  Instant updated = 0;
  bool deleted = false;
  RowRef ref;
};

// Historization of a dimension row.
struct Version {
  Instant valid_from = 0;
  Instant updated = 0;
  bool deleted = false;
  BA_FIELDS(valid_from, updated, deleted)
};

struct AccountAttrs {
  std::string aws_account_id, mailing_address_id;
  BA_FIELDS(aws_account_id, mailing_address_id)
};
struct AddressAttrs {
  std::string aws_account_id, email_domain, company_name, country_code, state_or_region, city, postal_code;
  BA_FIELDS(aws_account_id, email_domain, company_name, country_code, state_or_region, city, postal_code)
};
struct ProductAttrs {
  std::string product_code, title;
  BA_FIELDS(product_code, title)
};
struct OfferAttrs {
  std::int64_t revision = 0;
  std::string opportunity_name;
  BA_FIELDS(revision, opportunity_name)
};

template <class Attrs>
struct DimensionRow {
  std::string key;
  Version version;
  Attrs attrs;
  RowRef ref;
  BA_FIELDS(key, version, attrs, ref)
};
using AccountRow = DimensionRow<AccountAttrs>;
using AddressRow = DimensionRow<AddressAttrs>;
using ProductRow = DimensionRow<ProductAttrs>;
using OfferRow = DimensionRow<OfferAttrs>;

struct EnrollmentRow {
  std::string seller, aws_account_id;
  Instant from = 0;
  bool open_ended = true;  // enrolled_until empty: still enrolled
  Instant until = 0;       // inclusive last day, when not open-ended
  std::string delivery_name;
  RowRef ref;
  BA_FIELDS(seller, aws_account_id, from, open_ended, until, delivery_name, ref)
};

// One parser per feed: binds the header's columns once per file (a missing required column is a
// fatal error naming file and column), then parses records.
template <class Row>
class RowParser;

// Parsed row or reject reason.
template <class Row>
struct Parsed {
  Row row;
  std::string_view reject;  // empty when the row is good
};

#define BA_DECLARE_PARSER(Row)                                                       \
  template <>                                                                        \
  class RowParser<Row> {                                                             \
   public:                                                                           \
    RowParser(const Header& header, const std::string& file_display);                \
    std::string_view parse(const std::vector<std::string_view>& fields, Row& row) const; \
    std::size_t columns() const { return columns_; }                                 \
                                                                                     \
   private:                                                                          \
    std::vector<int> at_;                                                            \
    std::size_t columns_ = 0;                                                        \
  };

BA_DECLARE_PARSER(BillingEvent)
BA_DECLARE_PARSER(UsageRecord)
BA_DECLARE_PARSER(AccountRow)
BA_DECLARE_PARSER(AddressRow)
BA_DECLARE_PARSER(ProductRow)
BA_DECLARE_PARSER(OfferRow)
BA_DECLARE_PARSER(EnrollmentRow)
#undef BA_DECLARE_PARSER

}  // namespace ba
