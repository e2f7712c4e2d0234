#include <map>
#include <unordered_map>
#include <set>

#include "aggregate/detail_tables.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"

namespace ba {

namespace {

// Where a detail table keeps what the buyers table reads.
struct DetailColumns {
  const TableSchema* schema;
  std::size_t date, amount, currency;
};

DetailColumns columns_of(const TableSchema& s, const char* date, const char* amount) {
  return DetailColumns{&s, column_index(s, date), column_index(s, amount), column_index(s, "currency")};
}

struct Contribution {
  const TableRow* row = nullptr;
  int table = 0;  // 0 sales_compensation, 1 disbursements, 2 usage: the tie order
};

struct BuyerAccumulator {
  std::string seller, payer, currency;
  Contribution recent;
  std::string first, last;  // YYYY-MM-DD: byte order is date order
  Micros billed = 0, disbursed = 0, usage = 0;
  std::int64_t transactions = 0;
  std::set<std::string> products;
};

}  // namespace

std::vector<TableRow> build_buyers(const std::vector<TableRow>& sales, const std::vector<TableRow>& disbursements,
                                   const std::vector<TableRow>& usage) {
  const std::array<DetailColumns, 3> detail{columns_of(sales_compensation_schema(), "invoice_date", "net_revenue"),
                                            columns_of(disbursements_schema(), "disbursement_date", "net_amount"),
                                            columns_of(usage_schema(), "usage_date", "estimated_revenue")};
  const std::array<const std::vector<TableRow>*, 3> tables{&sales, &disbursements, &usage};
  const auto date_of = [&](const Contribution& c) {
    return c.row->text(detail[static_cast<std::size_t>(c.table)].date);
  };
  // The payer's most recent contributing row: latest date; ties: table 1 before 2 before 3, then
  // the greatest rendered row (rendered only when it comes to that).
  const auto more_recent = [&](const Contribution& a, const Contribution& b) {
    if (date_of(a) != date_of(b)) return date_of(a) > date_of(b);
    if (a.table != b.table) return a.table < b.table;
    const auto& schema = *detail[static_cast<std::size_t>(a.table)].schema;
    return render_line(schema, *a.row) > render_line(schema, *b.row);
  };

  std::unordered_map<std::string, BuyerAccumulator> buyers;  // by seller \x1f payer \x1f currency
  std::string key;
  for (int t = 0; t < 3; ++t) {
    const auto& cols = detail[static_cast<std::size_t>(t)];
    for (const auto& row : *tables[static_cast<std::size_t>(t)]) {
      const std::string_view currency = row.text(cols.currency);
      key.assign(row.seller).append(1, '\x1f').append(row.payer).append(1, '\x1f').append(currency);
      auto it = buyers.find(key);
      const bool inserted = it == buyers.end();
      if (inserted) it = buyers.emplace(key, BuyerAccumulator{row.seller, row.payer, std::string(currency), {}, {}, {}, 0, 0, 0, 0, {}}).first;
      auto& b = it->second;
      const Contribution here{&row, t};
      const std::string_view date = date_of(here);
      if (inserted || date < b.first) b.first = date;
      if (inserted || date > b.last) b.last = date;
      if (!b.recent.row || more_recent(here, b.recent)) b.recent = here;
      const Micros amount = row.number(cols.amount);
      if (t == 0) {
        b.billed = add_checked(b.billed, amount);
        b.transactions += 1;
      } else if (t == 1) {
        b.disbursed = add_checked(b.disbursed, amount);
      } else {
        b.usage = add_checked(b.usage, amount);
      }
      if (!row.product.empty()) b.products.insert(row.product);
    }
  }
  std::vector<TableRow> rows(buyers.size());
  CellPacker cells;
  std::size_t i = 0;
  for (const auto& [unused, b] : buyers) {
    // The seven buyer columns lead every detail table; rows without a payer leave them empty.
    for (std::size_t c = 0; c < kBuyerColumns; ++c) cells.raw(b.payer.empty() ? std::string_view{} : b.recent.row->raw(c));
    cells.text(b.payer).text(b.currency).text(b.first).text(b.last);
    cells.number(b.billed).number(b.disbursed).number(b.usage).number(b.transactions);
    cells.number(static_cast<std::int64_t>(b.products.size()));
    TableRow& row = rows[i++];
    row.seller = b.seller;
    cells.pack_into(row);
  }
  return rows;
}

}  // namespace ba
