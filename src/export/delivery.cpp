#include "export/delivery.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
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

std::vector<std::string> stale_period_files(const std::string& deliveries, const Period& period,
                                            const std::set<std::string, std::less<>>& published) {
  namespace fs = std::filesystem;
  std::vector<std::string> manifests, data;
  const auto keep_if_stale = [&](std::vector<std::string>& into, std::string relative) {
    if (!published.contains(relative) && fs::is_regular_file(deliveries + "/" + relative)) into.push_back(std::move(relative));
  };
  const auto children = [](const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> out;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec)) out.push_back(it->path());
    if (ec) fail(ExitCode::io_failure, "cannot list " + dir.string() + ": " + ec.message());
    return out;
  };
  if (!fs::is_directory(deliveries)) return {};
  for (const auto& seller : children(deliveries)) {
    const std::string folder = seller.filename().string();
    keep_if_stale(manifests, folder + "/" + manifest_path(period));
    for (const auto& table : children(seller)) {
      const std::string name = table.filename().string();
      if (name.size() > 3 && name.ends_with("_v1"))
        keep_if_stale(data, folder + "/" + delivery_file_path(name.substr(0, name.size() - 3), period));
    }
  }
  std::sort(manifests.begin(), manifests.end());
  std::sort(data.begin(), data.end());
  manifests.insert(manifests.end(), std::make_move_iterator(data.begin()), std::make_move_iterator(data.end()));
  return manifests;
}

namespace {

// A delivery CSV as written: its size, hash and control totals (every amount column summed per
// currency, exact; sorted by currency).
struct WrittenCsv {
  std::int64_t bytes = 0;
  std::string sha256;
  std::vector<std::pair<std::string, std::vector<Micros>>> totals;
};

// Renders a table's rows into `path` (mode 0640, Durability::later) in one pass over the rows:
// lines are rendered into a chunk small enough for the cache, and each chunk is hashed and handed
// to the file while it is still there; the control totals are summed as each row is rendered.
// Why: rendering the whole file first, then hashing it, then copying it out, went over 2.3 GB of
// memory three times and over the rows twice. A file whose estimate reaches
// kDirectWriteMinBytes streams into a DirectWriter; a smaller one (or one on a file system
// without O_DIRECT) is gathered and written whole by write_file.
WrittenCsv write_csv(const std::string& path, const TableSchema& schema, const TableRow* rows, std::int64_t count) {
  const std::string header = render_header(schema);
  std::size_t estimate = header.size();
  for (std::int64_t i = 0; i < count; ++i) estimate += rows[i].byte_size() + 2 * schema.columns.size();
  std::unique_ptr<DirectWriter> direct;
  if (estimate >= kDirectWriteMinBytes) direct = DirectWriter::open(path, 0, true, 0640);
  std::string whole;
  if (!direct) whole.reserve(estimate);

  std::size_t currency_column = schema.columns.size();
  std::vector<std::size_t> amount_columns;
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    if (schema.columns[c].name == "currency") currency_column = c;
    if (schema.columns[c].kind == ColumnKind::amount) amount_columns.push_back(c);
  }

  WrittenCsv written;
  Sha256 hash;
  constexpr std::size_t kChunk = 256 * 1024;
  std::vector<char> chunk(kChunk);
  std::size_t used = 0;
  const auto hand_over = [&] {
    const std::string_view bytes(chunk.data(), used);
    hash.update(bytes);
    if (direct)
      direct->append(bytes);
    else
      whole.append(bytes);
    written.bytes += static_cast<std::int64_t>(used);
    used = 0;
  };
  if (header.size() > chunk.size()) chunk.resize(header.size());
  std::memcpy(chunk.data(), header.data(), header.size());
  used = header.size();
  // A seller has a few currencies and its rows come in runs of one: the last one is tried first.
  auto& totals = written.totals;
  std::size_t last = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    TableRow::prefetch_ahead(rows, static_cast<std::size_t>(i), static_cast<std::size_t>(count));
    const TableRow& row = rows[i];
    const std::size_t bound = line_bound(schema, row);
    if (used + bound > chunk.size()) {
      hand_over();
      if (bound > chunk.size()) chunk.resize(bound);  // a line longer than a chunk
    }
    used = static_cast<std::size_t>(write_line(chunk.data() + used, schema, row) - chunk.data());

    const std::string_view currency = row.text(currency_column);
    if (last >= totals.size() || totals[last].first != currency) {
      last = 0;
      while (last < totals.size() && totals[last].first != currency) ++last;
      if (last == totals.size()) totals.emplace_back(std::string(currency), std::vector<Micros>(schema.columns.size(), 0));
    }
    auto& sums = totals[last].second;
    for (const std::size_t c : amount_columns) sums[c] = add_checked(sums[c], row.number(c));
  }
  hand_over();
  if (direct)
    direct->finish();
  else
    write_file(path, whole, 0640, Durability::later);
  written.sha256 = hash.hex();
  std::sort(totals.begin(), totals.end());
  return written;
}

}  // namespace

std::vector<StagedFile> write_seller_delivery(const std::string& staging_dir, const Period& period,
                                              const SellerTables& seller, const std::string& job_version) {
  const std::string folder = seller.seller->folder;
  std::vector<StagedFile> written;
  std::string files_json;
  for (std::size_t t = 0; t < seller.schemas.size(); ++t) {
    const TableSchema& schema = *seller.schemas[t];
    StagedFile file{staged_name(staging_dir, folder, std::to_string(t)), folder + "/" + delivery_file_path(schema.name, period)};
    const WrittenCsv csv = write_csv(file.staged, schema, seller.begin[t], seller.rows[t]);
    written.push_back(std::move(file));

    std::string totals_json;
    for (const auto& [currency, sums] : csv.totals) {
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
                  std::to_string(csv.bytes) + ",\n      \"sha256\": " + json_string(csv.sha256) +
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
