#include <gtest/gtest.h>

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
    TableRow r;
    r.seller = std::move(seller);
    r.cells.resize(schema.columns.size());
    r.cells[1].text = std::move(company);
    r.cells[7].text = std::move(payer);
    r.cells[8].text = std::move(currency);
    return r;
  };
  std::vector<TableRow> rows{row("s2", "a", "USD", ""), row("s1", "b", "USD", ""), row("s1", "B", "USD", ""),
                             row("s1", "b", "EUR", "z"), row("s1", "b", "EUR", "a")};
  sort_rows(schema, rows);
  EXPECT_EQ(rows[0].cells[7].text, "B");  // uppercase sorts before lowercase in byte order
  EXPECT_EQ(rows[1].cells[1].text, "a");  // tie on (payer, currency): whole line decides
  EXPECT_EQ(rows[2].cells[1].text, "z");
  EXPECT_EQ(rows[3].cells[8].text, "USD");
  EXPECT_EQ(rows[4].seller, "s2");
}
