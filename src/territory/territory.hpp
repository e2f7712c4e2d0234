#pragma once
// Territory attribution (issue 9): an optional rules file maps each seller's buyers to sales
// representatives, and two more per-seller tables report the result: `rep_attribution` (every
// buyer row's amounts assigned to representatives, with the rule that matched) and
// `rep_statements` (per representative and currency, the period's totals). docs/territories.md
// is the reference for the file format, precedence, splits and errors.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.hpp"
#include "common/time.hpp"
#include "tables/table.hpp"

namespace ba {

// Split percentages are exact: integer millionths of a percent (33.333334% = 33'333'334).
using Percent = std::int64_t;
inline constexpr Percent kPercentScale = 1'000'000;         // 1%
inline constexpr Percent kWholePercent = 100 * kPercentScale; // 100%

// Priority order: a lower value wins.
enum class MatchType : std::uint8_t { account = 0, domain = 1, geography = 2 };
std::string_view match_type_name(MatchType type);  // "account", "domain", "geography"

struct RepShare {
  std::string rep_id;
  std::string rep_name;
  Percent percent = 0;
  std::int64_t line = 0;  // line of the rules file that gives this share
};

struct TerritoryRule {
  std::string rule_id;
  MatchType type = MatchType::account;
  // Match values as written in the file (only those of `type` are non-empty).
  std::string aws_account_id, email_domain, country_code, state_or_region, postal_code_prefix;
  std::optional<Instant> effective_from, effective_until;  // inclusive; nullopt = open
  std::vector<RepShare> shares;  // sorted by rep_id (bytes); percents sum to kWholePercent
  std::int64_t line = 0;         // first line of the rule in the file
};

struct SellerTerritories {
  std::vector<TerritoryRule> rules;  // in order of first line
  std::vector<std::string> errors;   // "<file>: line N: ..." in line order; non-empty = not published
};

// The parsed rules file: one entry per seller_account_id that has at least one row.
struct TerritoryRules {
  std::map<std::string, SellerTerritories> sellers;
};

// Parses the whole text of the rules file (display_path names it in messages). Problems that
// concern one seller's rows go to that seller's error list; problems of the header (unknown,
// missing or duplicate columns) go to the list of every seller in the file. A problem that
// cannot be attributed to a seller (no header, no seller_account_id column, a record that is not
// valid CSV or has the wrong number of fields, an empty seller_account_id, a byte order mark)
// is fatal: fail(ExitCode::bad_input, "<display_path>: line N: ...").
TerritoryRules parse_territories(std::string_view text, const std::string& display_path);

bool has_rules(const TerritoryRules& rules, const std::string& seller);
// That seller's errors (empty for a seller without rows in the file).
const std::vector<std::string>& rule_errors(const TerritoryRules& rules, const std::string& seller);

const TableSchema& rep_attribution_schema();  // "rep_attribution"
const TableSchema& rep_statements_schema();   // "rep_statements"
// Every table a delivery (and the store) may hold, in manifest order: the four tables of
// semantics.md, which every enrolled seller gets, then the two representative tables, which a
// seller with territory rules gets together.
const std::vector<const TableSchema*>& deliverable_schemas();

// Splits `amount` exactly by `percents` (each > 0, summing to kWholePercent): every part is the
// exact share truncated toward zero, and the micro-units left over go one each to the parts with
// the largest discarded fraction, ties to the lower index. The parts always add up to amount,
// and split(-a) = -split(a).
std::vector<Micros> split_amount(Micros amount, const std::vector<Percent>& percents);

// One seller's buyers rows (buyers_schema() layout, any order, TableRow::seller == seller) ->
// rows of both tables, appended to `attribution` and `statements`, each part sorted in delivery
// order. Must not be called for a seller with rule errors; a seller without rules gets every
// buyer unassigned. Checks that per currency the statements and the attribution add up exactly
// to the buyers' totals (internal error otherwise).
void attribute_to_reps(const TerritoryRules& rules, const std::string& seller, const std::vector<TableRow>& buyers,
                       std::vector<TableRow>& attribution, std::vector<TableRow>& statements);

}  // namespace ba
