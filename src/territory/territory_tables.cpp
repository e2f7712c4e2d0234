// The two representative tables: schemas, exact splits and the attribution of buyers rows.
#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "common/error.hpp"
#include "tables/render.hpp"
#include "tables/schemas.hpp"
#include "territory/territory.hpp"
#include "territory/territory_detail.hpp"

namespace ba {

namespace {

using K = ColumnKind;

// The three amounts of a buyer, in the order of both tables' amount columns.
constexpr std::array<std::string_view, 3> kAmounts{"billed_net_revenue", "disbursed_net_amount",
                                                   "estimated_usage_revenue"};
using Amounts = std::array<Micros, 3>;

void add_to(Amounts& total, const Amounts& a) {
  for (std::size_t k = 0; k < a.size(); ++k) total[k] = add_checked(total[k], a[k]);
}

Cell text(std::string s) { return Cell{std::move(s), 0}; }
Cell number(std::int64_t n) { return Cell{"", n}; }

// Where the buyers table keeps what attribution reads.
struct BuyersLayout {
  std::size_t account, domain, country, state, postal, payer, currency, last_activity;
  std::array<std::size_t, 3> amounts;
};

const BuyersLayout& buyers_layout() {
  static const BuyersLayout layout = [] {
    const auto& b = buyers_schema();
    BuyersLayout l{};
    l.account = column_index(b, "customer_aws_account_id");
    l.domain = column_index(b, "email_domain");
    l.country = column_index(b, "country_code");
    l.state = column_index(b, "state_or_region");
    l.postal = column_index(b, "postal_code");
    l.payer = column_index(b, "payer_reference_id");
    l.currency = column_index(b, "currency");
    l.last_activity = column_index(b, "last_activity_date");
    for (std::size_t k = 0; k < kAmounts.size(); ++k) l.amounts[k] = column_index(b, kAmounts[k]);
    return l;
  }();
  return layout;
}

bool in_effect(const TerritoryRule& r, Instant date) {
  return (!r.effective_from || *r.effective_from <= date) && (!r.effective_until || date <= *r.effective_until);
}

// Geography specificity: a longer postal_code_prefix first, then a rule naming the state.
std::pair<std::size_t, bool> specificity(const TerritoryRule& r) {
  return {r.postal_code_prefix.size(), !r.state_or_region.empty()};
}

// One seller's rules indexed by what a buyer is looked up by.
class RuleIndex {
 public:
  explicit RuleIndex(const std::vector<TerritoryRule>& rules) {
    for (const auto& r : rules) {
      switch (r.type) {
        case MatchType::account:
          account_[r.aws_account_id].push_back(&r);
          break;
        case MatchType::domain:
          domain_[territory::lower_ascii(r.email_domain)].push_back(&r);
          break;
        case MatchType::geography:
          country_[territory::lower_ascii(r.country_code)].push_back(&r);
          break;
      }
    }
  }

  // The rule of highest priority in effect on `date` that matches the buyer, or null.
  const TerritoryRule* match(const std::vector<Cell>& cells, Instant date) const {
    const auto& l = buyers_layout();
    if (const auto* r = only_in_effect(account_, cells[l.account].text, date)) return r;
    if (const auto* r = only_in_effect(domain_, territory::lower_ascii(cells[l.domain].text), date)) return r;
    const auto it = country_.find(territory::lower_ascii(cells[l.country].text));
    if (cells[l.country].text.empty() || it == country_.end()) return nullptr;
    const std::string state = territory::lower_ascii(cells[l.state].text);
    const std::string postal = territory::lower_ascii(cells[l.postal].text);
    const TerritoryRule* best = nullptr;
    bool tie = false;
    for (const TerritoryRule* r : it->second) {
      if (!in_effect(*r, date)) continue;
      if (!r->state_or_region.empty() && territory::lower_ascii(r->state_or_region) != state) continue;
      if (postal.rfind(territory::lower_ascii(r->postal_code_prefix), 0) != 0) continue;
      if (best == nullptr || specificity(*r) > specificity(*best)) {
        best = r;
        tie = false;
      } else if (specificity(*r) == specificity(*best)) {
        tie = true;
      }
    }
    ensure(!tie, "two geography rules of equal priority match one buyer (the overlap check missed them)");
    return best;
  }

 private:
  using Map = std::map<std::string, std::vector<const TerritoryRule*>>;

  static const TerritoryRule* only_in_effect(const Map& map, const std::string& key, Instant date) {
    if (key.empty()) return nullptr;
    const auto it = map.find(key);
    if (it == map.end()) return nullptr;
    const TerritoryRule* found = nullptr;
    for (const TerritoryRule* r : it->second)
      if (in_effect(*r, date)) {
        ensure(found == nullptr, "two rules of equal priority match one buyer (the overlap check missed them)");
        found = r;
      }
    return found;
  }

  Map account_, domain_, country_;
};

struct Statement {
  std::string rep_name;
  std::int64_t buyers = 0;
  Amounts amounts{};
};

}  // namespace

const TableSchema& rep_attribution_schema() {
  static const TableSchema schema = [] {
    const auto& b = buyers_schema().columns;
    std::vector<Column> columns(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(kBuyerColumns));
    const std::vector<Column> rest{{"payer_reference_id", K::text}, {"currency", K::text},
                                   {"last_activity_date", K::date}, {"rep_id", K::text},
                                   {"rep_name", K::text},           {"rule_id", K::text},
                                   {"match_type", K::text},         {"split_percent", K::text},
                                   {"billed_net_revenue", K::amount}, {"disbursed_net_amount", K::amount},
                                   {"estimated_usage_revenue", K::amount}};
    columns.insert(columns.end(), rest.begin(), rest.end());
    return make_schema("rep_attribution", std::move(columns), {"payer_reference_id", "currency", "rep_id"});
  }();
  return schema;
}

const TableSchema& rep_statements_schema() {
  static const TableSchema schema =
      make_schema("rep_statements",
           {{"rep_id", K::text},
            {"rep_name", K::text},
            {"currency", K::text},
            {"buyers", K::count},
            {"billed_net_revenue", K::amount},
            {"disbursed_net_amount", K::amount},
            {"estimated_usage_revenue", K::amount}},
           {"rep_id", "currency"});
  return schema;
}

const std::vector<const TableSchema*>& deliverable_schemas() {
  static const std::vector<const TableSchema*> schemas = [] {
    auto all = all_schemas();
    all.push_back(&rep_attribution_schema());
    all.push_back(&rep_statements_schema());
    return all;
  }();
  return schemas;
}

std::vector<Micros> split_amount(Micros amount, const std::vector<Percent>& percents) {
  ensure(!percents.empty(), "a split with no shares");
  Percent sum = 0;
  for (Percent p : percents) {
    ensure(p > 0 && p <= kWholePercent, "a split share outside (0, 100]");
    sum += p;
  }
  ensure(sum == kWholePercent, "split shares that do not sum to 100");
  const std::size_t n = percents.size();
  std::vector<Micros> parts(n);
  std::vector<Percent> dropped(n);  // the discarded fraction of each exact share, in 1e-8 micro-units
  Micros assigned = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const __int128 exact = static_cast<__int128>(amount) * percents[i];
    parts[i] = static_cast<Micros>(exact / kWholePercent);  // truncates toward zero
    const auto rest = static_cast<Percent>(exact % kWholePercent);
    dropped[i] = rest < 0 ? -rest : rest;
    assigned += parts[i];  // |assigned| <= |amount|: the parts have amount's sign
  }
  Micros left = amount - assigned;  // amount's sign, fewer micro-units than shares
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return dropped[a] > dropped[b]; });
  const Micros step = left > 0 ? 1 : -1;
  for (std::size_t k = 0; left != 0; ++k) {
    ensure(k < n, "split remainder larger than the number of shares");
    parts[order[k]] += step;
    left -= step;
  }
  return parts;
}

void attribute_to_reps(const TerritoryRules& rules, const std::string& seller, const std::vector<TableRow>& buyers,
                       std::vector<TableRow>& attribution, std::vector<TableRow>& statements) {
  static const std::vector<TerritoryRule> no_rules;
  const auto found = rules.sellers.find(seller);
  ensure(found == rules.sellers.end() || found->second.errors.empty(),
         "representative tables requested for seller " + seller + " whose territory rules have errors");
  const RuleIndex index(found == rules.sellers.end() ? no_rules : found->second.rules);
  const auto& l = buyers_layout();
  const std::size_t width = buyers_schema().columns.size();

  std::vector<TableRow> rows;
  std::map<std::pair<std::string, std::string>, Statement> by_rep;  // (rep_id, currency); "" = unassigned
  std::map<std::string, Amounts> buyer_totals, attributed_totals;
  const auto emit = [&](const std::vector<Cell>& b, const std::string& rep_id, const std::string& rep_name,
                        const std::string& rule_id, std::string_view match_type, Percent percent, const Amounts& a) {
    std::vector<Cell> cells;
    cells.reserve(rep_attribution_schema().columns.size());
    for (std::size_t c = 0; c < kBuyerColumns; ++c) cells.push_back(b[c]);
    cells.push_back(b[l.payer]);
    cells.push_back(b[l.currency]);
    cells.push_back(b[l.last_activity]);
    cells.push_back(text(rep_id));
    cells.push_back(text(rep_name));
    cells.push_back(text(rule_id));
    cells.push_back(text(std::string(match_type)));
    cells.push_back(text(format_amount(percent)));
    for (Micros m : a) cells.push_back(number(m));
    rows.push_back(TableRow::from_cells(seller, cells));
    auto& st = by_rep[{rep_id, b[l.currency].text}];
    st.rep_name = rep_name;
    st.buyers += 1;
    add_to(st.amounts, a);
    add_to(attributed_totals[b[l.currency].text], a);
  };

  for (const auto& buyer : buyers) {
    if (buyer.seller != seller)
      fail_internal("a buyers row of seller " + buyer.seller + " attributed as seller " + seller);
    if (buyer.size() != width) fail_internal("a buyers row with " + std::to_string(buyer.size()) + " cells");
    const std::vector<Cell> b = buyer.unpack(buyers_schema());
    Amounts whole{};
    for (std::size_t k = 0; k < whole.size(); ++k) whole[k] = b[l.amounts[k]].number;
    add_to(buyer_totals[b[l.currency].text], whole);

    const TerritoryRule* rule = nullptr;
    if (!b[l.payer].text.empty()) {  // a row without a payer has no buyer to match
      const auto date = parse_date(b[l.last_activity].text);
      if (!date) fail_internal("buyers row without a last_activity_date: " + b[l.last_activity].text);
      rule = index.match(b, *date);
    }
    if (rule == nullptr) {
      emit(b, "", "", "", "unassigned", kWholePercent, whole);
      continue;
    }
    std::vector<Percent> percents;
    for (const auto& s : rule->shares) percents.push_back(s.percent);
    std::array<std::vector<Micros>, 3> parts;
    for (std::size_t k = 0; k < whole.size(); ++k) parts[k] = split_amount(whole[k], percents);
    for (std::size_t i = 0; i < rule->shares.size(); ++i) {
      const auto& s = rule->shares[i];
      emit(b, s.rep_id, s.rep_name, rule->rule_id, match_type_name(rule->type), s.percent,
           Amounts{parts[0][i], parts[1][i], parts[2][i]});
    }
  }

  std::vector<TableRow> stmt_rows;
  std::map<std::string, Amounts> statement_totals;
  for (const auto& [key, st] : by_rep) {
    std::vector<Cell> cells{text(key.first), text(st.rep_name), text(key.second), number(st.buyers)};
    for (Micros m : st.amounts) cells.push_back(number(m));
    stmt_rows.push_back(TableRow::from_cells(seller, cells));
    add_to(statement_totals[key.second], st.amounts);
  }
  // The invariant of issue 9: per currency, the parts add up exactly to the buyers' totals.
  ensure(attributed_totals == buyer_totals, "rep_attribution of seller " + seller + " does not add up to its buyers");
  ensure(statement_totals == buyer_totals, "rep_statements of seller " + seller + " do not add up to its buyers");

  sort_rows(rep_attribution_schema(), rows);
  sort_rows(rep_statements_schema(), stmt_rows);
  attribution.insert(attribution.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  statements.insert(statements.end(), std::make_move_iterator(stmt_rows.begin()),
                    std::make_move_iterator(stmt_rows.end()));
}

}  // namespace ba
