#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "aggregate/partials.hpp"
#include "common/bytes.hpp"

using namespace ba;

namespace {
SalesGroup sales(std::string seller, std::string transaction, std::string product, std::string end_user, Micros gross) {
  SalesGroup g;
  g.seller = std::move(seller);
  g.transaction_ref = std::move(transaction);
  g.attribution.product = std::move(product);
  g.attribution.end_user = std::move(end_user);
  g.currency_min = g.currency_max = "USD";
  g.buckets[0] = gross;
  return g;
}
}  // namespace

TEST(GroupKey, EqualExactlyWhenEveryFieldIs) {
  const auto a = sales("s", "t", "p", "e", 0), b = sales("s", "t", "p", "e", 0), c = sales("s", "t", "p", "f", 0);
  EXPECT_TRUE(a.group_key() == b.group_key());
  EXPECT_EQ(a.group_key().hash(), b.group_key().hash());
  EXPECT_EQ(a.key(), b.key());
  EXPECT_FALSE(a.group_key() == c.group_key());
  EXPECT_NE(a.key(), c.key());
  // Fields holding what a separator-joined key would use: different tuples that such a key
  // would make one (the old "s\x1ft\x1fp..." join credited one buyer's rows to another).
  const auto d = sales("s\x1ft", "p", "e\x1fx", "y", 0), e = sales("s", "t\x1fp", "e", "x\x1fy", 0);
  EXPECT_FALSE(d.group_key() == e.group_key());
  EXPECT_NE(d.key(), e.key());
  // A field's end moved into the next: "ab"+"c" against "a"+"bc", and an empty field.
  const auto f = sales("s", "ab", "c", "e", 0), g = sales("s", "a", "bc", "e", 0), h = sales("s", "", "abc", "e", 0);
  EXPECT_FALSE(f.group_key() == g.group_key());
  EXPECT_NE(f.key(), g.key());
  EXPECT_NE(f.key(), h.key());
  EXPECT_NE(g.key(), h.key());
}

TEST(GroupKey, EventKeysAreTheirGroupsKeys) {
  BillingEvent e;
  e.seller = "s";
  e.transaction_ref = "t\x1f";
  e.product = "p";
  e.end_user = "e";
  e.disbursement_id = "d";
  EXPECT_EQ(sales_key(e), sales("s", "t\x1f", "p", "e", 0).key());
  DisbursementGroup line;
  line.seller = "s";
  line.transaction_ref = "t\x1f";
  line.attribution.product = "p";
  line.payout_id = "d";
  line.attribution.end_user = "e";
  EXPECT_EQ(line_key(e), line.key());
  e.transaction_ref = "t";
  e.product = "\x1fp";
  EXPECT_NE(sales_key(e), sales("s", "t\x1f", "p", "e", 0).key());
}

TEST(GroupKey, UsageKeysDifferByDate) {
  UsageGroup a;
  a.seller = "s";
  a.usage_date = 86'400;
  UsageGroup b = a;
  EXPECT_TRUE(a.group_key() == b.group_key());
  b.usage_date = 2 * 86'400;
  EXPECT_FALSE(a.group_key() == b.group_key());
  EXPECT_NE(a.key(), b.key());
}

TEST(GroupIndex, FindsTheSamePositionAndGrowsPastItsReservation) {
  std::vector<std::string> keys;
  GroupIndex index;
  index.reserve(4);
  for (int i = 0; i < 1000; ++i) {
    const std::string k = std::to_string(i);
    const auto hash = static_cast<std::uint64_t>(i % 7);  // many collisions on purpose
    const std::size_t at = index.find_or_add(hash, keys.size(), [&](std::size_t j) { return keys[j] == k; });
    ASSERT_EQ(at, keys.size());
    keys.push_back(k);
  }
  for (int i = 0; i < 1000; ++i) {
    const std::string k = std::to_string(i);
    const std::size_t at = index.find_or_add(static_cast<std::uint64_t>(i % 7), keys.size(),
                                             [&](std::size_t j) { return keys[j] == k; });
    EXPECT_EQ(at, static_cast<std::size_t>(i));
  }
}

TEST(StringSet, HoldsWhatWasInsertedOnceAndNothingElse) {
  StringSet set;
  EXPECT_FALSE(set.contains("x"));  // empty: no slots yet
  for (int i = 0; i < 3000; i += 2) set.insert(std::to_string(100000000000 + i));
  set.insert("100000000000");  // again
  set.insert("");
  EXPECT_EQ(set.size(), 1501u);
  for (int i = 0; i < 3000; ++i) EXPECT_EQ(set.contains(std::to_string(100000000000 + i)), i % 2 == 0) << i;
  EXPECT_TRUE(set.contains(""));
  EXPECT_FALSE(set.contains("10000000000"));  // a prefix of a member
}

TEST(Combine, FoldsEqualKeysInOrderOfFirstAppearance) {
  std::vector<SalesGroup> parts{sales("s", "t2", "p", "e", 5), sales("s", "t1", "p", "e", 1),
                                sales("s", "t2", "p", "e", 7), sales("s\x1ft1", "p", "e", "", 2),
                                sales("s", "t1\x1fp", "e", "", 3), sales("s\x1ft1", "p", "e", "", 4)};
  parts[2].attribution.payer = "222222222222";
  parts[0].attribution.payer = "111111111111";
  const auto groups = combine(std::move(parts));
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].transaction_ref, "t2");
  EXPECT_EQ(groups[0].buckets[0], 12);
  EXPECT_EQ(groups[0].attribution.payer, "222222222222");  // the greatest
  EXPECT_EQ(groups[1].transaction_ref, "t1");
  EXPECT_EQ(groups[1].buckets[0], 1);
  // Fields that a separator-joined key would have made one group stay two.
  EXPECT_EQ(groups[2].seller, "s\x1ft1");
  EXPECT_EQ(groups[2].buckets[0], 6);
  EXPECT_EQ(groups[3].seller, "s");
  EXPECT_EQ(groups[3].transaction_ref, "t1\x1fp");
  EXPECT_EQ(groups[3].buckets[0], 3);
}

namespace {
// Every group, note and control total of `p`, each encoded, in a canonical order: two partial
// aggregates hold the same when these are equal (group order is not part of the result).
std::vector<std::vector<char>> contents(PartialAggregates p, const Ledger& ledger) {
  std::vector<std::vector<char>> all;
  const auto put = [&](const auto& items, char tag) {
    for (const auto& item : items) {
      std::vector<char> bytes{tag};
      encode(item, bytes);
      all.push_back(std::move(bytes));
    }
  };
  put(p.take_sales(), 's');
  put(p.take_lines(), 'l');
  put(p.take_usage(), 'u');
  put(p.take_notes(), 'n');
  put(ledger.amounts(), 'a');
  std::sort(all.begin(), all.end());
  return all;
}
}  // namespace

// The fact feeds are read once: rows are folded before the ranks agree which row wins each key,
// and the losers are undone after. Undoing must leave exactly what folding the winners alone
// gives: groups (a group whose rows all lost disappears), payout notes and control totals (a
// seller/currency that only losers brought disappears).
TEST(PartialAggregates, UndoingTheLosersLeavesWhatTheWinnersAloneGive) {
  static const std::array<std::string, 3> kSellers{"s1", "s2", "s3"}, kTransactions{"t1", "t2", "t3"},
      kCurrencies{"USD", "EUR", "JPY"}, kPayouts{"p1", "p2", "p3"}, kAccounts{"111111111111", "222222222222", "AWS"};
  static const std::array<TxType, 8> kTypes{
      TxType::seller_rev_share, TxType::aws_rev_share,        TxType::seller_tax_share,        TxType::balance_adjustment,
      TxType::disbursement,     TxType::disbursement_failure, TxType::seller_rev_share_refund, TxType::aws_tax_share};
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::uint64_t state = seed * 0x9e3779b97f4a7c15ULL;
    const auto next = [&state](std::size_t n) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return static_cast<std::size_t>(state % n);
    };
    const std::size_t rows = 1 + next(40);
    std::vector<BillingEvent> events(rows);
    std::vector<UsageRecord> usage(rows);
    std::vector<bool> loses(rows);
    for (std::size_t i = 0; i < rows; ++i) {
      auto& e = events[i];
      e.seller = kSellers[next(3)];
      e.transaction_ref = kTransactions[next(3)];
      e.product = kTransactions[next(2)];
      e.end_user = kAccounts[next(2)];
      e.from_account = kAccounts[next(3)];
      e.currency = kCurrencies[next(3)];
      e.billing_address = kPayouts[next(3)];
      e.offer = kPayouts[next(3)];
      e.bank_trace = kAccounts[next(2)];
      e.id = kTransactions[next(3)];
      e.parent_id = next(4) == 0 ? std::string_view{} : kPayouts[next(3)];
      e.disbursement_id = next(4) == 0 ? std::string_view{} : kPayouts[next(3)];
      e.type = kTypes[next(kTypes.size())];
      e.action = std::array{Action::invoiced, Action::forgiven, Action::disbursed}[next(3)];
      e.balance_impacting = next(5) != 0;
      e.amount = static_cast<Micros>(next(2'000'000)) - 1'000'000;
      e.invoice = static_cast<Instant>(next(5)) * 86'400;
      auto& r = usage[i];
      r.seller = kSellers[next(3)];
      r.payer = kAccounts[next(2)];
      r.end_user = kAccounts[next(2)];
      r.product = kTransactions[next(2)];
      r.currency = kCurrencies[next(3)];
      r.region = "r";
      r.usage_date = static_cast<Instant>(next(2)) * 86'400;
      r.quantity = static_cast<Micros>(next(1000));
      r.revenue = static_cast<Micros>(next(1000));
      loses[i] = next(3) == 0;
    }
    // Read once: every row folded, then the losers undone.
    PartialAggregates once;
    Ledger once_ledger;
    std::vector<Folded> billing_at(rows), usage_at(rows);
    for (std::size_t i = 0; i < rows; ++i) {
      billing_at[i] = once.add(events[i], once_ledger);
      usage_at[i] = once.add(usage[i], once_ledger);
    }
    for (std::size_t i = 0; i < rows; ++i)
      if (loses[i]) {
        once.mark(billing_at[i]);
        once.mark(usage_at[i]);
      }
    for (std::size_t i = 0; i < rows; ++i) {
      if (loses[i]) {
        once.withdraw(events[i], billing_at[i], once_ledger);
        once.withdraw(usage[i], usage_at[i], once_ledger);
      } else {
        if (once.marked(billing_at[i])) once.refold(events[i], billing_at[i]);
        if (once.marked(usage_at[i])) once.refold(usage[i], usage_at[i]);
      }
    }
    once.finish_undo();
    // The winners alone.
    PartialAggregates winners;
    Ledger winners_ledger;
    for (std::size_t i = 0; i < rows; ++i)
      if (!loses[i]) {
        winners.add(events[i], winners_ledger);
        winners.add(usage[i], winners_ledger);
      }
    ASSERT_EQ(contents(std::move(once), once_ledger), contents(std::move(winners), winners_ledger)) << "seed " << seed;
  }
}

// semantics.md cancels a payout named by any DISBURSEMENT_FAILURE row of the period: one that
// (against the feeds' habit) carries INVOICED or FORGIVEN with balance_impacting = 1 cancels it
// too, and is not a sales_compensation row. A failure naming no payout stays a sales input.
TEST(PartialAggregates, AFailureCancelsItsPayoutWhateverItsAction) {
  for (const Action action : {Action::invoiced, Action::forgiven, Action::disbursed}) {
    BillingEvent e;
    e.seller = "s1";
    e.transaction_ref = "t1";
    e.currency = "USD";
    e.from_account = "111111111111";
    e.type = TxType::disbursement_failure;
    e.action = action;
    e.balance_impacting = true;
    e.parent_id = "payout-1";
    PartialAggregates p;
    Ledger ledger;
    EXPECT_FALSE(feeds_sales_compensation(e));
    EXPECT_EQ(p.add(e, ledger).kind, Folded::note);
    const auto notes = p.take_notes();
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_TRUE(notes[0].failure);
    EXPECT_EQ(notes[0].payout_id, "payout-1");
    EXPECT_EQ(notes[0].seller, "s1");
    EXPECT_TRUE(p.take_sales().empty());
  }
  BillingEvent orphan;
  orphan.seller = "s1";
  orphan.transaction_ref = "t1";
  orphan.currency = "USD";
  orphan.type = TxType::disbursement_failure;
  orphan.action = Action::invoiced;
  orphan.balance_impacting = true;
  EXPECT_TRUE(feeds_sales_compensation(orphan));
  PartialAggregates p;
  Ledger ledger;
  EXPECT_EQ(p.add(orphan, ledger).kind, Folded::sales);
  EXPECT_TRUE(p.take_notes().empty());
}

TEST(Ledger, AKeyThatOnlyWithdrawnAmountsEnteredIsNotReported) {
  Ledger ledger;
  ledger.amount_in(1, "s", "USD", 5);
  ledger.amount_in(1, "s", "EUR", 7);
  ledger.amount_withdrawn(1, "s", "EUR", 7);
  ledger.amount_out(2, "s", "JPY", 0);  // delivered, even with nothing counted in: reported
  const auto amounts = ledger.amounts();
  ASSERT_EQ(amounts.size(), 2u);
  for (const auto& a : amounts) EXPECT_NE(a.currency, "EUR");
}

// More keys than the recent balances it tries first, asked in an order that defeats them: every
// (table, seller, currency) keeps its own sums.
TEST(Ledger, KeepsEachTableSellerAndCurrencyApart) {
  Ledger ledger;
  const std::vector<std::string> sellers{"111111111111", "222222222222", "333333333333", "1111111111110"};
  const std::vector<std::string> currencies{"USD", "EUR", "JPY"};
  for (int round = 1; round <= 3; ++round)
    for (std::int8_t table = 1; table <= 3; ++table)
      for (std::size_t s = 0; s < sellers.size(); ++s)
        for (std::size_t c = 0; c < currencies.size(); ++c)
          ledger.amount_in(table, sellers[s], currencies[c], table * 1000 + static_cast<Micros>(s * 10 + c));
  ledger.amount_out(2, "222222222222", "EUR", 42);
  const auto amounts = ledger.amounts();
  ASSERT_EQ(amounts.size(), 3 * sellers.size() * currencies.size());
  for (const auto& a : amounts) {
    const auto s = static_cast<Micros>(std::find(sellers.begin(), sellers.end(), a.seller) - sellers.begin());
    const auto c = static_cast<Micros>(std::find(currencies.begin(), currencies.end(), a.currency) - currencies.begin());
    EXPECT_EQ(a.in, 3 * (a.table * 1000 + s * 10 + c)) << a.table << " " << a.seller << " " << a.currency;
    EXPECT_EQ(a.out, a.table == 2 && a.seller == "222222222222" && a.currency == "EUR" ? 42 : 0);
  }
}

// Keys that a joined key string or a symmetric hash would confuse: swapped parts, equal parts, and
// a separator inside a part.
TEST(Ledger, KeepsKeysApartThatShareTheirParts) {
  Ledger ledger;
  const std::vector<std::pair<std::string, std::string>> keys{
      {"USD", "EUR"}, {"EUR", "USD"}, {"USD", "USD"}, {"a\x1f" "USD", "EUR"}, {"a", "USD\x1f" "EUR"}};
  for (int round = 0; round < 2; ++round)
    for (std::size_t k = 0; k < keys.size(); ++k)
      for (std::int8_t table = 1; table <= 2; ++table)
        ledger.amount_in(table, keys[k].first, keys[k].second, static_cast<Micros>(100 * table + k));
  const auto amounts = ledger.amounts();
  ASSERT_EQ(amounts.size(), 2 * keys.size());
  for (const auto& a : amounts) {
    const auto k = std::find(keys.begin(), keys.end(), std::make_pair(a.seller, a.currency)) - keys.begin();
    ASSERT_LT(static_cast<std::size_t>(k), keys.size()) << a.seller << " " << a.currency;
    EXPECT_EQ(a.in, 2 * (100 * a.table + k)) << a.table << " " << a.seller << " " << a.currency;
  }
}
