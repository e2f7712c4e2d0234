#include <gtest/gtest.h>

#include "aggregate/partials.hpp"

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

TEST(GroupKey, EqualExactlyWhenTheJoinedKeysAre) {
  const auto a = sales("s", "t", "p", "e", 0), b = sales("s", "t", "p", "e", 0), c = sales("s", "t", "p", "f", 0);
  EXPECT_TRUE(a.group_key() == b.group_key());
  EXPECT_EQ(a.group_key().hash(), b.group_key().hash());
  EXPECT_FALSE(a.group_key() == c.group_key());
  // A field holding the separator: different fields, one joined key, so one group as before.
  const auto d = sales("s\x1ft", "p", "e\x1fx", "y", 0), e = sales("s", "t\x1fp", "e", "x\x1fy", 0);
  ASSERT_EQ(d.key(), e.key());
  EXPECT_TRUE(d.group_key() == e.group_key());
  EXPECT_EQ(d.group_key().hash(), e.group_key().hash());
  EXPECT_EQ(d.group_key().joined(), d.key());
  // Both hold a separator but join differently: not equal.
  const auto f = sales("s\x1f", "t", "p", "e", 0), g = sales("s", "t\x1f", "p", "e", 0);
  ASSERT_NE(f.key(), g.key());
  EXPECT_FALSE(f.group_key() == g.group_key());
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

TEST(Combine, FoldsEqualKeysInOrderOfFirstAppearance) {
  std::vector<SalesGroup> parts{sales("s", "t2", "p", "e", 5), sales("s", "t1", "p", "e", 1),
                                sales("s", "t2", "p", "e", 7), sales("s\x1ft1", "p", "e", "", 2),
                                sales("s", "t1\x1fp", "e", "", 3)};
  parts[2].attribution.payer = "222222222222";
  parts[0].attribution.payer = "111111111111";
  const auto groups = combine(std::move(parts));
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].transaction_ref, "t2");
  EXPECT_EQ(groups[0].buckets[0], 12);
  EXPECT_EQ(groups[0].attribution.payer, "222222222222");  // the greatest
  EXPECT_EQ(groups[1].transaction_ref, "t1");
  EXPECT_EQ(groups[1].buckets[0], 1);
  EXPECT_EQ(groups[2].seller, "s\x1ft1");  // joined keys equal: one group, as the joined key had it
  EXPECT_EQ(groups[2].buckets[0], 5);
}
