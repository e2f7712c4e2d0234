#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "common/memory.hpp"

using namespace ba;

TEST(Memory, AReservationTheSystemRefusesLeavesTheVectorAsItWas) {
  std::vector<std::uint64_t> items{1, 2, 3};
  reserve_if_granted(items, items.max_size() + 1);  // past max_size: std::length_error
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer aborts on an allocation it cannot make
  reserve_if_granted(items, items.max_size());  // no system grants 2^63 bytes: std::bad_alloc
#endif
  EXPECT_EQ(items, (std::vector<std::uint64_t>{1, 2, 3}));
  items.push_back(4);  // still grows as usual
  EXPECT_EQ(items.size(), 4u);
  reserve_if_granted(items, 1000);  // a reservation granted
  EXPECT_GE(items.capacity(), 1000u);
  EXPECT_EQ(items.size(), 4u);
}
