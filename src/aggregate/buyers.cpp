#include <algorithm>
#include <array>

#include "aggregate/detail_tables.hpp"
#include "aggregate/partials.hpp"
#include "common/memory.hpp"
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

// Views into the detail rows, which outlive the accumulators.
struct BuyerAccumulator {
  std::string_view seller, payer, currency;
  Contribution recent;
  std::string_view recent_date;  // recent's date (read once, not from its row at every row)
  std::string recent_line;       // recent's rendered line, once a tie needed it
  std::string_view first, last;  // YYYY-MM-DD: byte order is date order
  Micros billed = 0, disbursed = 0, usage = 0;
  std::int64_t transactions = 0;
  // The distinct products: the first few inline (most buyers have no more, and then no heap
  // allocation and no sort per buyer), the others in `more_products`, with repeats until the end.
  static constexpr std::size_t kFewProducts = 3;
  std::array<std::string_view, kFewProducts> few_products;
  std::size_t few = 0;
  std::vector<std::string_view> more_products;  // none of them among few_products

  void add_product(std::string_view product) {
    for (std::size_t k = 0; k < few; ++k)
      if (few_products[k] == product) return;
    if (few < kFewProducts)
      few_products[few++] = product;
    else
      more_products.push_back(product);
  }
  std::int64_t distinct_products() {
    std::sort(more_products.begin(), more_products.end());
    const auto more = std::unique(more_products.begin(), more_products.end()) - more_products.begin();
    return static_cast<std::int64_t>(few) + more;
  }
};

}  // namespace

std::vector<TableRow> build_buyers(const std::vector<TableRow>& sales, const std::vector<TableRow>& disbursements,
                                   const std::vector<TableRow>& usage) {
  const std::array<DetailColumns, 3> detail{columns_of(sales_compensation_schema(), "invoice_date", "net_revenue"),
                                            columns_of(disbursements_schema(), "disbursement_date", "net_amount"),
                                            columns_of(usage_schema(), "usage_date", "estimated_revenue")};
  const std::array<const std::vector<TableRow>*, 3> tables{&sales, &disbursements, &usage};
  const auto render_into = [&](std::string& line, const Contribution& c) {
    line.clear();
    append_line(line, *detail[static_cast<std::size_t>(c.table)].schema, *c.row);
  };
  // Whether `here` is more recent than the payer's most recent contributing row so far: latest
  // date; ties: table 1 before 2 before 3, then the greatest rendered row (rendered only when it
  // comes to that, into a reused buffer, and the current one's line kept for the next tie).
  std::string candidate;
  const auto take_if_more_recent = [&](BuyerAccumulator& b, const Contribution& here, std::string_view d) {
    const auto take = [&] {
      b.recent = here;
      b.recent_date = d;
      b.recent_line.clear();
    };
    if (!b.recent.row) return take();
    if (d != b.recent_date) {
      if (d > b.recent_date) take();
      return;
    }
    if (here.table != b.recent.table) {
      if (here.table < b.recent.table) take();
      return;
    }
    if (b.recent_line.empty()) render_into(b.recent_line, b.recent);
    render_into(candidate, here);
    if (candidate > b.recent_line) {
      b.recent = here;
      b.recent_line.swap(candidate);
    }
  };

  // Buyers by (seller, payer, currency) in a flat hash index over views: no key string and no
  // node per buyer.
  std::size_t detail_rows = 0;
  for (const auto* t : tables) detail_rows += t->size();
  GroupIndex index;
  index.reserve(detail_rows);
  // Room for a buyer per detail row (at most that many), reserved: the accumulators never move
  // to a grown array, so the old and the new one never coexist, and untouched room costs no
  // memory.
  std::vector<BuyerAccumulator> buyers;
  reserve_if_granted(buyers, detail_rows);
  std::vector<std::uint64_t> hashes;
  for (int t = 0; t < 3; ++t) {
    const auto& cols = detail[static_cast<std::size_t>(t)];
    const auto& rows = *tables[static_cast<std::size_t>(t)];
    // The index outgrows the caches and rows come in no buyer order: every key is hashed first,
    // so that each row can start loading the slot of the row 16 on and the buyer of the row 8 on.
    hashes.resize(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      TableRow::prefetch_ahead(rows.data(), r, rows.size());
      hashes[r] = GroupKey<3>{{rows[r].seller, rows[r].payer(), rows[r].text(cols.currency)}}.hash();
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (r + 16 < rows.size()) index.prefetch_slot(hashes[r + 16]);
      if (r + 8 < rows.size())
        if (const std::size_t c = index.candidate(hashes[r + 8]); c != GroupIndex::npos) __builtin_prefetch(&buyers[c]);
      const TableRow& row = rows[r];
      const std::string_view currency = row.text(cols.currency);
      const GroupKey<3> key{{row.seller, row.payer(), currency}};
      const std::size_t at = index.find_or_add(hashes[r], buyers.size(), [&](std::size_t j) {
        return GroupKey<3>{{buyers[j].seller, buyers[j].payer, buyers[j].currency}} == key;
      });
      const bool inserted = at == buyers.size();
      if (inserted) {
        buyers.emplace_back();
        buyers.back().seller = row.seller;
        buyers.back().payer = row.payer();
        buyers.back().currency = currency;
      }
      auto& b = buyers[at];
      const Contribution here{&row, t};
      const std::string_view date = row.text(cols.date);
      if (inserted || date < b.first) b.first = date;
      if (inserted || date > b.last) b.last = date;
      take_if_more_recent(b, here, date);
      const Micros amount = row.number(cols.amount);
      if (t == 0) {
        b.billed = add_checked(b.billed, amount);
        b.transactions += 1;
      } else if (t == 1) {
        b.disbursed = add_checked(b.disbursed, amount);
      } else {
        b.usage = add_checked(b.usage, amount);
      }
      if (!row.product().empty()) b.add_product(row.product());
    }
  }
  index = {};
  std::vector<TableRow> rows(buyers.size());
  CellPacker cells;
  for (std::size_t i = 0; i < buyers.size(); ++i) {
    auto& b = buyers[i];
    const std::int64_t distinct = b.distinct_products();
    // The seven buyer columns lead every detail table; rows without a payer leave them empty.
    for (std::size_t c = 0; c < kBuyerColumns; ++c) cells.raw(b.payer.empty() ? std::string_view{} : b.recent.row->raw(c));
    cells.text(b.payer).text(b.currency).text(b.first).text(b.last);
    cells.number(b.billed).number(b.disbursed).number(b.usage).number(b.transactions);
    cells.number(distinct);
    TableRow& row = rows[i];
    row.seller = std::string(b.seller);
    cells.pack_into(row);
  }
  return rows;
}

}  // namespace ba
