#include "tables/schemas.hpp"

#include "common/error.hpp"

namespace ba {

namespace {

using K = ColumnKind;

std::vector<Column> with_buyer_columns(std::vector<Column> rest) {
  std::vector<Column> columns{{"customer_aws_account_id", K::text}, {"company_name", K::text}, {"email_domain", K::text},
                              {"country_code", K::text},            {"state_or_region", K::text}, {"city", K::text},
                              {"postal_code", K::text}};
  columns.insert(columns.end(), rest.begin(), rest.end());
  return columns;
}

std::vector<Column> eight_buckets() {
  return {{"gross_revenue", K::amount},   {"aws_revenue_share", K::amount}, {"gross_refunds", K::amount},
          {"aws_refunds_share", K::amount}, {"seller_credits", K::amount},  {"aws_credits", K::amount},
          {"seller_tax_share", K::amount},  {"seller_tax_refunds", K::amount}};
}

std::vector<Column> concat(std::vector<Column> a, const std::vector<Column>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TableSchema make_schema(std::string name, std::vector<Column> columns, const std::vector<std::string>& sort_names) {
  TableSchema s{std::move(name), std::move(columns), {}};
  for (const auto& n : sort_names) s.sort_by.push_back(column_index(s, n));
  return s;
}

std::size_t column_index(const TableSchema& schema, std::string_view name) {
  for (std::size_t i = 0; i < schema.columns.size(); ++i)
    if (schema.columns[i].name == name) return i;
  ensure(false, "column " + std::string(name) + " in " + schema.name);
  return 0;
}

const TableSchema& sales_compensation_schema() {
  static const TableSchema schema = make_schema(
      "sales_compensation",
      with_buyer_columns(concat(
          concat({{"product_code", K::text}, {"product_title", K::text}, {"offer_id", K::text}, {"opportunity_name", K::text}},
                 eight_buckets()),
          {{"net_revenue", K::amount}, {"currency", K::text}, {"ar_period", K::text}, {"invoice_date", K::date},
           {"transaction_reference_id", K::text}, {"payer_reference_id", K::text},
           {"end_customer_aws_account_id", K::text}})),
      {"transaction_reference_id", "product_code", "end_customer_aws_account_id"});
  return schema;
}

const TableSchema& disbursements_schema() {
  static const TableSchema schema = make_schema(
      "disbursements",
      with_buyer_columns(concat(concat({{"product_code", K::text}, {"product_title", K::text}}, eight_buckets()),
                                {{"net_amount", K::amount}, {"currency", K::text}, {"transaction_reference_id", K::text},
                                 {"disbursement_date", K::date}, {"bank_trace_id", K::text},
                                 {"payer_reference_id", K::text}, {"end_customer_aws_account_id", K::text}})),
      {"disbursement_date", "bank_trace_id", "transaction_reference_id", "product_code", "end_customer_aws_account_id"});
  return schema;
}

const TableSchema& usage_schema() {
  static const TableSchema schema = make_schema(
      "usage",
      with_buyer_columns({{"end_customer_aws_account_id", K::text}, {"product_code", K::text}, {"product_title", K::text},
                          {"offer_id", K::text}, {"region", K::text}, {"dimension_key", K::text}, {"usage_unit", K::text},
                          {"usage_date", K::date}, {"usage_quantity", K::amount}, {"estimated_revenue", K::amount},
                          {"currency", K::text}}),
      {"customer_aws_account_id", "end_customer_aws_account_id", "product_code", "offer_id", "region", "dimension_key",
       "usage_unit", "currency", "usage_date"});
  return schema;
}

const TableSchema& buyers_schema() {
  static const TableSchema schema = make_schema(
      "buyers",
      with_buyer_columns({{"payer_reference_id", K::text}, {"currency", K::text}, {"first_activity_date", K::date},
                          {"last_activity_date", K::date}, {"billed_net_revenue", K::amount},
                          {"disbursed_net_amount", K::amount}, {"estimated_usage_revenue", K::amount},
                          {"transactions", K::count}, {"products", K::count}}),
      {"payer_reference_id", "currency"});
  return schema;
}

const std::vector<const TableSchema*>& all_schemas() {
  static const std::vector<const TableSchema*> all{&sales_compensation_schema(), &disbursements_schema(), &usage_schema(),
                                                   &buyers_schema()};
  return all;
}

}  // namespace ba
