#include "pipeline/run_record.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <tuple>

#include "common/error.hpp"
#include "common/json.hpp"
#include "common/money.hpp"
#include "csv/fields.hpp"

namespace ba {

namespace {

// One feed's counts as report.json shows them.
std::string counts_json(const FeedCounts& c) {
  std::string reasons;
  for (const auto& [r, n] : c.rejected) reasons += (reasons.empty() ? "" : ", ") + json_string(r) + ": " + std::to_string(n);
  return "{\"read\": " + std::to_string(c.read) + ", \"used\": " + std::to_string(c.used) +
         ", \"rejected\": " + std::to_string(c.rejected_total()) + ", \"rejected_by_reason\": {" + reasons +
         "}, \"outside_period\": " + std::to_string(c.outside_period) + ", \"not_enrolled\": " +
         std::to_string(c.not_enrolled) + ", \"superseded\": " + std::to_string(c.superseded) +
         ", \"balanced\": " + (c.balances() ? "true" : "false") + "}";
}

std::string rejects_csv(std::vector<Reject> rejects) {
  std::sort(rejects.begin(), rejects.end(), [](const Reject& a, const Reject& b) {
    return std::tie(a.feed, a.file, a.line, a.reason) < std::tie(b.feed, b.file, b.line, b.reason);
  });
  std::string csv = "feed,file,line,reason,text\n";
  for (const auto& r : rejects) {
    csv::append_cell(csv, r.feed);
    csv += ',';
    csv::append_cell(csv, r.file);
    csv += ',' + std::to_string(r.line) + ',';
    csv::append_cell(csv, r.reason);
    csv += ',';
    csv::append_cell(csv, r.text);
    csv += '\n';
  }
  return csv;
}

std::string timings_json(const std::vector<RankTimings>& timings) {
  std::string json;
  for (const auto& t : timings) {
    std::string phases;
    for (std::size_t i = 0; i < t.phases.size(); ++i) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6f", t.seconds[i]);
      phases += (phases.empty() ? "" : ", ") + json_string(t.phases[i]) + ": " + buf;
    }
    json += (json.empty() ? "" : ",\n") + std::string("    {\"rank\": ") + std::to_string(t.rank) +
            ", \"seconds\": {" + phases + "}}";
  }
  return json;
}

std::string rule_errors_json(const std::map<std::string, std::vector<std::string>>& rule_errors) {
  std::string json;
  for (const auto& [seller, errors] : rule_errors) {
    std::string list;
    for (const auto& e : errors) list += (list.empty() ? "" : ", ") + json_string(e);
    json += (json.empty() ? "" : ",\n") + std::string("    ") + json_string(seller) + ": [" + list + "]";
  }
  return json;
}

}  // namespace

RunRecord make_run_record(RunFacts facts) {
  RunRecord record;
  std::map<std::string, FeedCounts> totals;
  for (const auto& n : facts.counts) merge_counts(totals[n.feed], n.counts);
  std::string feeds_json;
  bool balanced = true;
  for (const auto& [feed, c] : totals) {
    balanced = balanced && c.balances();
    feeds_json += (feeds_json.empty() ? "" : ",\n") + std::string("    ") + json_string(feed) + ": " + counts_json(c);
    record.rows_read += c.read;
    record.rows_rejected += c.rejected_total();
  }
  // Amounts in = excluded + out, per table, seller and currency.
  std::map<std::tuple<std::int8_t, std::string, std::string>, AmountBalance> amounts;
  for (const auto& a : facts.amounts) {
    auto& b = amounts[std::make_tuple(a.table, a.seller, a.currency)];
    b.table = a.table;
    b.seller = a.seller;
    b.currency = a.currency;
    b.in = add_checked(b.in, a.in);
    b.excluded = add_checked(b.excluded, a.excluded);
    b.out = add_checked(b.out, a.out);
  }
  std::string amounts_json;
  static const std::array<const char*, 4> kTable{"", "sales_compensation", "disbursements", "usage"};
  for (const auto& [key, b] : amounts) {
    ensure(b.table >= 1 && b.table <= 3, "control totals of a detail table");
    const bool ok = b.in == add_checked(b.excluded, b.out);
    balanced = balanced && ok;
    // Every key (outputs.md: the amounts balance "for each seller and currency"): about 170
    // bytes each, 2 MB for the 10M-event month's 3,500 sellers.
    amounts_json += (amounts_json.empty() ? "" : ",\n") + std::string("    {\"table\": ") +
                    json_string(kTable[static_cast<std::size_t>(b.table)]) + ", \"seller\": " +
                    json_string(b.seller) + ", \"currency\": " + json_string(b.currency) + ", \"in\": " +
                    json_string(format_amount(b.in)) + ", \"excluded\": " + json_string(format_amount(b.excluded)) +
                    ", \"out\": " + json_string(format_amount(b.out)) + ", \"balanced\": " + (ok ? "true" : "false") +
                    "}";
  }
  // Rows whose keys resolved to nothing, summed over ranks, every detail table (zeros too);
  // only sales_compensation shows an offer's attributes, so only it counts unknown offers.
  std::array<UnresolvedCounts, 4> unresolved{};
  for (const auto& u : facts.unresolved) {
    ensure(u.table >= 1 && u.table <= 3, "unresolved counts of a detail table");
    for (std::size_t k = 0; k < u.counts.rows.size(); ++k)
      unresolved[static_cast<std::size_t>(u.table)].rows[k] += u.counts.rows[k];
  }
  std::string unresolved_json;
  for (std::size_t t = 1; t <= 3; ++t) {
    std::string kinds;
    for (std::size_t k = 0; k < UnresolvedCounts::kNames.size(); ++k) {
      if (UnresolvedCounts::kNames[k] == "unresolved_offer" && t != 1) continue;
      kinds += (kinds.empty() ? "" : ", ") + json_string(UnresolvedCounts::kNames[k]) + ": " +
               std::to_string(unresolved[t].rows[k]);
    }
    unresolved_json += (unresolved_json.empty() ? "" : ",\n") + std::string("    ") + json_string(kTable[t]) + ": {" +
                       kinds + "}";
  }
  record.balanced = balanced;
  record.rejects_csv = rejects_csv(std::move(facts.rejects));
  const std::string territory_json = rule_errors_json(facts.rule_errors);
  record.report_json =
      "{\n  \"job_version\": " + json_string(facts.job_version) + ",\n  \"cadence\": " + json_string(facts.cadence) +
      ",\n  \"period\": " + json_string(facts.period) + ",\n  \"ranks\": " + std::to_string(facts.ranks) +
      ",\n  \"input_digest\": " + json_string(facts.input_digest) + ",\n  \"sellers_delivered\": " +
      std::to_string(facts.sellers_delivered) + ",\n  \"balanced\": " + (balanced ? "true" : "false") +
      ",\n  \"feeds\": {\n" + feeds_json + "\n  },\n  \"territories\": {\"sellers_with_rep_tables\": " +
      std::to_string(facts.sellers_with_rep_tables) + ", \"rule_errors\": {" +
      (territory_json.empty() ? "" : "\n" + territory_json + "\n  ") + "}},\n  \"unresolved\": {\n" + unresolved_json + "\n  },\n  \"amounts\": [\n" + amounts_json +
      "\n  ],\n  \"timings\": [\n" + timings_json(facts.timings) + "\n  ]\n}\n";
  return record;
}

}  // namespace ba
