#include "export/delivery.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "common/file.hpp"
#include "common/json.hpp"
#include "common/money.hpp"
#include "common/sha256.hpp"
#include "tables/render.hpp"

namespace ba {

namespace {
std::string two(unsigned v) {
  std::string digits = std::to_string(v);
  if (digits.size() < 2) digits.insert(digits.begin(), '0');
  return digits;
}

// staging_dir/<folder>.<what>: one flat folder of staged files per run.
std::string staged_name(const std::string& staging_dir, const std::string& folder, const std::string& what) {
  std::string name = staging_dir;
  name.append(1, '/').append(folder).append(1, '.').append(what);
  return name;
}
}  // namespace

std::string delivery_file_path(const std::string& table, const Period& period) {
  std::string p = table + "_v1/year=" + std::to_string(period.year) + "/month=" + two(period.month);
  if (period.cadence == "daily") p += "/day=" + two(period.day);
  return p + "/data.csv";
}

std::string manifest_path(const Period& period) { return "manifests/" + period.name() + ".json"; }

std::string render_csv(const TableSchema& schema, const TableRow* rows, std::int64_t count) {
  std::string csv = render_header(schema);
  // Room for the rows' cell bytes and separators up front: no regrowth copies for most files.
  std::size_t estimate = csv.size();
  for (std::int64_t i = 0; i < count; ++i) estimate += rows[i].byte_size() + 2 * schema.columns.size();
  csv.reserve(estimate);
  // Each line is written into a scratch buffer with room for its bound, then appended: the
  // file's buffer never grows by a line's bound (about twice the line) past the estimate.
  std::vector<char> line;
  for (std::int64_t i = 0; i < count; ++i) {
    TableRow::prefetch_ahead(rows, static_cast<std::size_t>(i), static_cast<std::size_t>(count));
    const std::size_t bound = line_bound(schema, rows[i]);
    if (line.size() < bound) line.resize(2 * bound);
    csv.append(line.data(), static_cast<std::size_t>(write_line(line.data(), schema, rows[i]) - line.data()));
  }
  return csv;
}

std::vector<StagedFile> write_seller_delivery(const std::string& staging_dir, const Period& period,
                                              const SellerTables& seller, const std::string& job_version) {
  const std::string folder = seller.seller->folder;
  std::vector<StagedFile> written;
  std::string files_json;
  for (std::size_t t = 0; t < seller.schemas.size(); ++t) {
    const TableSchema& schema = *seller.schemas[t];
    const std::string csv = render_csv(schema, seller.begin[t], seller.rows[t]);
    StagedFile file{staged_name(staging_dir, folder, std::to_string(t)), folder + "/" + delivery_file_path(schema.name, period)};
    write_file(file.staged, csv, 0640, Durability::later);
    written.push_back(std::move(file));

    // Control totals: every amount column summed per currency, exact. A seller has a few
    // currencies and its rows come in runs of one: the last currency is tried first.
    std::size_t currency_column = schema.columns.size();
    std::vector<std::size_t> amount_columns;
    for (std::size_t c = 0; c < schema.columns.size(); ++c) {
      if (schema.columns[c].name == "currency") currency_column = c;
      if (schema.columns[c].kind == ColumnKind::amount) amount_columns.push_back(c);
    }
    std::vector<std::pair<std::string, std::vector<Micros>>> totals;  // sorted by currency below
    std::size_t last = 0;
    for (std::int64_t r = 0; r < seller.rows[t]; ++r) {
      TableRow::prefetch_ahead(seller.begin[t], static_cast<std::size_t>(r), static_cast<std::size_t>(seller.rows[t]));
      const TableRow& row = seller.begin[t][r];
      const std::string_view currency = row.text(currency_column);
      if (last >= totals.size() || totals[last].first != currency) {
        last = 0;
        while (last < totals.size() && totals[last].first != currency) ++last;
        if (last == totals.size()) totals.emplace_back(std::string(currency), std::vector<Micros>(schema.columns.size(), 0));
      }
      auto& sums = totals[last].second;
      for (const std::size_t c : amount_columns) sums[c] = add_checked(sums[c], row.number(c));
    }
    std::sort(totals.begin(), totals.end());
    std::string totals_json;
    for (const auto& [currency, sums] : totals) {
      std::string amounts;
      for (std::size_t c = 0; c < schema.columns.size(); ++c) {
        if (schema.columns[c].kind != ColumnKind::amount) continue;
        if (!amounts.empty()) amounts += ", ";
        amounts += json_string(schema.columns[c].name) + ": " + json_string(format_amount(sums[c]));
      }
      if (!totals_json.empty()) totals_json += ",\n";
      totals_json += "        " + json_string(currency) + ": {" + amounts + "}";
    }
    if (!files_json.empty()) files_json += ",\n";
    files_json += "    {\n      \"table\": " + json_string(schema.name) + ",\n      \"path\": " +
                  json_string(delivery_file_path(schema.name, period)) + ",\n      \"bytes\": " +
                  std::to_string(csv.size()) + ",\n      \"sha256\": " + json_string(sha256_hex(csv)) +
                  ",\n      \"rows\": " + std::to_string(seller.rows[t]) + ",\n      \"control_totals\": {" +
                  (totals_json.empty() ? "" : "\n" + totals_json + "\n      ") + "}\n    }";
  }
  const std::string manifest =
      "{\n  \"seller_account_id\": " + json_string(seller.seller->seller) + ",\n  \"seller_aws_account_id\": " +
      json_string(folder) + ",\n  \"cadence\": " + json_string(period.cadence) + ",\n  \"period\": " +
      json_string(period.label) + ",\n  \"job_version\": " + json_string(job_version) +
      ",\n  \"confidentiality\": " + json_string(kConfidentialityNotice) + ",\n  \"files\": [\n" + files_json +
      "\n  ]\n}\n";
  StagedFile file{staged_name(staging_dir, folder, "manifest"), folder + "/" + manifest_path(period)};
  write_file(file.staged, manifest, 0640, Durability::later);
  written.push_back(std::move(file));
  return written;
}

}  // namespace ba
