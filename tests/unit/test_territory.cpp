// Territory attribution (issue 9): the rules file, precedence, effective dates, exact splits,
// unassigned buyers, error reporting and the statements-add-up invariant.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include "common/error.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"
#include "territory/territory.hpp"

using namespace ba;

namespace {

const std::string kHeader =
    "seller_account_id,rule_id,match_type,aws_account_id,email_domain,country_code,state_or_region,"
    "postal_code_prefix,effective_from,effective_until,rep_id,rep_name,split_percent\n";

TerritoryRules parse(const std::string& body, const std::string& header = kHeader) {
  return parse_territories(header + body, "territories.csv");
}

std::string fatal_message(const std::string& text) {
  try {
    parse_territories(text, "territories.csv");
  } catch (const Failure& f) {
    EXPECT_EQ(f.code(), ExitCode::bad_input);
    return f.what();
  }
  ADD_FAILURE() << "no fatal error for:\n" << text;
  return {};
}

struct Buyer {
  std::string payer, currency = "USD", account, domain, country, state, postal, last = "2026-10-15";
  Micros billed = 0, disbursed = 0, usage = 0;
};

// Builds a Buyer field by field: B("P1").account("123456789012").billed(5).
struct B {
  Buyer b;
  explicit B(std::string payer) { b.payer = std::move(payer); }
  B& currency(std::string v) { b.currency = std::move(v); return *this; }
  B& account(std::string v) { b.account = std::move(v); return *this; }
  B& domain(std::string v) { b.domain = std::move(v); return *this; }
  B& country(std::string v) { b.country = std::move(v); return *this; }
  B& state(std::string v) { b.state = std::move(v); return *this; }
  B& postal(std::string v) { b.postal = std::move(v); return *this; }
  B& last(std::string v) { b.last = std::move(v); return *this; }
  B& billed(Micros v) { b.billed = v; return *this; }
  B& disbursed(Micros v) { b.disbursed = v; return *this; }
  B& usage(Micros v) { b.usage = v; return *this; }
  operator Buyer() const { return b; }  // NOLINT(google-explicit-constructor)
};

TableRow buyer_row(const std::string& seller, const Buyer& b) {
  const auto& schema = buyers_schema();
  std::vector<Cell> cells(schema.columns.size());
  cells[0].text = b.account;
  cells[1].text = "Company of " + b.payer;
  cells[2].text = b.domain;
  cells[3].text = b.country;
  cells[4].text = b.state;
  cells[5].text = "City";
  cells[6].text = b.postal;
  cells[7].text = b.payer;
  cells[8].text = b.currency;
  cells[9].text = "2026-10-01";
  cells[10].text = b.last;
  cells[11].number = b.billed;
  cells[12].number = b.disbursed;
  cells[13].number = b.usage;
  cells[14].number = 1;
  cells[15].number = 1;
  return TableRow::from_cells(seller, cells);
}

struct Result {
  std::vector<TableRow> attribution, statements;
};

Result attribute(const TerritoryRules& rules, const std::vector<Buyer>& buyers, const std::string& seller = "S1") {
  std::vector<TableRow> rows;
  for (const auto& b : buyers) rows.push_back(buyer_row(seller, b));
  Result r;
  attribute_to_reps(rules, seller, rows, r.attribution, r.statements);
  return r;
}

std::size_t col(const TableSchema& schema, const std::string& name) {
  for (std::size_t i = 0; i < schema.columns.size(); ++i)
    if (schema.columns[i].name == name) return i;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

std::string at(const TableRow& row, const std::string& name) {
  return std::string(row.text(col(rep_attribution_schema(), name)));
}
Micros amount(const TableRow& row, const std::string& name) {
  return row.number(col(rep_attribution_schema(), name));
}

// The single attribution row of a payer (fails the test if there are several).
const TableRow& only_row(const Result& r, const std::string& payer) {
  const TableRow* found = nullptr;
  for (const auto& row : r.attribution)
    if (at(row, "payer_reference_id") == payer) {
      EXPECT_EQ(found, nullptr) << "several rows for " << payer;
      found = &row;
    }
  EXPECT_NE(found, nullptr) << "no row for " << payer;
  static const TableRow empty = TableRow::from_cells("", std::vector<Cell>(rep_attribution_schema().columns.size()));
  return found ? *found : empty;
}

std::string rep_of(const Result& r, const std::string& payer) { return at(only_row(r, payer), "rep_id"); }
std::string rule_of(const Result& r, const std::string& payer) { return at(only_row(r, payer), "rule_id"); }

void expect_no_errors(const TerritoryRules& rules, const std::string& seller = "S1") {
  EXPECT_TRUE(rule_errors(rules, seller).empty()) << ::testing::PrintToString(rule_errors(rules, seller));
}

bool has_error(const TerritoryRules& rules, const std::string& seller, const std::string& part) {
  for (const auto& e : rule_errors(rules, seller))
    if (e.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

// ---- The file ------------------------------------------------------------------------------

TEST(TerritoryParse, ReadsRulesOfEachKindWithColumnsInAnyOrderAndOptionalColumnsAbsent) {
  const auto rules = parse_territories(
      "rep_id,split_percent,match_type,seller_account_id,rule_id,email_domain,aws_account_id\r\n"
      "r1,100,account,S1,A1,,123456789012\r\n"
      "\r\n"  // a blank line is ignored
      "r2,60,domain,S1,D1,Example.COM,\n"
      "r3,40.000000,domain,S1,D1,Example.COM,\n"
      "r1,100,domain,S2,X,other.org,\n",
      "territories.csv");
  expect_no_errors(rules, "S1");
  expect_no_errors(rules, "S2");
  EXPECT_TRUE(has_rules(rules, "S1"));
  EXPECT_TRUE(has_rules(rules, "S2"));
  EXPECT_FALSE(has_rules(rules, "S3"));
  EXPECT_TRUE(rule_errors(rules, "S3").empty());
  const auto& s1 = rules.sellers.at("S1").rules;
  ASSERT_EQ(s1.size(), 2U);
  EXPECT_EQ(s1[0].type, MatchType::account);
  EXPECT_EQ(s1[0].line, 2);
  EXPECT_EQ(s1[1].type, MatchType::domain);
  EXPECT_EQ(s1[1].line, 4);
  ASSERT_EQ(s1[1].shares.size(), 2U);
  EXPECT_EQ(s1[1].shares[0].percent, 60 * kPercentScale);
  EXPECT_EQ(s1[1].shares[1].percent, 40 * kPercentScale);
}

TEST(TerritoryParse, TheExampleOfTheDocumentationIsValidAndBehavesAsDescribed) {
  std::ifstream in(std::string(BA_SOURCE_DIR) + "/docs/territories.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto begin = doc.find("```csv\n");
  ASSERT_NE(begin, std::string::npos);
  const auto end = doc.find("```", begin + 7);
  const auto rules = parse_territories(doc.substr(begin + 7, end - begin - 7), "territories.csv");
  expect_no_errors(rules, "seller-1");
  expect_no_errors(rules, "seller-2");
  const auto r = attribute(rules,
                           {B("P1").account("123456789012").domain("acme.example").country("US"),
                            B("P2").domain("ACME.example").last("2026-06-30").billed(10),
                            B("P3").domain("acme.example").last("2026-07-01"),
                            B("P4").country("US").state("CA").postal("94105"),
                            B("P5").country("US").state("CA").postal("90001"),
                            B("P6").country("US").state("NY").postal("10001").billed(100'000'000)},
                           "seller-1");
  EXPECT_EQ(rule_of(r, "P1"), "key-account");
  EXPECT_EQ(rule_of(r, "P3"), "acme-h2");
  EXPECT_EQ(rule_of(r, "P4"), "sf");
  EXPECT_EQ(rule_of(r, "P5"), "us-west");
  std::map<std::string, Micros> billed;
  for (const auto& row : r.attribution)
    if (at(row, "payer_reference_id") == "P2" || at(row, "payer_reference_id") == "P6")
      billed[at(row, "payer_reference_id") + " " + at(row, "rep_id")] = amount(row, "billed_net_revenue");
  EXPECT_EQ(billed, (std::map<std::string, Micros>{{"P2 bob", 6},
                                                   {"P2 carol", 4},
                                                   {"P6 bob", 33'333'334},
                                                   {"P6 carol", 33'333'333},
                                                   {"P6 dave", 33'333'333}}));
}

TEST(TerritoryParse, NoRulesForASellerMeansEveryBuyerIsUnassigned) {
  const auto rules = parse("");
  EXPECT_FALSE(has_rules(rules, "S1"));
  const auto r = attribute(rules, {B("P1").account("123456789012").billed(5)});
  ASSERT_EQ(r.attribution.size(), 1U);
  EXPECT_EQ(at(r.attribution[0], "match_type"), "unassigned");
}

// ---- Each rule kind --------------------------------------------------------------------------

TEST(TerritoryMatch, AccountRuleMatchesTheBuyersAwsAccountId) {
  const auto rules = parse("S1,A1,account,123456789012,,,,,,,alice,Alice,100\n");
  expect_no_errors(rules);
  const auto r = attribute(rules, {B("P1").account("123456789012").billed(7'000'000),
                                   B("P2").account("123456789013").billed(1)});
  const auto& row = only_row(r, "P1");
  EXPECT_EQ(at(row, "rep_id"), "alice");
  EXPECT_EQ(at(row, "rep_name"), "Alice");
  EXPECT_EQ(at(row, "rule_id"), "A1");
  EXPECT_EQ(at(row, "match_type"), "account");
  EXPECT_EQ(at(row, "split_percent"), "100.000000");
  EXPECT_EQ(amount(row, "billed_net_revenue"), 7'000'000);
  EXPECT_EQ(at(only_row(r, "P2"), "match_type"), "unassigned");
}

TEST(TerritoryMatch, DomainRuleIsCaseInsensitiveAndMatchesTheWholeDomainOnly) {
  const auto rules = parse("S1,D1,domain,,Example.com,,,,,,dan,Dan,100\n");
  expect_no_errors(rules);
  const auto r = attribute(rules, {B("P1").domain("example.com"),
                                   B("P2").domain("EXAMPLE.COM"),
                                   B("P3").domain("eu.example.com"),
                                   B("P4").domain("example.co")});
  EXPECT_EQ(rep_of(r, "P1"), "dan");
  EXPECT_EQ(rep_of(r, "P2"), "dan");
  EXPECT_EQ(rep_of(r, "P3"), "");
  EXPECT_EQ(rep_of(r, "P4"), "");
  EXPECT_EQ(at(only_row(r, "P1"), "match_type"), "domain");
}

TEST(TerritoryMatch, GeographyByCountryStateAndPostalCodePrefix) {
  const auto rules = parse(
      "S1,G1,geography,,,US,,,,,us,US rep,100\n"
      "S1,G2,geography,,,DE,BY,,,,by,Bavaria rep,100\n"
      "S1,G3,geography,,,GB,,sw1,,,sw,London rep,100\n");
  expect_no_errors(rules);
  const auto r = attribute(rules, {B("P1").country("US").state("TX").postal("73301"),
                                   B("P2").country("us"),
                                   B("P3").country("DE").state("BY").postal("80331"),
                                   B("P4").country("DE").state("BE").postal("10115"),
                                   B("P5").country("GB").postal("SW1A 1AA"),
                                   B("P6").country("GB").postal("E1 6AN"),
                                   B("P7").country("GB"),
                                   B("P8").country("FR")});
  EXPECT_EQ(rep_of(r, "P1"), "us");
  EXPECT_EQ(rep_of(r, "P2"), "us");  // case-insensitive
  EXPECT_EQ(rep_of(r, "P3"), "by");
  EXPECT_EQ(rep_of(r, "P4"), "");    // another state of DE: no DE-wide rule
  EXPECT_EQ(rep_of(r, "P5"), "sw");  // prefix, case-insensitive
  EXPECT_EQ(rep_of(r, "P6"), "");
  EXPECT_EQ(rep_of(r, "P7"), "");    // no postal code: a prefix rule cannot match
  EXPECT_EQ(rep_of(r, "P8"), "");
  EXPECT_EQ(at(only_row(r, "P1"), "match_type"), "geography");
}

// ---- Priority --------------------------------------------------------------------------------

TEST(TerritoryPriority, AccountBeforeDomainBeforeGeographyWhateverTheFileOrder) {
  const auto rules = parse(
      "S1,G,geography,,,US,,,,,geo,Geo,100\n"
      "S1,D,domain,,example.com,,,,,,dom,Dom,100\n"
      "S1,A,account,123456789012,,,,,,,acc,Acc,100\n");
  expect_no_errors(rules);
  const Buyer all = B("P1").account("123456789012").domain("example.com").country("US");
  Buyer domain_geo = all;
  domain_geo.payer = "P2";
  domain_geo.account = "999999999999";
  Buyer geo_only = domain_geo;
  geo_only.payer = "P3";
  geo_only.domain = "other.com";
  const auto r = attribute(rules, {all, domain_geo, geo_only});
  EXPECT_EQ(rep_of(r, "P1"), "acc");
  EXPECT_EQ(rep_of(r, "P2"), "dom");
  EXPECT_EQ(rep_of(r, "P3"), "geo");
}

TEST(TerritoryPriority, GeographyMostSpecificFirstLongerPrefixThenState) {
  const auto rules = parse(
      "S1,country,geography,,,US,,,,,c,C,100\n"
      "S1,state,geography,,,US,CA,,,,s,S,100\n"
      "S1,p9,geography,,,US,,9,,,p9,P9,100\n"
      "S1,state-p9,geography,,,US,CA,9,,,sp9,SP9,100\n"
      "S1,p941,geography,,,US,,941,,,p941,P941,100\n");
  expect_no_errors(rules);
  const auto r = attribute(rules, {B("P1").country("US").state("CA").postal("94105"),
                                   B("P2").country("US").state("CA").postal("95014"),
                                   B("P3").country("US").state("NV").postal("95014"),
                                   B("P4").country("US").state("CA").postal("10001"),
                                   B("P5").country("US").state("NY").postal("10001")});
  EXPECT_EQ(rule_of(r, "P1"), "p941");      // the longest prefix beats the state
  EXPECT_EQ(rule_of(r, "P2"), "state-p9");  // equal prefix: naming the state is more specific
  EXPECT_EQ(rule_of(r, "P3"), "p9");
  EXPECT_EQ(rule_of(r, "P4"), "state");     // a prefix rule that does not match does not count
  EXPECT_EQ(rule_of(r, "P5"), "country");
}

// ---- Effective dates -------------------------------------------------------------------------

TEST(TerritoryDates, ARuleAppliesWhenItsInclusiveRangeHoldsTheLastActivityDate) {
  const auto rules = parse(
      "S1,old,account,123456789012,,,,,,2026-10-14,old,Old,100\n"
      "S1,new,account,123456789012,,,,,2026-10-15,2026-10-31,new,New,100\n"
      "S1,dom,domain,,example.com,,,,2026-10-01,,dom,Dom,100\n");
  expect_no_errors(rules);
  const std::string acct = "123456789012";
  const auto r = attribute(rules, {B("P1").account(acct).domain("example.com").last("2026-10-14"),
                                   B("P2").account(acct).domain("example.com").last("2026-10-15"),
                                   B("P3").account(acct).domain("example.com").last("2026-10-31"),
                                   // after every account rule: falls through to the domain rule
                                   B("P4").account(acct).domain("example.com").last("2026-11-01"),
                                   // before the domain rule too: unassigned
                                   B("P5").account("123456789099").domain("example.com").last("2026-09-30")});
  EXPECT_EQ(rule_of(r, "P1"), "old");
  EXPECT_EQ(rule_of(r, "P2"), "new");
  EXPECT_EQ(rule_of(r, "P3"), "new");
  EXPECT_EQ(rule_of(r, "P4"), "dom");
  EXPECT_EQ(at(only_row(r, "P5"), "match_type"), "unassigned");
}

// ---- Splits ----------------------------------------------------------------------------------

TEST(TerritorySplit, PartsAddUpAndTheRemainderGoesToTheLargestDiscardedFraction) {
  const std::vector<Percent> thirds{33'333'334, 33'333'333, 33'333'333};
  EXPECT_EQ(split_amount(1'000'000, thirds), (std::vector<Micros>{333'334, 333'333, 333'333}));
  EXPECT_EQ(split_amount(-1'000'000, thirds), (std::vector<Micros>{-333'334, -333'333, -333'333}));
  // 0.000002 in thirds: exact .66666668, .66666666, .66666666 -> the first two get a micro-unit.
  EXPECT_EQ(split_amount(2, thirds), (std::vector<Micros>{1, 1, 0}));
  EXPECT_EQ(split_amount(-2, thirds), (std::vector<Micros>{-1, -1, 0}));
  // Equal fractions: the lower index (the rule's shares are in rep_id order) wins.
  const std::vector<Percent> halves{50 * kPercentScale, 50 * kPercentScale};
  EXPECT_EQ(split_amount(1, halves), (std::vector<Micros>{1, 0}));
  EXPECT_EQ(split_amount(-1, halves), (std::vector<Micros>{-1, 0}));
  EXPECT_EQ(split_amount(0, halves), (std::vector<Micros>{0, 0}));
  // 70/20/10 of 0.000009: exact 6.3, 1.8, 0.9 -> 6, 1, 0 and 2 micro-units to 0.9 then 0.8.
  EXPECT_EQ(split_amount(9, {70 * kPercentScale, 20 * kPercentScale, 10 * kPercentScale}),
            (std::vector<Micros>{6, 2, 1}));
  EXPECT_EQ(split_amount(INT64_MIN, halves), (std::vector<Micros>{INT64_MIN / 2, INT64_MIN / 2}));
  EXPECT_EQ(split_amount(INT64_MAX, {kWholePercent}), (std::vector<Micros>{INT64_MAX}));
}

TEST(TerritorySplit, RandomSplitsAreExactWithinOneMicroUnitAndSymmetricInSign) {
  std::mt19937_64 rng(20261014);
  for (int round = 0; round < 2000; ++round) {
    const std::size_t n = 1 + rng() % 7;
    std::vector<Percent> percents(n, 1);
    Percent left = kWholePercent - static_cast<Percent>(n);
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const Percent take = static_cast<Percent>(rng() % static_cast<std::uint64_t>(left + 1));
      percents[i] += take;
      left -= take;
    }
    percents[n - 1] += left;
    const Micros a = static_cast<Micros>(rng() % 2'000'000'000'000ULL) - 1'000'000'000'000;
    const auto parts = split_amount(a, percents);
    const auto negated = split_amount(-a, percents);
    Micros sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sum += parts[i];
      EXPECT_EQ(negated[i], -parts[i]);
      const __int128 exact_times_whole = static_cast<__int128>(a) * percents[i];
      const __int128 diff = static_cast<__int128>(parts[i]) * kWholePercent - exact_times_whole;
      EXPECT_LT(diff < 0 ? -diff : diff, static_cast<__int128>(kWholePercent));  // |part - exact| < 1 micro
    }
    ASSERT_EQ(sum, a);
  }
}

TEST(TerritorySplit, ARuleSplitsEveryAmountByItsSharesInRepIdOrder) {
  const auto rules = parse(
      "S1,T,account,123456789012,,,,,,,carol,Carol,33.333333\n"
      "S1,T,account,123456789012,,,,,,,alice,Alice,33.333334\n"
      "S1,T,account,123456789012,,,,,,,bob,Bob,33.333333\n");
  expect_no_errors(rules);
  const auto r = attribute(
      rules, {B("P1").account("123456789012").billed(100'000'000).disbursed(-1).usage(2)});
  ASSERT_EQ(r.attribution.size(), 3U);
  // Sorted by (payer_reference_id, currency, rep_id).
  EXPECT_EQ(at(r.attribution[0], "rep_id"), "alice");
  EXPECT_EQ(at(r.attribution[1], "rep_id"), "bob");
  EXPECT_EQ(at(r.attribution[2], "rep_id"), "carol");
  EXPECT_EQ(at(r.attribution[0], "split_percent"), "33.333334");
  EXPECT_EQ(at(r.attribution[2], "split_percent"), "33.333333");
  // 100.000000 -> 33.333334 + 33.333333 + 33.333333
  EXPECT_EQ(amount(r.attribution[0], "billed_net_revenue"), 33'333'334);
  EXPECT_EQ(amount(r.attribution[1], "billed_net_revenue"), 33'333'333);
  EXPECT_EQ(amount(r.attribution[2], "billed_net_revenue"), 33'333'333);
  // -0.000001: alice's fraction (.33333334) is the largest.
  EXPECT_EQ(amount(r.attribution[0], "disbursed_net_amount"), -1);
  EXPECT_EQ(amount(r.attribution[1], "disbursed_net_amount"), 0);
  EXPECT_EQ(amount(r.attribution[2], "disbursed_net_amount"), 0);
  // 0.000002: alice and then bob (equal fractions with carol, bob's rep_id is lower).
  EXPECT_EQ(amount(r.attribution[0], "estimated_usage_revenue"), 1);
  EXPECT_EQ(amount(r.attribution[1], "estimated_usage_revenue"), 1);
  EXPECT_EQ(amount(r.attribution[2], "estimated_usage_revenue"), 0);
}

// ---- Unassigned buyers and statements ----------------------------------------------------------

TEST(TerritoryUnassigned, BuyersNoRuleMatchesAreListedAndTotalledNeverDropped) {
  const auto rules = parse(
      "S1,A,account,123456789012,,,,,,,alice,Alice,50\n"
      "S1,A,account,123456789012,,,,,,,bob,Bob,50\n"
      "S1,B,domain,,example.com,,,,,,alice,Alice,100\n");
  expect_no_errors(rules);
  const auto r = attribute(rules, {B("P1").account("123456789012").billed(3).usage(10),
                                   B("P2").domain("example.com").billed(4),
                                   B("P3").currency("EUR").account("123456789012").billed(5),
                                   B("P4").domain("nobody.org").billed(6).disbursed(-6),
                                   // no payer: unassigned even though the (empty) buyer columns match nothing
                                   B("").billed(7),
                                   B("").currency("EUR").disbursed(8)});
  ASSERT_EQ(r.attribution.size(), 8U);
  // Empty payer_reference_id sorts first.
  EXPECT_EQ(at(r.attribution[0], "payer_reference_id"), "");
  EXPECT_EQ(at(r.attribution[0], "currency"), "EUR");
  EXPECT_EQ(at(r.attribution[0], "match_type"), "unassigned");
  EXPECT_EQ(at(r.attribution[0], "rep_id"), "");
  EXPECT_EQ(at(r.attribution[0], "rule_id"), "");
  EXPECT_EQ(at(r.attribution[0], "split_percent"), "100.000000");
  EXPECT_EQ(amount(r.attribution[0], "disbursed_net_amount"), 8);
  EXPECT_EQ(at(only_row(r, "P4"), "match_type"), "unassigned");
  EXPECT_EQ(amount(only_row(r, "P4"), "disbursed_net_amount"), -6);

  const auto& s = rep_statements_schema();
  std::vector<std::string> lines;
  for (const auto& row : r.statements) lines.push_back(render_line(s, row));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       ",,EUR,1,0.000000,0.000008,0.000000\n",    // unassigned: no payer
                       ",,USD,2,0.000013,-0.000006,0.000000\n",  // unassigned: no payer, and P4
                       "alice,Alice,EUR,1,0.000003,0.000000,0.000000\n",
                       "alice,Alice,USD,2,0.000006,0.000000,0.000005\n",  // P1 half (2 of 3) + P2
                       "bob,Bob,EUR,1,0.000002,0.000000,0.000000\n",
                       "bob,Bob,USD,1,0.000001,0.000000,0.000005\n",
                   }));
  for (const auto& row : r.statements) EXPECT_EQ(row.seller, "S1");
  for (const auto& row : r.attribution) EXPECT_EQ(row.seller, "S1");
}

TEST(TerritoryTables, SchemasHaveACurrencyColumnAmountColumnsAndASortOrder) {
  EXPECT_EQ(render_header(rep_attribution_schema()),
            "customer_aws_account_id,company_name,email_domain,country_code,state_or_region,city,postal_code,"
            "payer_reference_id,currency,last_activity_date,rep_id,rep_name,rule_id,match_type,split_percent,"
            "billed_net_revenue,disbursed_net_amount,estimated_usage_revenue\n");
  EXPECT_EQ(render_header(rep_statements_schema()),
            "rep_id,rep_name,currency,buyers,billed_net_revenue,disbursed_net_amount,estimated_usage_revenue\n");
  EXPECT_EQ(rep_attribution_schema().name, "rep_attribution");
  EXPECT_EQ(rep_statements_schema().name, "rep_statements");
  for (const auto* schema : {&rep_attribution_schema(), &rep_statements_schema()}) {
    EXPECT_FALSE(schema->sort_by.empty());
    int amounts = 0;
    for (const auto& c : schema->columns) amounts += c.kind == ColumnKind::amount;
    EXPECT_EQ(amounts, 3);
  }
  const auto rules = parse("S1,A,account,123456789012,,,,,,,=alice,\"Smith, Al\",100\n");
  expect_no_errors(rules);
  const auto r = attribute(rules, {B("P1").account("123456789012").billed(-12'500'000)});
  EXPECT_EQ(render_line(rep_attribution_schema(), r.attribution[0]),
            "123456789012,Company of P1,,,,City,,P1,USD,2026-10-15,'=alice,\"Smith, Al\",A,account,100.000000,"
            "-12.500000,0.000000,0.000000\n");
}

// ---- The invariant: per seller and currency, the statements add up to the buyers' totals --------

TEST(TerritoryInvariant, StatementsAndAttributionAddUpToTheBuyersPerCurrencyOnRandomInput) {
  std::mt19937_64 rng(9);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> accounts{"100000000001", "100000000002", "100000000003", "100000000004"};
  const std::vector<std::string> domains{"a.com", "b.com", "c.org"};
  const std::vector<std::string> countries{"US", "DE", "JP"};
  const std::vector<std::string> states{"CA", "NY", "BY"};
  const std::vector<std::string> postals{"94105", "10001", "80331", "9"};
  const std::vector<std::string> currencies{"USD", "EUR", "JPY"};
  const std::vector<std::string> reps{"r1", "r2", "r3", "r4", "r5"};
  std::map<std::string, int> by_match_type;  // the input exercises every outcome
  for (int round = 0; round < 200; ++round) {
    // Rules: every match key once, each with a random split, some with an effective range.
    std::string body;
    int next_rule = 0;
    const auto add_rule = [&](const std::string& kind, const std::string& account, const std::string& domain,
                              const std::string& country, const std::string& state, const std::string& prefix) {
      if (rng() % 3 == 0) return;  // not every key has a rule
      const std::string id = "R" + std::to_string(next_rule++);
      const std::string from = rng() % 2 ? "2026-10-10" : "";
      const std::string until = rng() % 2 ? "2026-10-20" : "";
      const std::size_t n = 1 + pick(4);
      std::vector<std::string> chosen = reps;
      std::shuffle(chosen.begin(), chosen.end(), rng);
      Percent left = kWholePercent;
      for (std::size_t i = 0; i < n; ++i) {
        const Percent p = i + 1 == n ? left : 1 + static_cast<Percent>(rng() % static_cast<std::uint64_t>(left - static_cast<Percent>(n - i)));
        left -= p;
        body += "S1," + id + "," + kind + "," + account + "," + domain + "," + country + "," + state + "," + prefix +
                "," + from + "," + until + "," + chosen[i] + ",Name " + chosen[i] + "," + format_amount(p) + "\n";
      }
    };
    for (const auto& a : accounts) add_rule("account", a, "", "", "", "");
    for (const auto& d : domains) add_rule("domain", "", d, "", "", "");
    for (const auto& c : countries) {
      add_rule("geography", "", "", c, "", "");
      for (const auto& s : states) add_rule("geography", "", "", c, s, "");
      for (const auto& p : postals) add_rule("geography", "", "", c, "", p);
    }
    const auto rules = parse(body);
    expect_no_errors(rules);
    if (!rule_errors(rules, "S1").empty()) return;

    std::vector<Buyer> buyers;
    std::map<std::string, std::array<Micros, 3>> totals;
    const std::size_t count = pick(40);
    for (std::size_t i = 0; i < count; ++i) {
      Buyer b;
      b.payer = rng() % 10 == 0 ? "" : "P" + std::to_string(i);
      b.currency = currencies[pick(currencies.size())];
      if (!b.payer.empty()) {
        b.account = rng() % 2 ? accounts[pick(accounts.size())] : "999999999999";
        b.domain = rng() % 2 ? domains[pick(domains.size())] : "z.net";
        b.country = rng() % 4 ? countries[pick(countries.size())] : "";
        b.state = rng() % 2 ? states[pick(states.size())] : "";
        b.postal = rng() % 2 ? postals[pick(postals.size())] + "0" : "";
        b.last = "2026-10-" + std::string(1, static_cast<char>('0' + 1 + pick(2))) + std::to_string(pick(10));
      }
      const auto random_amount = [&] { return static_cast<Micros>(rng() % 20'000'000'001ULL) - 10'000'000'000; };
      b.billed = random_amount();
      b.disbursed = rng() % 3 ? random_amount() : 0;
      b.usage = rng() % 2 ? static_cast<Micros>(rng() % 1000) : 0;  // tiny amounts: remainders everywhere
      auto& t = totals[b.currency];
      t[0] += b.billed;
      t[1] += b.disbursed;
      t[2] += b.usage;
      buyers.push_back(b);
    }
    const auto r = attribute(rules, buyers);

    const auto& ss = rep_statements_schema();
    std::map<std::string, std::array<Micros, 3>> stated;
    std::int64_t stated_buyers = 0;
    for (const auto& row : r.statements) {
      auto& t = stated[std::string(row.text(col(ss, "currency")))];
      t[0] += row.number(col(ss, "billed_net_revenue"));
      t[1] += row.number(col(ss, "disbursed_net_amount"));
      t[2] += row.number(col(ss, "estimated_usage_revenue"));
      stated_buyers += row.number(col(ss, "buyers"));
    }
    std::map<std::string, std::array<Micros, 3>> attributed;
    for (const auto& row : r.attribution) {
      by_match_type[at(row, "match_type")] += 1;
      auto& t = attributed[at(row, "currency")];
      t[0] += amount(row, "billed_net_revenue");
      t[1] += amount(row, "disbursed_net_amount");
      t[2] += amount(row, "estimated_usage_revenue");
    }
    ASSERT_EQ(stated, totals) << "round " << round;
    ASSERT_EQ(attributed, totals) << "round " << round;
    ASSERT_EQ(stated_buyers, static_cast<std::int64_t>(r.attribution.size()));
    // Every buyer row appears: at least one attribution row per buyer, unassigned ones whole.
    std::set<std::string> seen;
    for (const auto& row : r.attribution) seen.insert(at(row, "payer_reference_id") + "|" + at(row, "currency"));
    for (const auto& b : buyers) EXPECT_TRUE(seen.count(b.payer + "|" + b.currency));
  }
  for (const std::string type : {"account", "domain", "geography", "unassigned"})
    EXPECT_GT(by_match_type[type], 100) << type;
}

// ---- Bad rules ------------------------------------------------------------------------------

TEST(TerritoryErrors, OverlapAtEqualPriorityNamesBothLinesAndOnlyThatSeller) {
  const auto rules = parse(
      "S1,D1,domain,,example.com,,,,2026-01-01,2026-06-30,a,A,100\n"  // line 2
      "S2,D1,domain,,example.com,,,,,,a,A,100\n"                      // line 3: another seller
      "S1,D2,domain,,EXAMPLE.com,,,,2026-06-30,,b,B,100\n"            // line 4: overlaps on 2026-06-30
      "S1,D3,domain,,example.com,,,,2025-01-01,2025-12-31,c,C,100\n"  // line 5: disjoint dates
      "S1,G1,geography,,,US,CA,,,,a,A,100\n"                          // line 6
      "S1,G2,geography,,,US,,94,,,b,B,100\n"                          // line 7: other specificity
      "S1,G3,geography,,,us,ca,,,,c,C,100\n");                        // line 8: overlaps line 6
  ASSERT_EQ(rule_errors(rules, "S1").size(), 2U) << ::testing::PrintToString(rule_errors(rules, "S1"));
  EXPECT_EQ(rule_errors(rules, "S1")[0],
            "territories.csv: line 4: rule \"D2\" overlaps rule \"D1\" (line 2) at equal priority: both are domain rules "
            "for email_domain \"EXAMPLE.com\", in effect 2026-06-30 to open and 2026-01-01 to 2026-06-30");
  EXPECT_NE(rule_errors(rules, "S1")[1].find("territories.csv: line 8: rule \"G3\" overlaps rule \"G1\" (line 6)"),
            std::string::npos);
  expect_no_errors(rules, "S2");
  // Two account rules for one account, both open-ended.
  const auto acct = parse(
      "S1,A1,account,123456789012,,,,,,,a,A,100\n"
      "S1,A2,account,123456789012,,,,,,,b,B,100\n");
  EXPECT_TRUE(has_error(acct, "S1", "line 3: rule \"A2\" overlaps rule \"A1\" (line 2)"));
}

TEST(TerritoryErrors, SplitsNotSummingTo100NameTheRuleAndItsLines) {
  const auto rules = parse(
      "S1,T,account,123456789012,,,,,,,a,A,33.333333\n"
      "S1,T,account,123456789012,,,,,,,b,B,33.333333\n"
      "S1,U,domain,,x.com,,,,,,a,A,50\n"
      "S1,T,account,123456789012,,,,,,,c,C,33.333333\n"
      "S1,V,domain,,y.com,,,,,,a,A,100.5\n"
      "S1,W,domain,,z.com,,,,,,a,A,0\n"
      "S1,X,domain,,w.com,,,,,,a,A,1.0000001\n"
      "S1,Y,domain,,v.com,,,,,,a,A,-100\n"
      "S1,Z,domain,,u.com,,,,,,a,A,18446744073709551666\n"
      "S1,Q,domain,,t.com,,,,,,a,A,288230376151711794.5\n"
      "S1,P,domain,,s.com,,,,,,a,A,5.\n");
  const auto& e = rule_errors(rules, "S1");
  ASSERT_EQ(e.size(), 9U) << ::testing::PrintToString(e);
  EXPECT_EQ(e[0], "territories.csv: line 2: rule \"T\": split_percent on lines 2, 3, 5 sums to 99.999999, not 100");
  EXPECT_EQ(e[1], "territories.csv: line 4: rule \"U\": split_percent on line 4 sums to 50.000000, not 100");
  EXPECT_EQ(e[2], "territories.csv: line 6: split_percent 100.5 is not greater than 0 and at most 100");
  EXPECT_EQ(e[3], "territories.csv: line 7: split_percent 0 is not greater than 0 and at most 100");
  EXPECT_EQ(e[4],
            "territories.csv: line 8: split_percent \"1.0000001\" is not a decimal number with at most 6 fraction digits");
  EXPECT_EQ(e[5],
            "territories.csv: line 9: split_percent \"-100\" is not a decimal number with at most 6 fraction digits");
  // Too large for 64-bit micro-units: out of range, said so, not taken for malformed.
  EXPECT_EQ(e[6], "territories.csv: line 10: split_percent 18446744073709551666 is not greater than 0 and at most 100");
  EXPECT_EQ(e[7], "territories.csv: line 11: split_percent 288230376151711794.5 is not greater than 0 and at most 100");
  EXPECT_EQ(e[8],
            "territories.csv: line 12: split_percent \"5.\" is not a decimal number with at most 6 fraction digits");
}

TEST(TerritoryErrors, UnknownOrMissingColumnsWithholdEverySellersRepTablesButAreNotFatal) {
  const std::string header =
      "seller_account_id,rule_id,match_type,aws_account_id,email_domain,postal_prefix,rep_id,split_percent\n";
  const auto rules = parse(
      "S1,A,account,123456789012,,,a,100\n"
      "S2,B,domain,,x.com,,b,100\n",
      header);
  for (const std::string seller : {"S1", "S2"}) {
    ASSERT_EQ(rule_errors(rules, seller).size(), 1U);
    EXPECT_EQ(rule_errors(rules, seller)[0].rfind(
                  "territories.csv: line 1: unknown column \"postal_prefix\" (column 6); the columns are "
                  "seller_account_id, rule_id, match_type, ",
                  0),
              0U)
        << rule_errors(rules, seller)[0];
  }
  const auto missing = parse("S1,A,account,123456789012,a\n", "seller_account_id,rule_id,match_type,aws_account_id,rep_id\n");
  EXPECT_EQ(rule_errors(missing, "S1"),
            (std::vector<std::string>{"territories.csv: line 1: missing column split_percent"}));
  const auto twice = parse("S1,A,account,123456789012,a,100,100\n",
                           "seller_account_id,rule_id,match_type,aws_account_id,rep_id,split_percent,split_percent\n");
  EXPECT_TRUE(has_error(twice, "S1", "line 1: column split_percent appears twice (columns 6 and 7)"));
}

TEST(TerritoryErrors, ProblemsNoSellerOwnsAreFatalWithTheirLine) {
  EXPECT_EQ(fatal_message(""), "territories.csv: line 1: empty, expected a header row");
  EXPECT_EQ(fatal_message("rule_id,match_type,rep_id,split_percent\nA,account,a,100\n"),
            "territories.csv: line 1: missing column seller_account_id (rules cannot be attributed to sellers)");
  EXPECT_EQ(fatal_message(kHeader + "S1,A,account,123456789012,,,,,,,a,\"Name\nwith a line feed\",100\n"
                                    "S1,B,account,123456789013,,,,,,,a,Name,100,extra\n"),
            "territories.csv: line 4: has 14 fields, the header has 13");
  EXPECT_EQ(fatal_message(kHeader + "S1,A,account,123456789012,,,,,,,a,\"unterminated,100\n"),
            "territories.csv: line 2: a quote that is never closed (a quoted field left open, or a quote inside "
            "an unquoted field): the rest of the file is one record");
  // One quote inside a bare field, never closed: the same, since the rest of the file is one record.
  EXPECT_EQ(fatal_message(kHeader + "S1,A,acc\"ount,123456789012,,,,,,,a,A,100\n"),
            "territories.csv: line 2: a quote that is never closed (a quoted field left open, or a quote inside "
            "an unquoted field): the rest of the file is one record");
  EXPECT_EQ(fatal_message(kHeader + "S1,A,account,123456789012,,,,,,,a,\"bad\"quote,100\n"),
            "territories.csv: line 2: not valid CSV (a quote inside an unquoted field or text after a closing quote)");
  EXPECT_EQ(fatal_message(kHeader + ",A,account,123456789012,,,,,,,a,A,100\n"),
            "territories.csv: line 2: seller_account_id is empty (the row cannot be attributed to a seller)");
  EXPECT_NE(fatal_message("\xEF\xBB\xBF" + kHeader).find("byte order mark"), std::string::npos);
}

TEST(TerritoryErrors, BadValuesAndInconsistentRulesAreReportedPerLine) {
  const auto rules = parse(
      "S1,A,account,12345678901,,,,,,,a,A,100\n"                   // 2: 11 digits
      "S1,B,account,123456789012,x.com,,,,,,a,A,100\n"              // 3: a domain in an account rule
      "S1,C,domain,,me@x.com,,,,,,a,A,100\n"                       // 4: '@'
      "S1,D,geography,,,,CA,,,,a,A,100\n"                          // 5: no country
      "S1,E,region,,,US,,,,,a,A,100\n"                             // 6: unknown match_type
      "S1,F,domain,,f.com,,,,2026-02-30,,a,A,100\n"                // 7: not a date
      "S1,G,domain,,g.com,,,,2026-03-01,2026-02-01,a,A,100\n"      // 8: from after until
      "S1,H,domain,,h.com,,,,,,,A,100\n"                           // 9: no rep_id
      "S1,I,domain,,i.com,,,,,,a,A,50\n"                           // 10
      "S1,I,domain,,other.com,,,,,,b,B,50\n"                       // 11: differs from line 10
      "S1,J,domain,,j.com,,,,,,a,A,50\n"                           // 12
      "S1,J,domain,,j.com,,,,,,a,A,50\n"                           // 13: rep a twice
      "S1,K,domain,,k.com,,,,,,a,Someone else,100\n"               // 14: another name for rep a
      "S1,,domain,,l.com,,,,,,a,A,100\n"                           // 15: no rule_id
      "S1,M,domain,, m.com,,,,,,a,A,100\n"                         // 16: a leading space
      "S1,N,domain,,n.com\u00A0,,,,,,a,A,100\n"                    // 17: a trailing no-break space
      "S1,O,domain,,\vo.com,,,,,,a,A,100\n"                        // 18: a leading vertical tab
      "S1,P,domain,,p.com,,,,,,a\u3000,A,100\n");                  // 19: an ideographic space
  const auto& e = rule_errors(rules, "S1");
  const std::vector<std::pair<int, std::string>> expected{
      {2, "an account rule needs aws_account_id of exactly 12 digits, not \"12345678901\""},
      {3, "email_domain must be empty in an account rule (it is \"x.com\")"},
      {4, "email_domain \"me@x.com\" must be the part after '@', without '@'"},
      {5, "a geography rule needs country_code"},
      {6, "match_type \"region\" is not one of account, domain, geography"},
      {7, "effective_from \"2026-02-30\" is not a date YYYY-MM-DD"},
      {8, "effective_from 2026-03-01 is after effective_until 2026-02-01"},
      {9, "rep_id is empty"},
      {11, "rule \"I\": differs from line 10 in email_domain"},
      {13, "rule \"J\": rep_id \"a\" already has a share on line 12"},
      {14, "rep_id \"a\" is named \"Someone else\" here but \"A\" on line 2"},
      {15, "rule_id is empty"},
      {16, "email_domain \" m.com\" has leading or trailing spaces (a leading space)"},
      {17, "email_domain \"n.com\u00A0\" has leading or trailing spaces (a trailing U+00A0)"},
      {18, "email_domain \"\vo.com\" has leading or trailing spaces (a leading vertical tab)"},
      {19, "rep_id \"a\u3000\" has leading or trailing spaces (a trailing U+3000)"},
  };
  for (const auto& [line, text] : expected)
    EXPECT_TRUE(has_error(rules, "S1", "territories.csv: line " + std::to_string(line) + ": " + text))
        << "missing: line " << line << ": " << text << "\n got: " << ::testing::PrintToString(e);
  // Errors come in line order.
  std::vector<long> lines;
  for (const auto& m : e) lines.push_back(std::stol(m.substr(std::string("territories.csv: line ").size())));
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end()));
  EXPECT_TRUE(has_rules(rules, "S1"));
}

TEST(TerritoryErrors, AttributionRefusesASellerWithRuleErrors) {
  const auto rules = parse("S1,T,account,123456789012,,,,,,,a,A,99\n");
  ASSERT_FALSE(rule_errors(rules, "S1").empty());
  std::vector<TableRow> attribution, statements;
  EXPECT_THROW(attribute_to_reps(rules, "S1", {}, attribution, statements), Failure);
}
