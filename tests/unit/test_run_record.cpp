#include <gtest/gtest.h>

#include "pipeline/run_record.hpp"

using namespace ba;

namespace {

FeedCounts counts(std::int64_t read, std::int64_t used, std::int64_t outside, std::int64_t rejected_bad_date) {
  FeedCounts c;
  c.read = read;
  c.used = used;
  c.outside_period = outside;
  if (rejected_bad_date > 0) c.rejected["bad_date"] = rejected_bad_date;
  return c;
}

AmountBalance amount(std::int8_t table, std::string seller, Micros in, Micros excluded, Micros out) {
  AmountBalance b;
  b.table = table;
  b.seller = std::move(seller);
  b.currency = "USD";
  b.in = in;
  b.excluded = excluded;
  b.out = out;
  return b;
}

// Two ranks' counts of two feeds, whose sums balance; amounts that balance once summed.
RunFacts two_ranks() {
  RunFacts f{.job_version = "9.9.9", .cadence = "monthly", .period = "2026-10", .input_digest = "sha256:ab",
             .ranks = 2, .sellers_delivered = 3};
  f.counts = {{"usage", counts(5, 5, 0, 0)}, {"billing", counts(10, 6, 3, 1)}, {"billing", counts(7, 7, 0, 0)}};
  // Rank 0 saw the amounts in, rank 1 delivered them: only the sum balances.
  f.amounts = {amount(1, "S1", 2'500'000, 0, 0), amount(1, "S1", 0, 500'000, 2'000'000)};
  f.timings = {{0, {"read", "export"}, {1.5, 0.25}}, {1, {"read", "export"}, {2.0, 0.125}}};
  return f;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(RunRecord, SumsEveryRanksCountsPerFeedInNameOrder) {
  const auto r = make_run_record(two_ranks());
  EXPECT_TRUE(r.balanced);
  EXPECT_EQ(r.rows_read, 22);
  EXPECT_EQ(r.rows_rejected, 1);
  const std::string billing =
      "\"billing\": {\"read\": 17, \"used\": 13, \"rejected\": 1, \"rejected_by_reason\": {\"bad_date\": 1}, "
      "\"outside_period\": 3, \"not_enrolled\": 0, \"superseded\": 0, \"balanced\": true}";
  EXPECT_TRUE(contains(r.report_json, "\"feeds\": {\n    " + billing + ",\n    \"usage\": {\"read\": 5,")) << r.report_json;
  EXPECT_TRUE(contains(r.report_json, "\n  \"balanced\": true,\n"));
  EXPECT_TRUE(contains(r.report_json, "\"ranks\": 2,\n  \"input_digest\": \"sha256:ab\",\n  \"sellers_delivered\": 3,"));
}

TEST(RunRecord, AmountsBalanceOnlyAsTheSumOverRanks) {
  const auto r = make_run_record(two_ranks());
  EXPECT_TRUE(contains(r.report_json,
                       "{\"table\": \"sales_compensation\", \"seller\": \"S1\", \"currency\": \"USD\", \"in\": "
                       "\"2.500000\", \"excluded\": \"0.500000\", \"out\": \"2.000000\", \"balanced\": true}"))
      << r.report_json;

  auto facts = two_ranks();
  facts.amounts.push_back(amount(3, "S2", 1, 0, 0));  // a micro in, nothing out
  const auto off = make_run_record(std::move(facts));
  EXPECT_FALSE(off.balanced);
  EXPECT_TRUE(contains(off.report_json, "\n  \"balanced\": false,\n"));
  EXPECT_TRUE(contains(off.report_json, "{\"table\": \"usage\", \"seller\": \"S2\", \"currency\": \"USD\", \"in\": "
                                        "\"0.000001\", \"excluded\": \"0.000000\", \"out\": \"0.000000\", "
                                        "\"balanced\": false}"));
}

TEST(RunRecord, AFeedWhoseRowsDoNotAddUpUnbalancesTheRun) {
  auto facts = two_ranks();
  facts.counts.push_back({"usage", counts(1, 0, 0, 0)});  // read, and in no category
  const auto r = make_run_record(std::move(facts));
  EXPECT_FALSE(r.balanced);
  EXPECT_TRUE(contains(r.report_json, "\"usage\": {\"read\": 6, \"used\": 5, \"rejected\": 0, \"rejected_by_reason\": "
                                      "{}, \"outside_period\": 0, \"not_enrolled\": 0, \"superseded\": 0, "
                                      "\"balanced\": false}"));
}

TEST(RunRecord, RejectsAreSortedByFeedFileLineAndReasonAndQuoted) {
  auto facts = two_ranks();
  facts.rejects = {
      {"usage", "u.csv", "bad_date", "a", 2},
      {"billing", "b2.csv", "bad_amount", "x", 1},
      {"billing", "b1.csv", "empty_key", "p,\"q\"", 10},
      {"billing", "b1.csv", "bad_amount", "two\nlines", 10},
      {"billing", "b1.csv", "bad_date", "z", 9},
  };
  const auto r = make_run_record(std::move(facts));
  EXPECT_EQ(r.rejects_csv,
            "feed,file,line,reason,text\n"
            "billing,b1.csv,9,bad_date,z\n"
            "billing,b1.csv,10,bad_amount,\"two\nlines\"\n"
            "billing,b1.csv,10,empty_key,\"p,\"\"q\"\"\"\n"
            "billing,b2.csv,1,bad_amount,x\n"
            "usage,u.csv,2,bad_date,a\n");
  EXPECT_EQ(make_run_record(two_ranks()).rejects_csv, "feed,file,line,reason,text\n");
}

TEST(RunRecord, RuleErrorsAndTimingsAsJson) {
  auto facts = two_ranks();
  const auto none = make_run_record(facts);
  EXPECT_TRUE(contains(none.report_json, "\"territories\": {\"sellers_with_rep_tables\": 0, \"rule_errors\": {}},"));
  EXPECT_TRUE(contains(none.report_json, "\"timings\": [\n    {\"rank\": 0, \"seconds\": {\"read\": 1.500000, "
                                         "\"export\": 0.250000}},\n    {\"rank\": 1, \"seconds\": {\"read\": "
                                         "2.000000, \"export\": 0.125000}}\n  ]\n}\n"))
      << none.report_json;

  facts.sellers_with_rep_tables = 4;
  facts.rule_errors["S9"] = {"line 2: \"G1\" sums to 60"};
  facts.rule_errors["S10"] = {"a", "b"};
  const auto some = make_run_record(std::move(facts));
  EXPECT_TRUE(contains(some.report_json, "\"territories\": {\"sellers_with_rep_tables\": 4, \"rule_errors\": {\n"
                                         "    \"S10\": [\"a\", \"b\"],\n"
                                         "    \"S9\": [\"line 2: \\\"G1\\\" sums to 60\"]\n  }},"))
      << some.report_json;
}

TEST(RunRecord, TheWholeReportOfASmallRun) {
  RunFacts f{.job_version = "1.2.3", .cadence = "daily", .period = "2026-10-05", .input_digest = "sha256:00",
             .ranks = 3, .sellers_delivered = 2, .sellers_with_rep_tables = 1, .rule_errors = {{"S2", {"bad"}}}};
  FeedCounts billing0 = counts(4, 2, 0, 0), billing1 = counts(2, 1, 0, 0), usage = counts(4, 2, 0, 1);
  billing0.rejected["bad_amount"] = 1;
  billing0.not_enrolled = 1;
  billing1.rejected["empty_key"] = 1;
  usage.superseded = 1;
  f.counts = {{"billing", billing0}, {"usage", usage}, {"billing", billing1}};
  auto eur = amount(1, "S1", 1'000'000, 0, 1'000'000);
  eur.currency = "EUR";
  // Entries of one key come from several ranks; keys differ by currency alone and by table alone.
  f.amounts = {amount(3, "S1", 1, 0, 1), amount(1, "S1", 2'500'000, 0, 0), eur, amount(1, "S1", 0, 500'000, 2'000'000)};
  f.rejects = {{"usage", "u.csv", "bad_date", "d", 3}, {"billing", "b.csv", "empty_key", "k", 7},
               {"billing", "b.csv", "bad_amount", "a", 2}};
  f.timings = {{0, {"read"}, {0.5}}};
  // Two ranks' counts of sales_compensation are summed; disbursements has none (zeros).
  f.unresolved = {{1, UnresolvedCounts{{1, 0, 2, 3}}}, {3, UnresolvedCounts{{0, 4, 0, 0}}},
                  {1, UnresolvedCounts{{10, 20, 0, 0}}}};
  const auto r = make_run_record(std::move(f));
  EXPECT_TRUE(r.balanced);
  EXPECT_EQ(r.rows_read, 10);
  EXPECT_EQ(r.rows_rejected, 3);
  EXPECT_EQ(r.report_json, R"({
  "job_version": "1.2.3",
  "cadence": "daily",
  "period": "2026-10-05",
  "ranks": 3,
  "input_digest": "sha256:00",
  "sellers_delivered": 2,
  "balanced": true,
  "feeds": {
    "billing": {"read": 6, "used": 3, "rejected": 2, "rejected_by_reason": {"bad_amount": 1, "empty_key": 1}, "outside_period": 0, "not_enrolled": 1, "superseded": 0, "balanced": true},
    "usage": {"read": 4, "used": 2, "rejected": 1, "rejected_by_reason": {"bad_date": 1}, "outside_period": 0, "not_enrolled": 0, "superseded": 1, "balanced": true}
  },
  "territories": {"sellers_with_rep_tables": 1, "rule_errors": {
    "S2": ["bad"]
  }},
  "unresolved": {
    "sales_compensation": {"unresolved_account": 11, "unresolved_address": 20, "unresolved_product": 2, "unresolved_offer": 3},
    "disbursements": {"unresolved_account": 0, "unresolved_address": 0, "unresolved_product": 0},
    "usage": {"unresolved_account": 0, "unresolved_address": 4, "unresolved_product": 0}
  },
  "amounts": [
    {"table": "sales_compensation", "seller": "S1", "currency": "EUR", "in": "1.000000", "excluded": "0.000000", "out": "1.000000", "balanced": true},
    {"table": "sales_compensation", "seller": "S1", "currency": "USD", "in": "2.500000", "excluded": "0.500000", "out": "2.000000", "balanced": true},
    {"table": "usage", "seller": "S1", "currency": "USD", "in": "0.000001", "excluded": "0.000000", "out": "0.000001", "balanced": true}
  ],
  "timings": [
    {"rank": 0, "seconds": {"read": 0.500000}}
  ]
}
)");
  EXPECT_EQ(r.rejects_csv, "feed,file,line,reason,text\nbilling,b.csv,2,bad_amount,a\nbilling,b.csv,7,empty_key,k\n"
                           "usage,u.csv,3,bad_date,d\n");
}
