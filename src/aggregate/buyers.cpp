#include <map>
#include <set>

#include "aggregate/detail_tables.hpp"

namespace ba {

namespace {

Instant day_of(Instant t) { return t - ((t % kSecondsPerDay) + kSecondsPerDay) % kSecondsPerDay; }

// Is fact a more recent contributing row than b? Latest day; ties: table 1 before 2 before 3,
// then the greatest rendered row.
bool more_recent(const BuyerFact& a, const BuyerFact& b) {
  if (day_of(a.date) != day_of(b.date)) return day_of(a.date) > day_of(b.date);
  if (a.table != b.table) return a.table < b.table;
  return a.line > b.line;
}

struct BuyerAccumulator {
  const BuyerFact* recent = nullptr;
  Instant first = 0, last = 0;
  Micros billed = 0, disbursed = 0, usage = 0;
  std::int64_t transactions = 0;
  std::set<std::string> products;
};

}  // namespace

std::vector<TableRow> build_buyers(const std::vector<BuyerFact>& facts) {
  std::map<std::tuple<std::string, std::string, std::string>, BuyerAccumulator> buyers;
  for (const auto& f : facts) {
    auto [it, inserted] = buyers.try_emplace({f.seller, f.payer, f.currency});
    auto& b = it->second;
    const Instant day = day_of(f.date);
    if (inserted || day < b.first) b.first = day;
    if (inserted || day > b.last) b.last = day;
    if (!b.recent || more_recent(f, *b.recent)) b.recent = &f;
    switch (f.table) {
      case 1:
        b.billed = add_checked(b.billed, f.amount);
        b.transactions += 1;
        break;
      case 2:
        b.disbursed = add_checked(b.disbursed, f.amount);
        break;
      default:
        b.usage = add_checked(b.usage, f.amount);
        break;
    }
    if (!f.product.empty()) b.products.insert(f.product);
  }
  std::vector<TableRow> rows;
  for (const auto& [key, b] : buyers) {
    const auto& [seller, payer, currency] = key;
    // Rows without a payer carry empty buyer columns whatever their facts say.
    const BuyerColumns buyer = payer.empty() ? BuyerColumns{} : b.recent->buyer;
    TableRow row;
    row.seller = seller;
    auto text = [&](std::string v) { row.cells.push_back(Cell{std::move(v), 0}); };
    auto number = [&](std::int64_t v) { row.cells.push_back(Cell{{}, v}); };
    text(buyer.customer_aws_account_id);
    text(buyer.company_name);
    text(buyer.email_domain);
    text(buyer.country_code);
    text(buyer.state_or_region);
    text(buyer.city);
    text(buyer.postal_code);
    text(payer);
    text(currency);
    text(format_date(b.first));
    text(format_date(b.last));
    number(b.billed);
    number(b.disbursed);
    number(b.usage);
    number(b.transactions);
    number(static_cast<std::int64_t>(b.products.size()));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ba
