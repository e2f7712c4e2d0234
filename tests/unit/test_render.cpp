#include <gtest/gtest.h>

#include <random>

#include "csv/fields.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

using namespace ba;

TEST(Render, FormulaCellsAreNeutralisedButAmountsAreNot) {
  const Column text{"c", ColumnKind::text}, amount{"a", ColumnKind::amount}, count{"n", ColumnKind::count};
  EXPECT_EQ(render_cell(text, Cell{"=SUM(A1)", 0}), "'=SUM(A1)");
  EXPECT_EQ(render_cell(text, Cell{"-x", 0}), "'-x");
  EXPECT_EQ(render_cell(text, Cell{"+x", 0}), "'+x");
  EXPECT_EQ(render_cell(text, Cell{"@x", 0}), "'@x");
  EXPECT_EQ(render_cell(text, Cell{"\tx", 0}), "'\tx");
  EXPECT_EQ(render_cell(text, Cell{"\rx", 0}), "'\rx");
  EXPECT_EQ(render_cell(text, Cell{"\r", 0}), "'\r");
  EXPECT_EQ(render_cell(text, Cell{"x\r", 0}), "x\r");
  EXPECT_EQ(render_cell(text, Cell{"\nx", 0}), "\nx");  // not in the spec's list
  EXPECT_EQ(render_cell(text, Cell{"", 0}), "");
  EXPECT_EQ(render_cell(text, Cell{"a=b", 0}), "a=b");
  EXPECT_EQ(render_cell(amount, Cell{"", -12'500'000}), "-12.500000");
  EXPECT_EQ(render_cell(count, Cell{"", 42}), "42");
}

TEST(Render, SchemasHaveTheSpecColumnsInOrder) {
  EXPECT_EQ(render_header(sales_compensation_schema()),
            "customer_aws_account_id,company_name,email_domain,country_code,state_or_region,city,postal_code,"
            "product_code,product_title,offer_id,opportunity_name,gross_revenue,aws_revenue_share,gross_refunds,"
            "aws_refunds_share,seller_credits,aws_credits,seller_tax_share,seller_tax_refunds,net_revenue,currency,"
            "ar_period,invoice_date,transaction_reference_id,payer_reference_id,end_customer_aws_account_id\n");
  EXPECT_EQ(render_header(buyers_schema()),
            "customer_aws_account_id,company_name,email_domain,country_code,state_or_region,city,postal_code,"
            "payer_reference_id,currency,first_activity_date,last_activity_date,billed_net_revenue,"
            "disbursed_net_amount,estimated_usage_revenue,transactions,products\n");
}

TEST(Render, SortsBySellerThenSortColumnsAsBytesThenLine) {
  const auto& schema = buyers_schema();
  auto row = [&](std::string seller, std::string payer, std::string currency, std::string company) {
    std::vector<Cell> cells(schema.columns.size());
    cells[1].text = std::move(company);
    cells[7].text = std::move(payer);
    cells[8].text = std::move(currency);
    return TableRow::from_cells(std::move(seller), cells);
  };
  std::vector<TableRow> rows{row("s2", "a", "USD", ""), row("s1", "b", "USD", ""), row("s1", "B", "USD", ""),
                             row("s1", "b", "EUR", "z"), row("s1", "b", "EUR", "a")};
  sort_rows(schema, rows);
  EXPECT_EQ(rows[0].text(7), "B");  // uppercase sorts before lowercase in byte order
  EXPECT_EQ(rows[1].text(1), "a");  // tie on (payer, currency): whole line decides
  EXPECT_EQ(rows[2].text(1), "z");
  EXPECT_EQ(rows[3].text(8), "USD");
  EXPECT_EQ(rows[4].seller, "s2");
}

TEST(Render, SortsByTheCellsAfterTheFormulaPrefix) {
  const auto& schema = buyers_schema();
  auto row = [&](std::string payer) {
    std::vector<Cell> cells(schema.columns.size());
    cells[7].text = std::move(payer);
    cells[8].text = "USD";
    return TableRow::from_cells("s1", cells);
  };
  // As raw bytes "(b" < ")c" < "-a"; rendered, "'-a" (0x27 first) comes before both.
  std::vector<TableRow> rows{row(")c"), row("-a"), row("(b")};
  sort_rows(schema, rows);
  EXPECT_EQ(rows[0].text(7), "-a");
  EXPECT_EQ(rows[1].text(7), "(b");
  EXPECT_EQ(rows[2].text(7), ")c");
}

TEST(TableRow, PacksTextAndNumbersAndSurvivesTheWire) {
  CellPacker cells;
  cells.text("Acme, Inc.").number(0).number(INT64_MIN).text("").number(-1).text("東京").raw("copied");
  cells.hidden("acc-b7", "prod-1");
  TableRow row;
  row.seller = "acc-s1";
  cells.pack_into(row);
  ASSERT_EQ(row.size(), 7u);  // the hidden cells are not counted
  EXPECT_EQ(row.payer(), "acc-b7");
  EXPECT_EQ(row.product(), "prod-1");
  EXPECT_EQ(row.text(0), "Acme, Inc.");
  EXPECT_EQ(row.number(1), 0);
  EXPECT_TRUE(row.raw(1).empty());  // a zero takes no bytes
  EXPECT_EQ(row.number(2), INT64_MIN);
  EXPECT_EQ(row.text(3), "");
  EXPECT_EQ(row.number(4), -1);
  EXPECT_EQ(row.text(5), "東京");
  EXPECT_EQ(row.text(6), "copied");

  // The packer starts afresh after each row.
  cells.text("second");
  TableRow next;
  cells.pack_into(next);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next.text(0), "second");
  EXPECT_EQ(next.payer(), "");  // no hidden cells this time

  // A row whose bytes exceed 16-bit offsets switches to 32-bit ends.
  const std::string long_text(70'000, 'x');
  cells.text("a").text(long_text).number(7);
  TableRow wide;
  cells.pack_into(wide);
  ASSERT_EQ(wide.size(), 3u);
  EXPECT_EQ(wide.text(0), "a");
  EXPECT_EQ(wide.text(1), long_text);
  EXPECT_EQ(wide.number(2), 7);

  // What a shuffle does to a row: every byte and the hidden fields come back.
  std::vector<char> bytes;
  encode(row, bytes);
  encode(next, bytes);
  const auto back = decode_all<TableRow>(bytes);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].seller, "acc-s1");
  EXPECT_EQ(back[0].payer(), "acc-b7");
  EXPECT_EQ(back[0].product(), "prod-1");
  ASSERT_EQ(back[0].size(), 7u);
  for (std::size_t c = 0; c < 7; ++c) EXPECT_EQ(back[0].raw(c), row.raw(c)) << c;
  EXPECT_EQ(back[1].text(0), "second");
  EXPECT_EQ(TableRow{}.size(), 0u);
}

TEST(TableRow, UnpacksByTheSchemaKinds) {
  TableSchema schema{"t", {{"name", ColumnKind::text}, {"amount", ColumnKind::amount}, {"day", ColumnKind::date},
                           {"n", ColumnKind::count}}, {}};
  const TableRow row = TableRow::from_cells("s", {{"x", 0}, {"", 5'000'000}, {"2026-10-01", 0}, {"", 0}});
  const auto cells = row.unpack(schema);
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0].text, "x");
  EXPECT_EQ(cells[1].number, 5'000'000);
  EXPECT_EQ(cells[1].text, "");
  EXPECT_EQ(cells[2].text, "2026-10-01");
  EXPECT_EQ(cells[3].number, 0);
  EXPECT_EQ(render_line(schema, row), "x,5.000000,2026-10-01,0\n");
  EXPECT_THROW(TableRow::from_cells("s", {{"both", 1}}), Failure);
}

TEST(Render, SortKeysCompareValuesNotTheirConcatenation) {
  // ("ab", "c") must sort before ("abc", ""): a plain concatenation would put them the other way.
  TableSchema schema{"t", {{"a", ColumnKind::text}, {"b", ColumnKind::text}}, {0, 1}};
  std::vector<TableRow> rows{TableRow::from_cells("s", {{"abc", 0}, {"", 0}}),
                             TableRow::from_cells("s", {{"ab", 0}, {"c", 0}}),
                             TableRow::from_cells("s", {{"ab", 0}, {std::string("\0z", 2), 0}}),
                             TableRow::from_cells("s", {{"ab", 0}, {std::string("\0", 1), 0}})};
  sort_rows(schema, rows);
  EXPECT_EQ(rows[0].text(1), std::string("\0", 1));
  EXPECT_EQ(rows[1].text(1), std::string("\0z", 2));
  EXPECT_EQ(rows[2].text(1), "c");
  EXPECT_EQ(rows[3].text(0), "abc");
}

TEST(Render, SortMatchesTheTupleOrderOnRandomRows) {
  // The reference: (seller, each rendered sort value, the whole line) compared as a tuple of
  // strings. Values share long prefixes, straddle the 16 bytes held inline, and hold NULs.
  TableSchema schema{"t",
                     {{"a", ColumnKind::text}, {"n", ColumnKind::amount}, {"b", ColumnKind::text},
                      {"extra", ColumnKind::text}},
                     {2, 1, 0}};
  std::mt19937 random(7);
  const std::vector<std::string> pieces{"", "a", "txn-6643", "txn-66439f5a0a", "acc-b000022980-long-tail",
                                        std::string("\0", 1), std::string("x\0y", 3), "Z", "txn-66439f5a0b"};
  const auto pick = [&] {
    std::string v = pieces[random() % pieces.size()];
    if (random() % 3 == 0) v += pieces[random() % pieces.size()];
    return v;
  };
  // One seller, a few, and many with a row or two each (rows are grouped by seller first).
  for (const unsigned sellers : {1u, 5u, 1000u}) {
    std::vector<TableRow> rows;
    for (int i = 0; i < 3000; ++i) {
      std::string seller(1, 's');
      seller += std::to_string(random() % sellers);
      if (random() % 4 == 0) seller.push_back('\0');
      rows.push_back(TableRow::from_cells(
          seller, {{pick(), 0}, {"", static_cast<std::int64_t>(random() % 5) - 2}, {pick(), 0}, {pick(), 0}}));
    }
    const auto tuple_of = [&](const TableRow& row) {
      std::vector<std::string> t{row.seller};
      for (std::size_t c : schema.sort_by) {
        std::string v;
        append_rendered(v, schema.columns[c], row, c);
        t.push_back(v);
      }
      t.push_back(render_line(schema, row));
      return t;
    };
    std::vector<std::vector<std::string>> want;
    for (const auto& row : rows) want.push_back(tuple_of(row));
    std::sort(want.begin(), want.end());
    sort_rows(schema, rows);
    ASSERT_EQ(rows.size(), want.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
      ASSERT_EQ(tuple_of(rows[i]), want[i]) << sellers << " sellers, row " << i;
  }
}

TEST(Render, LinesMatchTheCellByCellRenderingOnRandomRows) {
  // The reference: each cell rendered by render_cell, then quoted by csv::append_cell, joined by
  // commas. Values hold every character that needs quoting or a formula prefix, and numbers reach
  // both ends of int64. Rows take both widths of cell ends (short rows and rows over 64 KB).
  TableSchema schema{"t",
                     {{"a", ColumnKind::text}, {"n", ColumnKind::amount}, {"d", ColumnKind::date},
                      {"k", ColumnKind::count}, {"b", ColumnKind::text}},
                     {}};
  std::mt19937_64 random(11);
  const std::vector<std::string> pieces{"", "a", "=SUM(A1)", "-x", "+", "@me", "\tt", "\rr", "q\"q", "x,y",
                                        "line\nbreak", "\"", "plain text", "'"};
  const std::vector<std::int64_t> numbers{0, 1, -1, 999'999, -1'000'000, INT64_MAX, INT64_MIN, 12'345'678};
  const auto pick = [&] {
    std::string v = pieces[random() % pieces.size()];
    while (random() % 3 == 0) v += pieces[random() % pieces.size()];
    return v;
  };
  std::string want, got;
  for (int i = 0; i < 3000; ++i) {
    std::vector<Cell> cells{{pick(), 0},
                            {"", numbers[random() % numbers.size()]},
                            {random() % 2 ? "2026-10-31" : "", 0},
                            {"", random() % 2 ? static_cast<std::int64_t>(random() >> 1) : numbers[random() % numbers.size()]},
                            {i % 1000 == 7 ? std::string(70'000, '"') : pick(), 0}};
    const TableRow row = TableRow::from_cells("s", cells);
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) line += ',';
      csv::append_cell(line, render_cell(schema.columns[c], cells[c]));
    }
    line += '\n';
    want += line;
    EXPECT_EQ(render_line(schema, row), line) << "row " << i;
    std::vector<char> room(line_bound(schema, row));
    const char* end = write_line(room.data(), schema, row);
    got.append(room.data(), static_cast<std::size_t>(end - room.data()));
  }
  EXPECT_EQ(got, want);
}

TEST(Render, ARowWithTheWrongNumberOfCellsIsAnError) {
  TableSchema schema{"t", {{"a", ColumnKind::text}, {"b", ColumnKind::text}}, {}};
  EXPECT_THROW(render_line(schema, TableRow::from_cells("s", {{"only", 0}})), Failure);
}
