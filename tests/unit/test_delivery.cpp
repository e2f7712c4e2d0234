// A seller's delivery files as write_seller_delivery streams them: content, size, hash, totals.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "common/file.hpp"
#include "common/money.hpp"
#include "common/sha256.hpp"
#include "export/delivery.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"
#include "temp_dir.hpp"

using namespace ba;

TEST(Sha256, KnownDigestsAndPieceByPieceEqualsWhole) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string data(100'000, '\0');
  std::mt19937 random(11);
  for (auto& c : data) c = static_cast<char>(random() & 0xff);
  Sha256 pieces;
  for (std::size_t at = 0, step = 1; at < data.size(); at += step, step = step * 3 + 1)
    pieces.update(std::string_view(data).substr(at, step));
  EXPECT_EQ(pieces.hex(), sha256_hex(data));
}

TEST(Delivery, StreamedFilesHoldEveryLineAndTheManifestDescribesThem) {
  // Enough rows for the file to go through the direct writer in several chunks, one line longer
  // than a chunk, quoting and formula cells, and currencies in runs; a second, small table.
  const TableSchema big = make_schema(
      "big", {{"name", ColumnKind::text}, {"amount", ColumnKind::amount}, {"currency", ColumnKind::text}}, {"name"});
  const TableSchema small = make_schema("small", {{"note", ColumnKind::text}, {"fee", ColumnKind::amount},
                                                  {"currency", ColumnKind::text}}, {"note"});
  std::mt19937 random(5);
  std::vector<TableRow> big_rows, small_rows;
  Micros usd = 0, eur = 0;
  for (int i = 0; i < 150000; ++i) {
    std::string name = "buyer " + std::to_string(i) + (i % 7 == 0 ? ", \"quoted\"" : "") + (i % 11 == 0 ? "" : " Inc.");
    if (i % 13 == 0) name = "=HYPERLINK(" + name + ")";
    if (i == 2500) name.append(300'000, 'x');  // longer than a chunk
    const auto amount = static_cast<Micros>(random() % 2'000'000'000) - 1'000'000'000;
    const std::string currency = (i / 100) % 2 == 0 ? "USD" : "EUR";
    (currency == "USD" ? usd : eur) += amount;
    big_rows.push_back(TableRow::from_cells("s1", {{name, 0}, {"", amount}, {currency, 0}}));
  }
  small_rows.push_back(TableRow::from_cells("s1", {{"tiny", 0}, {"", 1'500'000}, {"USD", 0}}));

  const std::string dir = test::scratch_subdir("delivery");
  const Period period = make_period("monthly", "2026-10");
  const SellerEntry entry{"s1", "123456789012", 0};
  SellerTables seller;
  seller.seller = &entry;
  seller.schemas = {&big, &small};
  seller.begin = {big_rows.data(), small_rows.data()};
  seller.rows = {static_cast<std::int64_t>(big_rows.size()), static_cast<std::int64_t>(small_rows.size())};
  const std::vector<StagedFile> files = write_seller_delivery(dir, period, seller, "test");
  ASSERT_EQ(files.size(), 3u);  // two tables, then the manifest

  const std::string manifest = read_file(files[2].staged);
  for (std::size_t t = 0; t < 2; ++t) {
    const TableSchema& schema = t == 0 ? big : small;
    const auto& rows = t == 0 ? big_rows : small_rows;
    std::string expected = render_header(schema);
    for (const auto& row : rows) expected += render_line(schema, row);
    const std::string content = read_file(files[t].staged);
    EXPECT_EQ(content.size(), expected.size()) << schema.name;
    EXPECT_TRUE(content == expected) << schema.name << ": the file is not its header and lines in order";
    EXPECT_NE(manifest.find("\"bytes\": " + std::to_string(content.size()) + ","), std::string::npos) << schema.name;
    EXPECT_NE(manifest.find("\"sha256\": \"" + sha256_hex(content) + "\""), std::string::npos) << schema.name;
    EXPECT_NE(manifest.find("\"rows\": " + std::to_string(rows.size()) + ","), std::string::npos) << schema.name;
  }
  EXPECT_GE(file_size(files[0].staged), std::int64_t{4} << 20);  // several writer buffers
  EXPECT_NE(manifest.find("\"EUR\": {\"amount\": \"" + format_amount(eur) + "\"}"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"USD\": {\"amount\": \"" + format_amount(usd) + "\"}"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"USD\": {\"fee\": \"1.500000\"}"), std::string::npos) << manifest;
  EXPECT_LT(manifest.find("\"EUR\""), manifest.find("\"USD\""));  // totals sorted by currency
  remove_tree(dir);
}

// A rerun of a period replaces its delivery whole: what an earlier run published for a seller or
// table this run leaves out is stale; other periods' files (a daily run's, another month's) and
// files of no period are not.
TEST(Delivery, StaleFilesAreThePeriodsFilesThisRunDidNotPublishManifestsFirst) {
  const std::string root = test::scratch_subdir("stale") + "/deliveries";
  const auto touch = [&](const std::string& relative) {
    make_dirs(std::filesystem::path(root + "/" + relative).parent_path().string());
    write_file(root + "/" + relative, "x");
  };
  const Period month = make_period("monthly", "2026-10");
  const Period day = make_period("daily", "2026-10-03");
  for (const std::string seller : {"111111111111", "222222222222"}) {
    touch(seller + "/" + delivery_file_path("sales_compensation", month));
    touch(seller + "/" + delivery_file_path("rep_attribution", month));
    touch(seller + "/" + manifest_path(month));
    touch(seller + "/" + delivery_file_path("sales_compensation", day));
    touch(seller + "/" + manifest_path(day));
    touch(seller + "/" + delivery_file_path("sales_compensation", make_period("monthly", "2026-09")));
  }
  touch("111111111111/notes.txt");
  const std::set<std::string, std::less<>> published{
      "111111111111/" + delivery_file_path("sales_compensation", month), "111111111111/" + manifest_path(month)};
  EXPECT_EQ(stale_period_files(root, month, published),
            (std::vector<std::string>{"222222222222/manifests/monthly-2026-10.json",
                                      "111111111111/rep_attribution_v1/year=2026/month=10/data.csv",
                                      "222222222222/rep_attribution_v1/year=2026/month=10/data.csv",
                                      "222222222222/sales_compensation_v1/year=2026/month=10/data.csv"}));
  EXPECT_TRUE(stale_period_files(root + "-none", month, published).empty());

  // Removing one is no error when it is already gone (another rank, a rerun).
  const std::string stale = root + "/222222222222/" + manifest_path(month);
  remove_file(stale);
  EXPECT_FALSE(path_exists(stale));
  EXPECT_NO_THROW(remove_file(stale));
  EXPECT_TRUE(path_exists(root + "/222222222222/" + manifest_path(day)));
}
