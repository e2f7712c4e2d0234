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

TEST(Memory, AsksGlibcForAHugePageHeapWhenTheKernelOffersThem) {
  EXPECT_EQ(tunables_with_huge_page_heap(nullptr, "always [madvise] never\n"), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(tunables_with_huge_page_heap(nullptr, "[always] madvise never\n"), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(tunables_with_huge_page_heap("", "always [madvise] never\n"), "glibc.malloc.hugetlb=1");
  // The user's own tunables are kept.
  EXPECT_EQ(tunables_with_huge_page_heap("glibc.malloc.arena_max=2", "always [madvise] never\n"),
            "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
}

TEST(Memory, LeavesTheHeapAsItIsWhenDecidedOrNotOffered) {
  // Set already: by the user (either way), or by the start before this one (no loop).
  EXPECT_EQ(tunables_with_huge_page_heap("glibc.malloc.hugetlb=0", "always [madvise] never\n"), std::nullopt);
  EXPECT_EQ(tunables_with_huge_page_heap("glibc.malloc.hugetlb=1", "always [madvise] never\n"), std::nullopt);
  EXPECT_EQ(tunables_with_huge_page_heap("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", "[always] madvise never"),
            std::nullopt);
  // No transparent huge pages: turned off, or a kernel without them (no such file).
  EXPECT_EQ(tunables_with_huge_page_heap(nullptr, "always madvise [never]\n"), std::nullopt);
  EXPECT_EQ(tunables_with_huge_page_heap(nullptr, ""), std::nullopt);
}
