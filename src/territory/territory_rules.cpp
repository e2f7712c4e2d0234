// Parsing and checking the territory rules file (docs/territories.md).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <utility>

#include "common/error.hpp"
#include "csv/fields.hpp"
#include "ingest/rows.hpp"
#include "territory/territory.hpp"
#include "territory/territory_detail.hpp"

namespace ba {

namespace {

enum Col : std::size_t {
  c_seller,
  c_rule_id,
  c_match_type,
  c_aws_account_id,
  c_email_domain,
  c_country_code,
  c_state_or_region,
  c_postal_code_prefix,
  c_effective_from,
  c_effective_until,
  c_rep_id,
  c_rep_name,
  c_split_percent,
  kCols
};

struct ColumnSpec {
  std::string_view name;
  bool required;
};

constexpr std::array<ColumnSpec, kCols> kColumns{{
    {"seller_account_id", true},
    {"rule_id", true},
    {"match_type", true},
    {"aws_account_id", false},
    {"email_domain", false},
    {"country_code", false},
    {"state_or_region", false},
    {"postal_code_prefix", false},
    {"effective_from", false},
    {"effective_until", false},
    {"rep_id", true},
    {"rep_name", false},
    {"split_percent", true},
}};

// The columns that must agree on every row of a rule.
constexpr std::array<Col, 8> kRuleColumns{c_match_type,         c_aws_account_id,  c_email_domain,  c_country_code,
                                          c_state_or_region,    c_postal_code_prefix, c_effective_from, c_effective_until};

std::string quoted(std::string_view s) { return "\"" + printable_raw_text(s) + "\""; }

std::string known_columns() {
  std::string out;
  for (const auto& c : kColumns) {
    if (!out.empty()) out += ", ";
    out += c.name;
  }
  return out;
}

struct Record {
  std::int64_t line = 0;
  std::string_view text;
  bool unterminated = false;
};

// Splits the text into records: a record ends at a '\n' outside quotes ("\r\n" too).
std::vector<Record> split_records(std::string_view text) {
  std::vector<Record> records;
  std::size_t pos = 0;
  std::int64_t line = 1;
  const std::size_t n = text.size();
  while (pos < n) {
    Record r;
    r.line = line;
    bool in_quotes = false;
    std::size_t i = pos;
    for (; i < n; ++i) {
      const char c = text[i];
      if (c == '"') {
        in_quotes = !in_quotes;
      } else if (c == '\n') {
        if (!in_quotes) break;
        ++line;
      }
    }
    r.text = text.substr(pos, i - pos);
    r.unterminated = in_quotes;
    if (i < n) {
      ++line;
      pos = i + 1;
      if (!r.text.empty() && r.text.back() == '\r') r.text.remove_suffix(1);
    } else {
      pos = n;
    }
    records.push_back(r);
  }
  return records;
}

struct RawRow {
  std::int64_t line = 0;
  std::array<std::string, kCols> v;
};

struct Error {
  std::int64_t line = 0;
  std::string message;
};

struct SellerBuild {
  std::vector<Error> errors;
  std::vector<std::string> rule_order;  // rule ids in order of first line
  std::map<std::string, std::vector<RawRow>> rules;
};

// White space a hand-edited file can hide at either end of a value: ASCII blanks, and the
// Unicode spaces a spreadsheet or a web page pastes (a non-breaking space above all), as UTF-8.
constexpr std::array<std::string_view, 23> kUnicodeSpaces{
    "\u00A0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005",
    "\u2006", "\u2007", "\u2008", "\u2009", "\u200A", "\u200B", "\u2028", "\u2029",
    "\u202F", "\u205F", "\u3000", "\uFEFF", "\u180E", "\u2060", "\u0085"};

// What white space the value has at an end, e.g. "a trailing U+00A0": it is invisible in the
// message's quoted value. Empty when none.
std::string outer_space(std::string_view s) {
  if (s.empty()) return {};
  const auto ascii = [](char c) -> const char* {
    switch (c) {
      case ' ': return "space";
      case '\t': return "tab";
      case '\r': return "carriage return";
      case '\n': return "line feed";
      case '\v': return "vertical tab";
      case '\f': return "form feed";
      default: return nullptr;
    }
  };
  if (const char* name = ascii(s.front())) return std::string("a leading ") + name;
  if (const char* name = ascii(s.back())) return std::string("a trailing ") + name;
  for (const std::string_view space : kUnicodeSpaces) {
    const bool leading = s.starts_with(space);
    if (!leading && !s.ends_with(space)) continue;
    // The code point back from its UTF-8 bytes (2 or 3 of them here).
    std::uint32_t code = static_cast<unsigned char>(space[0]) & (space.size() == 2 ? 0x1Fu : 0x0Fu);
    for (std::size_t i = 1; i < space.size(); ++i) code = code << 6 | (static_cast<unsigned char>(space[i]) & 0x3Fu);
    char hex[8];
    std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(code));
    return std::string(leading ? "a leading" : "a trailing") + " U+" + hex;
  }
  return {};
}

bool has_outer_space(std::string_view s) { return !outer_space(s).empty(); }

// Digits, then at most one '.' followed by 1 to 6 digits: the shape of a percentage, whatever
// its size (one too large for 64-bit micro-units is out of range, not malformed).
bool is_plain_decimal(std::string_view s) {
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  const auto digits = [](std::string_view d) { return d.find_first_not_of("0123456789") == std::string_view::npos; };
  return !whole.empty() && digits(whole) && digits(fraction) &&
         (dot == std::string_view::npos || (!fraction.empty() && fraction.size() <= 6));
}

std::optional<MatchType> parse_match_type(std::string_view s) {
  if (s == "account") return MatchType::account;
  if (s == "domain") return MatchType::domain;
  if (s == "geography") return MatchType::geography;
  return std::nullopt;
}

struct ParsedRow {
  bool ok = true;
  std::optional<MatchType> type;
  std::optional<Instant> from, until;
  std::optional<Percent> percent;
};

// Checks one row on its own; appends its errors.
ParsedRow check_row(const RawRow& row, std::vector<Error>& errors) {
  ParsedRow p;
  const auto error = [&](std::string message) {
    errors.push_back({row.line, std::move(message)});
    p.ok = false;
  };
  for (std::size_t c = 0; c < kCols; ++c) {
    const auto& value = row.v[c];
    if (value.find('\0') != std::string::npos || !is_valid_utf8(value)) {
      error(std::string(kColumns[c].name) + " is not valid UTF-8 text");
      return p;
    }
    if (c != c_rep_name && has_outer_space(value))
      error(std::string(kColumns[c].name) + " " + quoted(value) + " has leading or trailing spaces (" +
            outer_space(value) + ")");
  }
  if (!p.ok) return p;
  const auto& v = row.v;
  if (v[c_rule_id].empty()) error("rule_id is empty");
  p.type = parse_match_type(v[c_match_type]);
  if (!p.type) error("match_type " + quoted(v[c_match_type]) + " is not one of account, domain, geography");
  const auto must_be_empty = [&](std::initializer_list<Col> cols, std::string_view kind) {
    for (Col c : cols)
      if (!v[c].empty())
        error(std::string(kColumns[c].name) + " must be empty in " + std::string(kind) + " rule (it is " + quoted(v[c]) +
              ")");
  };
  if (p.type == MatchType::account) {
    if (!is_aws_account_number(v[c_aws_account_id]))
      error("an account rule needs aws_account_id of exactly 12 digits, not " + quoted(v[c_aws_account_id]));
    must_be_empty({c_email_domain, c_country_code, c_state_or_region, c_postal_code_prefix}, "an account");
  } else if (p.type == MatchType::domain) {
    if (v[c_email_domain].empty())
      error("a domain rule needs email_domain");
    else if (v[c_email_domain].find('@') != std::string::npos)
      error("email_domain " + quoted(v[c_email_domain]) + " must be the part after '@', without '@'");
    must_be_empty({c_aws_account_id, c_country_code, c_state_or_region, c_postal_code_prefix}, "a domain");
  } else if (p.type == MatchType::geography) {
    if (v[c_country_code].empty()) error("a geography rule needs country_code");
    must_be_empty({c_aws_account_id, c_email_domain}, "a geography");
  }
  bool dates_ok = true;
  for (Col c : {c_effective_from, c_effective_until}) {
    if (v[c].empty()) continue;
    const auto date = parse_date(v[c]);
    if (!date) {
      error(std::string(kColumns[c].name) + " " + quoted(v[c]) + " is not a date YYYY-MM-DD");
      dates_ok = false;
    } else {
      (c == c_effective_from ? p.from : p.until) = date;
    }
  }
  if (dates_ok && p.from && p.until && *p.from > *p.until)
    error("effective_from " + v[c_effective_from] + " is after effective_until " + v[c_effective_until]);
  if (v[c_rep_id].empty()) error("rep_id is empty");
  const auto& pct = v[c_split_percent];
  const auto parsed = pct.empty() || pct.front() == '-' ? std::nullopt : parse_amount(pct);
  if (parsed && *parsed > 0 && *parsed <= kWholePercent)
    p.percent = *parsed;
  else if (parsed || is_plain_decimal(pct))
    error("split_percent " + pct + " is not greater than 0 and at most 100");
  else
    error("split_percent " + quoted(pct) + " is not a decimal number with at most 6 fraction digits");
  return p;
}

std::string lines_list(const std::vector<RawRow>& rows) {
  std::string out;
  for (const auto& r : rows) {
    if (!out.empty()) out += ", ";
    out += std::to_string(r.line);
  }
  return out;
}

std::string date_range(const TerritoryRule& r) {
  return (r.effective_from ? format_date(*r.effective_from) : std::string("open")) + " to " +
         (r.effective_until ? format_date(*r.effective_until) : std::string("open"));
}

std::string describe_key(const TerritoryRule& r) {
  switch (r.type) {
    case MatchType::account:
      return "account rules for aws_account_id " + r.aws_account_id;
    case MatchType::domain:
      return "domain rules for email_domain " + quoted(r.email_domain);
    case MatchType::geography: {
      std::string s = "geography rules for country_code " + quoted(r.country_code);
      if (!r.state_or_region.empty()) s += ", state_or_region " + quoted(r.state_or_region);
      if (!r.postal_code_prefix.empty()) s += ", postal_code_prefix " + quoted(r.postal_code_prefix);
      return s;
    }
  }
  return {};
}

// Checks one rule's rows together; returns the rule when it (and each of its rows) is valid.
std::optional<TerritoryRule> check_rule(const std::string& rule_id, const std::vector<RawRow>& rows,
                                        std::vector<Error>& errors) {
  bool ok = true;
  std::vector<ParsedRow> parsed;
  for (const auto& row : rows) {
    parsed.push_back(check_row(row, errors));
    ok = ok && parsed.back().ok;
  }
  if (rule_id.empty()) return std::nullopt;  // rows without a rule id are not one rule: each is reported
  const RawRow& first = rows.front();
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::string differing;
    for (Col c : kRuleColumns)
      if (rows[i].v[c] != first.v[c]) differing += (differing.empty() ? "" : ", ") + std::string(kColumns[c].name);
    if (!differing.empty()) {
      errors.push_back({rows[i].line, "rule " + quoted(rule_id) + ": differs from line " + std::to_string(first.line) +
                                          " in " + differing +
                                          " (every row of a rule has the same match_type, match columns and "
                                          "effective dates)"});
      ok = false;
    }
    for (std::size_t j = 0; j < i; ++j)
      if (!rows[i].v[c_rep_id].empty() && rows[i].v[c_rep_id] == rows[j].v[c_rep_id]) {
        errors.push_back({rows[i].line, "rule " + quoted(rule_id) + ": rep_id " + quoted(rows[i].v[c_rep_id]) +
                                            " already has a share on line " + std::to_string(rows[j].line)});
        ok = false;
        break;
      }
  }
  if (std::all_of(parsed.begin(), parsed.end(), [](const ParsedRow& p) { return p.percent.has_value(); })) {
    Percent sum = 0;
    for (const auto& p : parsed) sum += *p.percent;  // each at most 100%: no overflow
    if (sum != kWholePercent) {
      errors.push_back({first.line, "rule " + quoted(rule_id) + ": split_percent on line" +
                                        (rows.size() > 1 ? "s " : " ") + lines_list(rows) + " sums to " +
                                        format_amount(sum) + ", not 100"});
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  TerritoryRule rule;
  rule.rule_id = rule_id;
  rule.type = *parsed.front().type;
  rule.aws_account_id = first.v[c_aws_account_id];
  rule.email_domain = first.v[c_email_domain];
  rule.country_code = first.v[c_country_code];
  rule.state_or_region = first.v[c_state_or_region];
  rule.postal_code_prefix = first.v[c_postal_code_prefix];
  rule.effective_from = parsed.front().from;
  rule.effective_until = parsed.front().until;
  rule.line = first.line;
  for (std::size_t i = 0; i < rows.size(); ++i)
    rule.shares.push_back({rows[i].v[c_rep_id], rows[i].v[c_rep_name], *parsed[i].percent, rows[i].line});
  std::sort(rule.shares.begin(), rule.shares.end(),
            [](const RepShare& a, const RepShare& b) { return a.rep_id < b.rep_id; });
  return rule;
}

bool dates_overlap(const TerritoryRule& a, const TerritoryRule& b) {
  const Instant from = std::max(a.effective_from.value_or(INT64_MIN), b.effective_from.value_or(INT64_MIN));
  const Instant until = std::min(a.effective_until.value_or(INT64_MAX), b.effective_until.value_or(INT64_MAX));
  return from <= until;
}

// One name per representative, over every row of the seller that names one.
void check_rep_names(const SellerBuild& build, std::vector<Error>& errors) {
  std::vector<const RawRow*> rows;
  for (const auto& [rule_id, rule_rows] : build.rules)
    for (const auto& r : rule_rows) rows.push_back(&r);
  std::sort(rows.begin(), rows.end(), [](const RawRow* a, const RawRow* b) { return a->line < b->line; });
  std::map<std::string, const RawRow*> names;  // rep_id -> its first row
  for (const RawRow* r : rows) {
    const auto& rep_id = r->v[c_rep_id];
    if (rep_id.empty()) continue;
    const auto [it, inserted] = names.emplace(rep_id, r);
    if (!inserted && it->second->v[c_rep_name] != r->v[c_rep_name])
      errors.push_back({r->line, "rep_id " + quoted(rep_id) + " is named " + quoted(r->v[c_rep_name]) + " here but " +
                                     quoted(it->second->v[c_rep_name]) + " on line " +
                                     std::to_string(it->second->line) + " (one name per representative)"});
  }
}

// No two valid rules of equal priority that can match the same buyer on the same date.
void check_overlaps(const std::vector<TerritoryRule>& rules, std::vector<Error>& errors) {
  // Equal priority = same match type and specificity; two such rules can match the same buyer
  // only when their (case-insensitive) match values are equal.
  std::map<std::string, std::vector<const TerritoryRule*>> groups;
  for (const auto& r : rules) groups[territory::overlap_key(r)].push_back(&r);
  for (const auto& [key, group] : groups)
    for (std::size_t i = 1; i < group.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (dates_overlap(*group[i], *group[j]))
          errors.push_back({group[i]->line, "rule " + quoted(group[i]->rule_id) + " overlaps rule " +
                                                quoted(group[j]->rule_id) + " (line " + std::to_string(group[j]->line) +
                                                ") at equal priority: both are " + describe_key(*group[i]) +
                                                ", in effect " + date_range(*group[i]) + " and " +
                                                date_range(*group[j])});
}

}  // namespace

std::string_view match_type_name(MatchType type) {
  switch (type) {
    case MatchType::account:
      return "account";
    case MatchType::domain:
      return "domain";
    case MatchType::geography:
      return "geography";
  }
  return "";
}

namespace territory {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string overlap_key(const TerritoryRule& r) {
  std::string key(match_type_name(r.type));
  switch (r.type) {
    case MatchType::account:
      key += '\0' + r.aws_account_id;
      break;
    case MatchType::domain:
      key += '\0' + lower_ascii(r.email_domain);
      break;
    case MatchType::geography:
      key += '\0' + lower_ascii(r.country_code) + '\0' + lower_ascii(r.state_or_region) + '\0' +
             lower_ascii(r.postal_code_prefix);
      break;
  }
  return key;
}

}  // namespace territory

TerritoryRules parse_territories(std::string_view text, const std::string& display_path) {
  const auto fatal = [&](std::int64_t line, const std::string& message) {
    fail(ExitCode::bad_input, display_path + ": line " + std::to_string(line) + ": " + message);
  };
  if (text.substr(0, 3) == "\xEF\xBB\xBF") fatal(1, "starts with a UTF-8 byte order mark (write UTF-8 without BOM)");
  const auto records = split_records(text);
  if (records.empty() || records.front().text.empty()) fatal(1, "empty, expected a header row");

  std::vector<std::string_view> fields;
  std::string scratch;
  const auto split = [&](const Record& r) {
    if (r.unterminated) fatal(r.line, "a quote that is never closed (a quoted field left open, or a quote inside an unquoted "
                        "field): the rest of the file is one record");
    if (csv::split_fields(r.text, fields, scratch) != csv::FieldStatus::ok)
      fatal(r.line, "not valid CSV (a quote inside an unquoted field or text after a closing quote)");
  };

  // The header: columns by name, in any order.
  split(records.front());
  const std::size_t width = fields.size();
  std::array<std::optional<std::size_t>, kCols> index{};
  std::vector<Error> header_errors;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string name(fields[i]);
    const auto spec = std::find_if(kColumns.begin(), kColumns.end(), [&](const ColumnSpec& c) { return c.name == name; });
    if (spec == kColumns.end()) {
      header_errors.push_back({1, "unknown column " + quoted(name) + " (column " + std::to_string(i + 1) +
                                      "); the columns are " + known_columns()});
      continue;
    }
    auto& slot = index[static_cast<std::size_t>(spec - kColumns.begin())];
    if (slot) {
      if (spec->name == "seller_account_id") fatal(1, "column seller_account_id appears twice");
      header_errors.push_back({1, "column " + name + " appears twice (columns " + std::to_string(*slot + 1) + " and " +
                                      std::to_string(i + 1) + ")"});
      continue;
    }
    slot = i;
  }
  if (!index[c_seller]) fatal(1, "missing column seller_account_id (rules cannot be attributed to sellers)");
  bool complete = true;  // with a required column missing, the rows are not checked (every one would fail)
  for (std::size_t c = 0; c < kCols; ++c)
    if (kColumns[c].required && !index[c]) {
      header_errors.push_back({1, "missing column " + std::string(kColumns[c].name)});
      complete = false;
    }

  // The rows, grouped by seller and rule.
  std::map<std::string, SellerBuild> builds;
  for (std::size_t k = 1; k < records.size(); ++k) {
    const Record& r = records[k];
    if (r.text.empty() && !r.unterminated) continue;  // a blank line
    split(r);
    if (fields.size() != width)
      fatal(r.line, "has " + std::to_string(fields.size()) + " fields, the header has " + std::to_string(width));
    RawRow row;
    row.line = r.line;
    for (std::size_t c = 0; c < kCols; ++c)
      if (index[c]) row.v[c] = std::string(fields[*index[c]]);
    const std::string& seller = row.v[c_seller];
    if (seller.empty()) fatal(r.line, "seller_account_id is empty (the row cannot be attributed to a seller)");
    if (seller.find('\0') != std::string::npos || !is_valid_utf8(seller) || has_outer_space(seller))
      fatal(r.line, "seller_account_id " + quoted(seller) + " is not a valid id (the row cannot be attributed to a seller)");
    auto& build = builds[seller];
    auto& rule_rows = build.rules[row.v[c_rule_id]];
    if (rule_rows.empty()) build.rule_order.push_back(row.v[c_rule_id]);
    rule_rows.push_back(std::move(row));
  }

  TerritoryRules out;
  for (auto& [seller, build] : builds) {
    auto& entry = out.sellers[seller];
    std::vector<Error> errors = header_errors;
    if (complete) {
      for (const auto& rule_id : build.rule_order)
        if (auto rule = check_rule(rule_id, build.rules[rule_id], errors)) entry.rules.push_back(std::move(*rule));
      check_rep_names(build, errors);
      check_overlaps(entry.rules, errors);
    }
    std::stable_sort(errors.begin(), errors.end(), [](const Error& a, const Error& b) { return a.line < b.line; });
    for (const auto& e : errors) entry.errors.push_back(display_path + ": line " + std::to_string(e.line) + ": " + e.message);
  }
  return out;
}

bool has_rules(const TerritoryRules& rules, const std::string& seller) { return rules.sellers.count(seller) > 0; }

const std::vector<std::string>& rule_errors(const TerritoryRules& rules, const std::string& seller) {
  static const std::vector<std::string> none;
  const auto it = rules.sellers.find(seller);
  return it == rules.sellers.end() ? none : it->second.errors;
}

}  // namespace ba
