#include "ingest/rows.hpp"

#include <array>
#include <initializer_list>

#include "csv/swar.hpp"

namespace ba {

namespace {

struct ColumnSpec {
  std::string_view name;
  bool required;
  std::string_view alternative = {};  // an older name accepted for the same column
};

std::vector<int> bind_columns(const Header& header, const std::string& file, std::initializer_list<ColumnSpec> specs) {
  std::vector<int> at;
  for (const auto& spec : specs) {
    int index = header.find(spec.name);
    if (index < 0 && !spec.alternative.empty()) index = header.find(spec.alternative);
    if (index < 0 && spec.required)
      fail(ExitCode::bad_input, "input file " + file + ": line 1: required column '" + std::string(spec.name) + "'" +
                                    (spec.alternative.empty() ? "" : " (or its older name '" + std::string(spec.alternative) + "')") +
                                    " is missing from the header");
    at.push_back(index);
  }
  return at;
}

std::string_view cell(const std::vector<std::string_view>& fields, int index) {
  return index < 0 ? std::string_view{} : fields[static_cast<std::size_t>(index)];
}

// Historization columns at at[first .. first+3]: valid_from, insert_date, update_date, delete_date.
std::string_view parse_version(const std::vector<std::string_view>& f, const std::vector<int>& at, std::size_t first,
                               Version& v) {
  const auto valid_from = parse_instant(cell(f, at[first]));
  if (!valid_from) return reason::bad_date;
  v.valid_from = *valid_from;
  // A row never corrected carries no update_date: its insert_date (else valid_from) orders it.
  std::string_view updated = cell(f, at[first + 2]);
  if (updated.empty()) updated = cell(f, at[first + 1]);
  if (updated.empty()) {
    v.updated = v.valid_from;
  } else {
    const auto u = parse_instant(updated);
    if (!u) return reason::bad_date;
    v.updated = *u;
  }
  const std::string_view deleted = cell(f, at[first + 3]);
  if (!deleted.empty() && !parse_instant(deleted)) return reason::bad_date;
  v.deleted = !deleted.empty();
  return {};
}

// update_date and delete_date decide which version or correction holds (semantics.md): required,
// as every column the computation uses. insert_date only stands in for an empty update_date.
constexpr ColumnSpec kValidFrom{"valid_from", true}, kInsert{"insert_date", false}, kUpdate{"update_date", true},
    kDelete{"delete_date", true};

std::string_view parse_amount_into(std::string_view text, Micros& out, bool null_is_zero) {
  if (text.empty() && null_is_zero) {
    out = 0;
    return {};
  }
  if (parse_short_amount(text, out)) return {};
  const auto v = parse_amount(text);
  if (!v) return reason::bad_amount;
  out = *v;
  return {};
}

}  // namespace

bool parse_short_amount(std::string_view text, Micros& out) {
  // At most 12 integer and 6 fraction digits: the value stays below 10^18 micro-units, so plain
  // int64 arithmetic cannot overflow (parse_amount checks each digit in 128 bits). Anything
  // else, valid or not, is left to parse_amount, which has the final word.
  static constexpr std::int64_t kScale[] = {100000, 10000, 1000, 100, 10, 1};
  const std::size_t n = text.size();
  std::size_t i = 0;
  const bool negative = n > 0 && text[0] == '-';
  if (negative) i = 1;
  const std::size_t int_begin = i;
  std::int64_t value = 0;
  for (; i < n && i - int_begin < 12 && text[i] >= '0' && text[i] <= '9'; ++i) value = value * 10 + (text[i] - '0');
  if (i == int_begin) return false;
  value *= kMicrosPerUnit;
  if (i < n) {
    if (text[i] != '.') return false;  // a 13th digit lands here too
    const std::size_t frac_begin = ++i;
    for (; i < n && i - frac_begin < 6 && text[i] >= '0' && text[i] <= '9'; ++i)
      value += (text[i] - '0') * kScale[i - frac_begin];
    if (i == frac_begin || i != n) return false;
  }
  out = negative ? -value : value;
  return true;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    // Feeds are nearly all ASCII: skip 8 ASCII bytes at a time, decode the rest one sequence
    // at a time below.
    while (i + 8 <= n && csv::swar::ascii8(csv::swar::load8(text.data() + i))) i += 8;
    if (i == n) break;
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

std::string printable_raw_text(std::string_view text) {
  if (text.find('\0') == std::string_view::npos && is_valid_utf8(text)) return std::string(text);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    // Take the longest valid UTF-8 sequence starting here (1 to 4 bytes), else escape one byte.
    std::size_t len = 0;
    for (std::size_t l = 1; l <= 4 && i + l <= text.size(); ++l)
      if (is_valid_utf8(text.substr(i, l))) {
        len = l;
        break;
      }
    if (len > 0 && text[i] != '\0') {
      out.append(text.substr(i, len));
      i += len;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto c = static_cast<unsigned char>(text[i]);
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    }
  }
  return out;
}

bool is_ascii_without_nul(std::string_view text) {
  const char* p = text.data();
  const std::size_t n = text.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t w = csv::swar::load8(p + i);
    if (!csv::swar::ascii8(w) || csv::swar::zero_bytes(w) != 0) return false;
  }
  for (; i < n; ++i)
    if (p[i] == '\0' || static_cast<unsigned char>(p[i]) >= 0x80) return false;
  return true;
}

bool is_aws_account_number(std::string_view text) {
  if (text.size() != 12) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

bool names_payer(TxType t) {
  switch (t) {
    case TxType::seller_rev_share:
    case TxType::seller_rev_share_refund:
    case TxType::seller_rev_share_credit:
    case TxType::seller_tax_share:
    case TxType::seller_tax_share_refund:
    case TxType::disbursement:
    case TxType::disbursement_failure:
      return true;
    default:
      return false;
  }
}

std::optional<TxType> parse_tx_type(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, TxType>, 13> kNames{{
      {"SELLER_REV_SHARE", TxType::seller_rev_share},
      {"AWS_REV_SHARE", TxType::aws_rev_share},
      {"SELLER_REV_SHARE_REFUND", TxType::seller_rev_share_refund},
      {"AWS_REV_SHARE_REFUND", TxType::aws_rev_share_refund},
      {"SELLER_REV_SHARE_CREDIT", TxType::seller_rev_share_credit},
      {"AWS_REV_SHARE_CREDIT", TxType::aws_rev_share_credit},
      {"SELLER_TAX_SHARE", TxType::seller_tax_share},
      {"SELLER_TAX_SHARE_REFUND", TxType::seller_tax_share_refund},
      {"AWS_TAX_SHARE", TxType::aws_tax_share},
      {"AWS_TAX_SHARE_REFUND", TxType::aws_tax_share_refund},
      {"BALANCE_ADJUSTMENT", TxType::balance_adjustment},
      {"DISBURSEMENT", TxType::disbursement},
      {"DISBURSEMENT_FAILURE", TxType::disbursement_failure},
  }};
  for (const auto& [name, type] : kNames)
    if (name == s) return type;
  return std::nullopt;
}

std::optional<Action> parse_action(std::string_view s) {
  if (s == "INVOICED") return Action::invoiced;
  if (s == "FORGIVEN") return Action::forgiven;
  if (s == "DISBURSED") return Action::disbursed;
  return std::nullopt;
}

// ---- billing_event -------------------------------------------------------------------------
RowParser<BillingEvent>::RowParser(const Header& h, const std::string& file) : columns_(h.names.size()) {
  at_ = bind_columns(h, file,
                     {{"billing_event_id", true}, {"recipient_account_id", true}, {"from_account_id", true},
                      {"end_user_account_id", true}, {"product_id", true}, {"offer_id", true}, {"action", true},
                      {"transaction_type", true}, {"parent_billing_event_id", true},
                      {"disbursement_billing_event_id", true}, {"currency", true}, {"amount", true},
                      {"balance_impacting", true}, {"invoice_date", true}, {"billing_address_id", true},
                      {"transaction_reference_id", true}, {"bank_trace_id", true}});
}

std::string_view RowParser<BillingEvent>::parse(const std::vector<std::string_view>& f, BillingEvent& r) const {
  r.id = cell(f, at_[0]);
  r.seller = cell(f, at_[1]);
  r.from_account = cell(f, at_[2]);
  r.end_user = cell(f, at_[3]);
  r.product = cell(f, at_[4]);
  r.offer = cell(f, at_[5]);
  r.parent_id = cell(f, at_[8]);
  r.disbursement_id = cell(f, at_[9]);
  r.currency = cell(f, at_[10]);
  r.billing_address = cell(f, at_[14]);
  r.transaction_ref = cell(f, at_[15]);
  r.bank_trace = cell(f, at_[16]);
  // transaction_reference_id is no key of the row: empty is null (feeds.md). A payout or a
  // failure needs none, and a failure rejected for it let its failed payout be delivered.
  if (r.id.empty() || r.seller.empty()) return reason::empty_key;
  const auto action = parse_action(cell(f, at_[6]));
  if (!action) return reason::unknown_action;
  r.action = *action;
  const auto type = parse_tx_type(cell(f, at_[7]));
  if (!type) return reason::unknown_transaction_type;
  r.type = *type;
  if (r.currency.empty()) return reason::empty_currency;
  if (auto bad = parse_amount_into(cell(f, at_[11]), r.amount, false); !bad.empty()) return bad;
  const std::string_view flag = cell(f, at_[12]);
  if (flag != "0" && flag != "1") return reason::bad_flag;
  r.balance_impacting = flag == "1";
  const auto invoice = parse_instant(cell(f, at_[13]));
  if (!invoice) return reason::bad_date;
  r.invoice = *invoice;
  return {};
}

// ---- daily_usage ---------------------------------------------------------------------------
RowParser<UsageRecord>::RowParser(const Header& h, const std::string& file) : columns_(h.names.size()) {
  at_ = bind_columns(h, file,
                     {{"usage_feed_id", true}, {"recipient_account_id", true}, {"usage_date", true},
                      {"product_id", true}, {"offer_id", true}, {"end_user_account_id", true},
                      {"payer_account_id", true}, {"region", true}, {"dimension_key", true}, {"usage_unit", true},
                      {"usage_quantity", true}, {"pricing_currency", true},
                      {"estimated_revenue_in_pricing_currency", true}, {"valid_from", false}, kInsert, kUpdate, kDelete});
}

std::string_view RowParser<UsageRecord>::parse(const std::vector<std::string_view>& f, UsageRecord& r) const {
  r.feed_id = cell(f, at_[0]);
  r.seller = cell(f, at_[1]);
  r.product = cell(f, at_[3]);
  r.offer = cell(f, at_[4]);
  r.end_user = cell(f, at_[5]);
  r.payer = cell(f, at_[6]);
  r.region = cell(f, at_[7]);
  r.dimension_key = cell(f, at_[8]);
  r.unit = cell(f, at_[9]);
  r.currency = cell(f, at_[11]);
  if (r.feed_id.empty() || r.seller.empty()) return reason::empty_key;
  const auto day = parse_date(cell(f, at_[2]));
  if (!day) return reason::bad_date;
  r.usage_date = *day;
  if (auto bad = parse_amount_into(cell(f, at_[10]), r.quantity, true); !bad.empty()) return bad;
  if (auto bad = parse_amount_into(cell(f, at_[12]), r.revenue, true); !bad.empty()) return bad;
  // Every amount is preceded by its currency (feeds.md), the revenue even when null: a row
  // without one would make a usage row and a buyers row of currency "" (decisions.md).
  if (r.currency.empty()) return reason::empty_currency;
  std::string_view updated = cell(f, at_[15]);
  if (updated.empty()) updated = cell(f, at_[14]);
  if (updated.empty()) {
    r.updated = r.usage_date;
  } else {
    const auto u = parse_instant(updated);
    if (!u) return reason::bad_date;
    r.updated = *u;
  }
  const std::string_view deleted = cell(f, at_[16]);
  if (!deleted.empty() && !parse_instant(deleted)) return reason::bad_date;
  r.deleted = !deleted.empty();
  return {};
}

// ---- account -------------------------------------------------------------------------------
RowParser<AccountRow>::RowParser(const Header& h, const std::string& file) : columns_(h.names.size()) {
  at_ = bind_columns(h, file, {{"account_id", true}, {"aws_account_id", true}, {"mailing_address_id", true}, kValidFrom,
                               kInsert, kUpdate, kDelete});
}

std::string_view RowParser<AccountRow>::parse(const std::vector<std::string_view>& f, AccountRow& r) const {
  r.key = cell(f, at_[0]);
  r.attrs.aws_account_id = cell(f, at_[1]);
  r.attrs.mailing_address_id = cell(f, at_[2]);
  if (r.key.empty()) return reason::empty_key;
  if (!r.attrs.aws_account_id.empty() && !is_aws_account_number(r.attrs.aws_account_id)) return reason::bad_aws_account_id;
  return parse_version(f, at_, 3, r.version);
}

// ---- address -------------------------------------------------------------------------------
RowParser<AddressRow>::RowParser(const Header& h, const std::string& file) : columns_(h.names.size()) {
  at_ = bind_columns(h, file,
                     {{"address_id", true}, {"aws_account_id", true}, {"email_domain", true}, {"company_name", true},
                      {"country_code", true, "country"}, {"state_or_region", true}, {"city", true},
                      {"postal_code", true}, kValidFrom, kInsert, kUpdate, kDelete});
}

std::string_view RowParser<AddressRow>::parse(const std::vector<std::string_view>& f, AddressRow& r) const {
  r.key = cell(f, at_[0]);
  auto& a = r.attrs;
  a.aws_account_id = cell(f, at_[1]);
  a.email_domain = cell(f, at_[2]);
  a.company_name = cell(f, at_[3]);
  a.country_code = cell(f, at_[4]);
  a.state_or_region = cell(f, at_[5]);
  a.city = cell(f, at_[6]);
  a.postal_code = cell(f, at_[7]);
  if (r.key.empty()) return reason::empty_key;
  if (!a.aws_account_id.empty() && !is_aws_account_number(a.aws_account_id)) return reason::bad_aws_account_id;
  return parse_version(f, at_, 8, r.version);
}

// ---- product -------------------------------------------------------------------------------
RowParser<ProductRow>::RowParser(const Header& h, const std::string& file) : columns_(h.names.size()) {
  at_ = bind_columns(h, file, {{"product_id", true}, {"product_code", true}, {"title", true}, kValidFrom, kInsert,
                               kUpdate, kDelete});
}

std::string_view RowParser<ProductRow>::parse(const std::vector<std::string_view>& f, ProductRow& r) const {
  r.key = cell(f, at_[0]);
  r.attrs.product_code = cell(f, at_[1]);
  r.attrs.title = cell(f, at_[2]);
  if (r.key.empty()) return reason::empty_key;
  return parse_version(f, at_, 3, r.version);
}

// ---- offer ---------------------------------------------------------------------------------
RowParser<OfferRow>::RowParser(const Header& h, const std::string& file) : columns_(h.names.size()) {
  at_ = bind_columns(h, file, {{"offer_id", true}, {"offer_revision", true}, {"opportunity_name", true}, kValidFrom,
                               kInsert, kUpdate, kDelete});
}

std::string_view RowParser<OfferRow>::parse(const std::vector<std::string_view>& f, OfferRow& r) const {
  r.key = cell(f, at_[0]);
  r.attrs.opportunity_name = cell(f, at_[2]);
  if (r.key.empty()) return reason::empty_key;
  const std::string_view revision = cell(f, at_[1]);
  r.attrs.revision = 0;
  if (revision.size() > 18) return reason::bad_number;
  for (char c : revision) {
    if (c < '0' || c > '9') return reason::bad_number;
    r.attrs.revision = r.attrs.revision * 10 + (c - '0');
  }
  return parse_version(f, at_, 3, r.version);
}

// ---- enrollment ----------------------------------------------------------------------------
RowParser<EnrollmentRow>::RowParser(const Header& h, const std::string& file) : columns_(h.names.size()) {
  at_ = bind_columns(h, file, {{"seller_account_id", true}, {"aws_account_id", true}, {"enrolled_from", true},
                               {"enrolled_until", true}, {"delivery_name", false}});
}

std::string_view RowParser<EnrollmentRow>::parse(const std::vector<std::string_view>& f, EnrollmentRow& r) const {
  r.seller = cell(f, at_[0]);
  r.aws_account_id = cell(f, at_[1]);
  r.delivery_name = cell(f, at_[4]);
  if (r.seller.empty()) return reason::empty_key;
  // The folder name comes from this value: only 12 digits can ever name a delivery folder.
  if (!is_aws_account_number(r.aws_account_id)) return reason::bad_aws_account_id;
  const auto from = parse_date(cell(f, at_[2]));
  if (!from) return reason::bad_date;
  r.from = *from;
  const std::string_view until = cell(f, at_[3]);
  r.open_ended = until.empty();
  if (!r.open_ended) {
    const auto u = parse_date(until);
    if (!u) return reason::bad_date;
    r.until = *u;
  }
  return {};
}

}  // namespace ba
