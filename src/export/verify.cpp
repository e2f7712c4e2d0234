#include "export/verify.hpp"

// Boost 1.74 property_tree pulls in boost/bind.hpp, which otherwise announces a deprecation.
#define BOOST_BIND_GLOBAL_PLACEHOLDERS

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "common/error.hpp"
#include "common/file.hpp"
#include "common/money.hpp"
#include "common/sha256.hpp"
#include "csv/fields.hpp"
#include "export/delivery.hpp"
#include "store/store.hpp"
#include "tables/schemas.hpp"
#include "territory/territory.hpp"

namespace ba {

namespace {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

// Splits a whole CSV text into records (RFC 4180: quoted line feeds stay inside a record).
std::vector<std::vector<std::string>> parse_csv(const std::string& text, bool& well_formed) {
  std::vector<std::vector<std::string>> records;
  well_formed = true;
  std::size_t start = 0;
  bool quoted = false;
  std::vector<std::string_view> fields;
  std::string scratch;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '"') quoted = !quoted;
    if (i == text.size() || (text[i] == '\n' && !quoted)) {
      if (i == text.size() && start == i) break;
      if (csv::split_fields(std::string_view(text).substr(start, i - start), fields, scratch) != csv::FieldStatus::ok)
        well_formed = false;
      records.emplace_back(fields.begin(), fields.end());
      start = i + 1;
    }
  }
  if (quoted) well_formed = false;
  return records;
}

// The period a manifest's file name gives (manifests/<cadence>-<period>.json, as the job names
// it); none when the name is not one the job writes.
std::optional<Period> period_of_manifest(const fs::path& manifest) {
  const std::string stem = manifest.stem().string();
  const auto dash = stem.find('-');
  if (dash == std::string::npos) return std::nullopt;
  try {
    return make_period(stem.substr(0, dash), stem.substr(dash + 1));
  } catch (const Failure&) {
    return std::nullopt;
  }
}

// A table a manifest may list (deliverable_schemas), by name; none for any other name.
const TableSchema* deliverable_table(const std::string& name) {
  for (const auto* schema : deliverable_schemas())
    if (schema->name == name) return schema;
  return nullptr;
}

// The paths of delivered files, relative to the deliveries folder (<folder>/<table>_v1/...).
using Paths = std::set<std::string, std::less<>>;

// Checks one manifest and the files it lists, and adds each file it lists to `paths_listed`.
// Returns false when the manifest cannot be read at all.
bool verify_manifest(const fs::path& manifest, VerifyReport& report, Paths& paths_listed) {
  pt::ptree tree;
  try {
    pt::read_json(manifest.string(), tree);
  } catch (const pt::json_parser_error& e) {
    report.problems.push_back(manifest.string() + ": not a valid manifest: " + e.what());
    return false;
  }
  report.manifests += 1;
  const fs::path seller_dir = manifest.parent_path().parent_path();
  const std::string folder = seller_dir.filename().string();
  const std::string about = manifest.string() + ": ";

  // What the manifest says about itself must be what its place says: otherwise a manifest moved
  // to another seller's folder or period, or edited, would still pass as long as its files do.
  const auto field = [&](const char* key) { return tree.get<std::string>(key, ""); };
  if (field("seller_aws_account_id") != folder)
    report.problems.push_back(about + "seller_aws_account_id is '" + field("seller_aws_account_id") +
                              "', not its folder's " + folder);
  if (field("seller_account_id").empty()) report.problems.push_back(about + "no seller_account_id");
  const auto period = period_of_manifest(manifest);
  if (!period) {
    report.problems.push_back(about + "its name is not <cadence>-<period>.json, so its period is unknown");
  } else {
    if (field("cadence") != period->cadence)
      report.problems.push_back(about + "cadence is '" + field("cadence") + "', not " + period->cadence + " (its file name)");
    if (field("period") != period->label)
      report.problems.push_back(about + "period is '" + field("period") + "', not " + period->label + " (its file name)");
  }
  // outputs.md: every manifest carries the job version and the confidentiality notice.
  if (field("job_version").empty()) report.problems.push_back(about + "no job_version");
  if (field("confidentiality").empty()) report.problems.push_back(about + "no confidentiality notice");

  pt::ptree files;
  if (const auto listed_files = tree.get_child_optional("files")) files = *listed_files;
  std::set<std::string> tables_listed;
  for (const auto& [unused, file] : files) {
    report.files += 1;
    const std::string table = file.get<std::string>("table", "");
    const std::string relative = file.get<std::string>("path", "");
    const fs::path path = seller_dir / relative;
    const std::string where = path.string() + ": ";
    const TableSchema* schema = deliverable_table(table);
    if (table.empty())
      report.problems.push_back(about + "a file entry names no table");
    else if (!schema)
      report.problems.push_back(about + "lists a file of table '" + table + "', which the job does not deliver");
    else if (!tables_listed.insert(table).second)
      report.problems.push_back(about + "lists table " + table + " twice");
    // Inside the seller's folder only: an absolute path would replace it (operator/ of paths).
    if (relative.empty() || relative.front() == '/' || relative.find("..") != std::string::npos) {
      report.problems.push_back(about + "a file entry has no valid path");
      continue;
    }
    paths_listed.insert(folder + "/" + relative);
    // Each table at the one place the job delivers it: another period's file, listed here, would
    // otherwise pass for this period's.
    if (period && !table.empty() && relative != delivery_file_path(table, *period))
      report.problems.push_back(about + "lists table " + table + " at " + relative + ", not at " +
                                delivery_file_path(table, *period) + " where the job delivers it");
    if (!fs::is_regular_file(path)) {
      report.problems.push_back(where + "missing (listed in " + manifest.filename().string() + ")");
      continue;
    }
    const std::string content = read_file(path.string());
    if (std::to_string(content.size()) != file.get<std::string>("bytes", ""))
      report.problems.push_back(where + "size " + std::to_string(content.size()) + " bytes, manifest says " +
                                file.get<std::string>("bytes", "?"));
    if (sha256_hex(content) != file.get<std::string>("sha256", ""))
      report.problems.push_back(where + "SHA-256 differs from the manifest");
    bool well_formed = true;
    const auto records = parse_csv(content, well_formed);
    if (!well_formed || records.empty()) {
      report.problems.push_back(where + "not a well-formed CSV file with a header");
      continue;
    }
    const auto rows = static_cast<std::int64_t>(records.size()) - 1;
    if (std::to_string(rows) != file.get<std::string>("rows", ""))
      report.problems.push_back(where + std::to_string(rows) + " rows, manifest says " + file.get<std::string>("rows", "?"));

    // Control totals: recompute every listed amount per currency from the file itself.
    const auto& header = records.front();
    std::map<std::string, std::size_t> column;
    for (std::size_t c = 0; c < header.size(); ++c) column[header[c]] = c;
    std::map<std::string, std::map<std::string, Micros>> actual;  // currency -> column -> sum
    pt::ptree totals;
    if (const auto listed_totals = file.get_child_optional("control_totals")) totals = *listed_totals;
    // Every amount column of the table, as the job totals them: a column dropped from the
    // manifest must not go unchecked. (A table the job does not deliver: what the manifest lists.)
    std::vector<std::string> amount_columns;
    if (schema) {
      for (const auto& c : schema->columns)
        if (c.kind == ColumnKind::amount) amount_columns.push_back(c.name);
    } else {
      for (const auto& [currency, sums] : totals)
        for (const auto& [name, value] : sums)
          if (std::find(amount_columns.begin(), amount_columns.end(), name) == amount_columns.end())
            amount_columns.push_back(name);
    }
    if (!column.count("currency")) {
      report.problems.push_back(where + "has no currency column");
      continue;
    }
    for (std::size_t r = 1; r < records.size(); ++r) {
      const auto& rec = records[r];
      if (rec.size() != header.size()) {
        report.problems.push_back(where + "row " + std::to_string(r) + " has " + std::to_string(rec.size()) + " cells");
        continue;
      }
      auto& sums = actual[rec[column["currency"]]];
      for (const auto& name : amount_columns) {
        if (!column.count(name)) continue;
        const auto v = parse_amount(rec[column[name]]);
        if (!v) {
          report.problems.push_back(where + "row " + std::to_string(r) + ": " + name + " is not an amount");
          continue;
        }
        sums[name] = add_checked(sums[name], *v);
      }
    }
    std::map<std::string, std::map<std::string, Micros>> listed;
    for (const auto& [currency, sums] : totals)
      for (const auto& [name, value] : sums) {
        const auto v = parse_amount(value.get_value<std::string>());
        if (!v) report.problems.push_back(where + "manifest total " + currency + " " + name + " is not an amount");
        listed[currency][name] = v.value_or(0);
      }
    for (auto& [currency, sums] : actual)
      for (const auto& name : amount_columns) sums.try_emplace(name, 0);
    if (actual != listed)
      report.problems.push_back(where + "control totals per currency differ from the manifest");
  }
  // A manifest is complete only with the four tables every seller gets, even when one is empty,
  // and the representative tables come together or not at all.
  for (const auto* schema : all_schemas())
    if (!tables_listed.count(schema->name))
      report.problems.push_back(about + "lists no " + schema->name + " file" +
                                (period ? " (the job delivers it at " + delivery_file_path(schema->name, *period) + ")"
                                        : ""));
  const std::string& rep_a = rep_attribution_schema().name;
  const std::string& rep_s = rep_statements_schema().name;
  if (tables_listed.count(rep_a) != tables_listed.count(rep_s))
    report.problems.push_back(about + "lists " + (tables_listed.count(rep_a) ? rep_a + " without " + rep_s
                                                                              : rep_s + " without " + rep_a) +
                              " (the job delivers both or neither)");
  return true;
}

// The data files (<table>_v1/.../data.csv) under `deliveries` that no manifest lists: of
// `period` (the files a rerun of it would replace, see stale_period_files: a monthly file is
// month=MM/data.csv, a daily one month=MM/day=DD/data.csv), or of any period. Sellers in `skip`
// (whose manifest could not be read) are left out: that problem is reported already.
std::vector<std::string> unlisted_data_files(const fs::path& deliveries, const std::optional<Period>& period,
                                            const Paths& listed, const std::set<std::string>& skip) {
  const auto skipped = [&](const std::string& relative) { return skip.count(relative.substr(0, relative.find('/'))) > 0; };
  std::vector<std::string> unlisted;
  if (period) {
    for (auto& relative : stale_period_files(deliveries.string(), *period, listed))
      if (!skipped(relative)) unlisted.push_back(std::move(relative));
    return unlisted;
  }
  for (const auto& seller : fs::directory_iterator(deliveries)) {
    const std::string folder = seller.path().filename().string();
    if (!seller.is_directory() || skip.count(folder)) continue;
    for (const auto& table : fs::directory_iterator(seller.path())) {
      const std::string name = table.path().filename().string();
      if (!table.is_directory() || name.size() <= 3 || !name.ends_with("_v1")) continue;
      for (const auto& file : fs::recursive_directory_iterator(table.path()))
        if (file.is_regular_file() && file.path().filename() == "data.csv")
          if (std::string relative = folder + "/" + file.path().lexically_relative(seller.path()).string();
              !listed.contains(relative))
            unlisted.push_back(std::move(relative));
    }
  }
  std::sort(unlisted.begin(), unlisted.end());
  return unlisted;
}

// How many sellers the period's run record (OUT/runs/<cadence>-<period>/report.json, outputs.md)
// says the run delivered to. Only a run that succeeded publishes its record (a failed one leaves
// it in staging), so a record of this cadence and period that balances is a success. None
// without such a record.
std::optional<std::int64_t> sellers_delivered(const std::string& record, const Period& period) {
  if (!fs::is_regular_file(record)) return std::nullopt;
  pt::ptree tree;
  try {
    pt::read_json(record, tree);
  } catch (const pt::json_parser_error&) {
    return std::nullopt;
  }
  if (tree.get<std::string>("cadence", "") != period.cadence || tree.get<std::string>("period", "") != period.label ||
      tree.get<std::string>("balanced", "") != "true")
    return std::nullopt;
  const auto delivered = tree.get_optional<std::int64_t>("sellers_delivered");
  if (!delivered) return std::nullopt;
  return *delivered;
}

// The store of a run lists every seller the run delivered to, with its folder (in the index of
// sales_compensation, which lists sellers without rows too). For each store checked (the
// period's, or every store under OUT/store): a seller it lists without a manifest of that run lost
// its delivery whole (which the files alone cannot show), and a manifest of that run for a seller
// it does not list was left by another run.
void compare_with_stores(const std::string& out, const std::optional<Period>& period,
                         const std::vector<fs::path>& manifests, VerifyReport& report) {
  const fs::path stores = fs::path(out) / "store";
  std::vector<std::pair<std::string, fs::path>> runs;  // <cadence>-<period>, its store
  if (period) {
    const fs::path store = stores / (period->name() + ".h5");
    if (fs::is_regular_file(store)) runs.emplace_back(period->name(), store);
  } else if (fs::is_directory(stores)) {
    for (const auto& entry : fs::directory_iterator(stores))
      if (entry.is_regular_file() && entry.path().extension() == ".h5" && period_of_manifest(entry.path()))
        runs.emplace_back(entry.path().stem().string(), entry.path());
    std::sort(runs.begin(), runs.end());
  }
  const std::string deliveries = out + "/deliveries";
  for (const auto& [run, store] : runs) {
    std::set<std::string> listed;
    try {
      for (auto& folder : read_delivery_folders(store.string(), sales_compensation_schema().name))
        listed.insert(std::move(folder));
    } catch (const Failure& f) {
      report.problems.push_back(std::string(f.what()) + " (verify reads the sellers of the store)");
      continue;
    }
    std::set<std::string> with_manifest;
    for (const auto& m : manifests)
      if (m.stem().string() == run) with_manifest.insert(m.parent_path().parent_path().filename().string());
    for (const auto& folder : listed)
      if (!with_manifest.contains(folder))
        report.problems.push_back(deliveries + "/" + folder + ": no manifest " + run + ".json, though the store " +
                                  store.string() + " lists this seller: its delivery of " + run + " is missing");
    for (const auto& folder : with_manifest)
      if (!listed.contains(folder))
        report.problems.push_back(deliveries + "/" + folder + "/manifests/" + run +
                                  ".json: a manifest for a seller the store " + store.string() +
                                  " does not list (left by another run)");
  }
}

}  // namespace

VerifyReport verify_deliveries(const std::string& out, const std::optional<Period>& period) {
  VerifyReport report;
  const std::string deliveries = out + "/deliveries";
  // A run with no enrolled seller succeeds and publishes no delivery (not even the deliveries
  // folder, unless an earlier run made it): its run record tells that from a run that failed.
  std::string nothing_due;
  std::optional<std::int64_t> delivered;
  if (period) {
    const std::string record = out + "/runs/" + period->name() + "/report.json";
    delivered = sellers_delivered(record, *period);
    if (delivered == 0)
      nothing_due = record + " says the run of " + period->name() + " succeeded and delivered to no seller";
  }
  if (!fs::is_directory(deliveries)) {
    // With a record of sellers delivered, the delivery is gone (a mismatch); without one, the
    // output root given is most likely wrong.
    if (delivered > 0)
      report.problems.push_back("no delivery folder " + deliveries + ", though the run record of " + period->name() +
                                " says " + std::to_string(*delivered) + " sellers were delivered");
    else if (nothing_due.empty())
      fail(ExitCode::bad_arguments, "no delivery folder " + deliveries);
    report.nothing_to_check = nothing_due;
    return report;
  }
  const std::string manifest_name = period ? period->name() + ".json" : "";
  std::vector<fs::path> manifests;
  for (const auto& seller : fs::directory_iterator(deliveries)) {
    const fs::path dir = seller.path() / "manifests";
    if (!fs::is_directory(dir)) continue;
    for (const auto& m : fs::directory_iterator(dir)) {
      if (m.path().extension() != ".json" || (!manifest_name.empty() && m.path().filename() != manifest_name)) continue;
      if (m.is_regular_file())
        manifests.push_back(m.path());
      else
        report.problems.push_back(m.path().string() + ": not a file, where a manifest belongs");
    }
  }
  std::sort(manifests.begin(), manifests.end());
  Paths listed;
  std::set<std::string> unreadable;
  for (const auto& m : manifests) {
    const std::string folder = m.parent_path().parent_path().filename().string();
    listed.insert(folder + "/manifests/" + m.filename().string());
    if (!verify_manifest(m, report, listed)) unreadable.insert(folder);
  }
  compare_with_stores(out, period, manifests, report);
  if (manifests.empty() && !nothing_due.empty())
    report.nothing_to_check = nothing_due;
  else if (report.manifests == 0)
    report.problems.push_back("no manifest" + (manifest_name.empty() ? std::string() : " " + manifest_name) + " under " +
                              deliveries);
  // A data file no manifest lists is as wrong as a listed one that is missing: the seller's
  // crawler takes every file of the layout, whatever the manifest says.
  for (const auto& relative : unlisted_data_files(deliveries, period, listed, unreadable))
    report.problems.push_back(deliveries + "/" + relative + ": a data file" +
                              (period ? " of " + period->name() : std::string()) + " that no manifest lists");
  return report;
}

}  // namespace ba
