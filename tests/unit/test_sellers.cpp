#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "common/error.hpp"
#include "pipeline/sellers.hpp"
#include "territory/territory.hpp"

using namespace ba;

TEST(AssignByWeight, EqualWeightsSplitEvenlyInOrder) {
  EXPECT_EQ(assign_by_weight(2, {1, 1, 1, 1}), (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(assign_by_weight(3, {1, 1, 1, 1, 1, 1}), (std::vector<int>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(assign_by_weight(1, {7, 1, 9}), (std::vector<int>{0, 0, 0}));
  EXPECT_TRUE(assign_by_weight(4, {}).empty());
}

TEST(AssignByWeight, AHeavySellerGoesWhereTheMiddleOfItsWeightFalls) {
  // Total 102: seller 1's middle is at 1 + 50 = 51, in rank 1's half [51, 102).
  EXPECT_EQ(assign_by_weight(2, {1, 100, 1}), (std::vector<int>{0, 1, 1}));
  // Seller 0 holds most of the weight: its middle (50) is in rank 0's half of 104.
  EXPECT_EQ(assign_by_weight(2, {100, 1, 1, 1, 1}), (std::vector<int>{0, 1, 1, 1, 1}));
}

TEST(AssignByWeight, RangesAreContiguousAndNoRankHoldsMuchMoreThanItsShare) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 500; ++round) {
    const int ranks = 1 + static_cast<int>(random() % 6);
    std::vector<std::int64_t> weight(1 + random() % 40);
    for (auto& w : weight) w = 1 + static_cast<std::int64_t>(random() % (round % 2 ? 1000 : 10));
    const auto owner = assign_by_weight(ranks, weight);
    ASSERT_EQ(owner.size(), weight.size());
    const std::int64_t total = std::accumulate(weight.begin(), weight.end(), std::int64_t{0});
    const std::int64_t heaviest = *std::max_element(weight.begin(), weight.end());
    std::vector<std::int64_t> held(static_cast<std::size_t>(ranks), 0);
    for (std::size_t i = 0; i < owner.size(); ++i) {
      ASSERT_GE(owner[i], 0);
      ASSERT_LT(owner[i], ranks);
      if (i > 0) {
        ASSERT_LE(owner[i - 1], owner[i]) << "sellers in order, ranges contiguous";
      }
      held[static_cast<std::size_t>(owner[i])] += weight[i];
    }
    // A seller goes to the share holding its middle: a rank's weight exceeds its share by at
    // most the halves of the two sellers at its edges, each at most half the heaviest.
    for (const auto h : held) ASSERT_LE(h, total / ranks + heaviest + 1) << "round " << round;
  }
}

namespace {

SellerEntry entry(std::string seller, std::string folder) { return SellerEntry{std::move(seller), std::move(folder), 0}; }

// The indexes a store of three sellers has, S2 with representative tables.
std::vector<std::vector<SellerEntry>> store_indexes() {
  const std::vector<SellerEntry> all = {entry("S1", "000000000001"), entry("S2", "000000000002"),
                                        entry("S3", "000000000003")};
  std::vector<std::vector<SellerEntry>> indexes(kBuyersTables, all);
  indexes.push_back({all[1]});
  indexes.push_back({all[1]});
  return indexes;
}

// The message check_store_sellers refuses `indexes` with (as bad input), or "" when it accepts.
std::string refusal(const std::vector<std::vector<SellerEntry>>& indexes) {
  try {
    check_store_sellers("s.h5", indexes);
  } catch (const Failure& f) {
    EXPECT_EQ(f.code(), ExitCode::bad_input);
    return f.what();
  }
  return "";
}

}  // namespace

TEST(CheckStoreSellers, AcceptsWhatTheWriterWrites) {
  ASSERT_EQ(deliverable_schemas().size(), kBuyersTables + 2);
  EXPECT_EQ(refusal(store_indexes()), "");
  auto no_reps = store_indexes();
  no_reps[4].clear();
  no_reps[5].clear();
  EXPECT_EQ(refusal(no_reps), "");
}

TEST(CheckStoreSellers, RefusesFoldersAndSellersThatAreNotOnesOwn) {
  auto bad_folder = store_indexes();
  bad_folder[0][2].folder = "12345";
  EXPECT_EQ(refusal(bad_folder), "--store s.h5: seller S3 has the delivery folder '12345', not a 12-digit aws_account_id");

  auto twice = store_indexes();
  twice[0][2].seller = "S1";
  EXPECT_EQ(refusal(twice), "--store s.h5: seller S1 is listed twice in the index of sales_compensation");

  auto shared = store_indexes();
  shared[0][2].folder = "000000000001";
  EXPECT_EQ(refusal(shared), "--store s.h5: the delivery folder 000000000001 is given to two sellers");
}

TEST(CheckStoreSellers, RefusesTablesThatDoNotListTheSameSellers) {
  auto missing = store_indexes();
  missing[2].pop_back();  // usage without S3
  EXPECT_EQ(refusal(missing), "--store s.h5: the seller index of usage does not list the sellers of sales_compensation "
                              "as the job writes it");

  auto moved = store_indexes();
  moved[3][1].folder = "000000000009";  // buyers puts S2 in another folder
  EXPECT_NE(refusal(moved).find("the seller index of buyers does not list"), std::string::npos);

  auto stranger = store_indexes();
  stranger[4] = {entry("S9", "000000000009")};  // representative tables of a seller not delivered
  stranger[5] = stranger[4];
  EXPECT_NE(refusal(stranger).find("the seller index of rep_attribution does not list the sellers of sales_compensation"),
            std::string::npos);

  auto out_of_order = store_indexes();
  out_of_order[4] = {out_of_order[0][2], out_of_order[0][0]};
  out_of_order[5] = out_of_order[4];
  EXPECT_NE(refusal(out_of_order).find("rep_attribution does not list"), std::string::npos);

  auto unpaired = store_indexes();
  unpaired[5].clear();  // rep_statements without the seller rep_attribution has
  EXPECT_NE(refusal(unpaired).find("the seller index of rep_statements does not list the sellers of rep_attribution"),
            std::string::npos);
}
