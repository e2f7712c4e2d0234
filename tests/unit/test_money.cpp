#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/money.hpp"

using namespace ba;

TEST(Money, ParsesTheFeedGrammar) {
  EXPECT_EQ(parse_amount("0"), 0);
  EXPECT_EQ(parse_amount("100"), 100'000'000);
  EXPECT_EQ(parse_amount("-15.5"), -15'500'000);
  EXPECT_EQ(parse_amount("12.345678"), 12'345'678);
  EXPECT_EQ(parse_amount("1.500000000"), 1'500'000);  // zeros beyond the sixth digit are fine
  EXPECT_EQ(parse_amount("0.000001"), 1);
  EXPECT_EQ(parse_amount("007.10"), 7'100'000);
}

TEST(Money, RejectsEverythingElse) {
  for (const char* bad : {"", "-", "+1", "1e5", ".5", "5.", "1 000", "1,000", " 1", "1 ", "10.123456789", "--1",
                          "1.2.3", "0x10", "NaN", "1.-5"})
    EXPECT_FALSE(parse_amount(bad).has_value()) << bad;
}

TEST(Money, RejectsOverflow) {
  EXPECT_TRUE(parse_amount("9223372036854").has_value());
  EXPECT_FALSE(parse_amount("9223372036855").has_value());  // * 10^6 > INT64_MAX
  EXPECT_FALSE(parse_amount("99999999999999999999999").has_value());
}

TEST(Money, FormatsWithSixFractionDigits) {
  EXPECT_EQ(format_amount(0), "0.000000");
  EXPECT_EQ(format_amount(-12'500'000), "-12.500000");
  EXPECT_EQ(format_amount(1), "0.000001");
  EXPECT_EQ(format_amount(-1), "-0.000001");
  EXPECT_EQ(format_amount(INT64_MIN), "-9223372036854.775808");
}

// The reference: the integer and fraction parts printed apart, in 128-bit arithmetic.
TEST(Money, FormatsEveryKindOfValueAsTheDecimalItStandsFor) {
  const auto reference = [](Micros v) {
    const __int128 wide = v;
    const auto magnitude = static_cast<unsigned __int128>(wide < 0 ? -wide : wide);
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, "%06u", static_cast<unsigned>(magnitude % 1'000'000));
    return std::string(v < 0 ? "-" : "") + std::to_string(static_cast<unsigned long long>(magnitude / 1'000'000)) +
           "." + fraction;
  };
  std::mt19937_64 random(11);
  std::vector<Micros> values{0, 1, -1, 9, 10, 99, 100, 999'999, 1'000'000, -1'000'000, 1'000'001, 10'000'000,
                             INT64_MIN, INT64_MIN + 1, INT64_MAX};
  for (int i = 0; i < 20000; ++i) {
    values.push_back(static_cast<Micros>(random()));                                  // any size
    values.push_back(static_cast<Micros>(random() % 2'000'000'000) - 1'000'000'000);  // typical
    values.push_back(static_cast<Micros>(random() % 100'000) * 1'000'000);             // whole units
  }
  for (const Micros v : values) ASSERT_EQ(format_amount(v), reference(v)) << v;
}

TEST(Money, RoundTrips) {
  for (Micros v : {Micros{0}, Micros{1}, Micros{-999999}, Micros{123456789012}, Micros{-5}})
    EXPECT_EQ(parse_amount(format_amount(v)), v);
}

TEST(Money, CheckedAdditionFailsOnOverflow) {
  EXPECT_EQ(add_checked(1, 2), 3);
  EXPECT_THROW(add_checked(INT64_MAX, 1), Failure);
  EXPECT_THROW(add_checked(INT64_MIN, -1), Failure);
}

TEST(Money, AppendAmountAppendsWhatFormatAmountReturns) {
  for (Micros v : {Micros{0}, Micros{1}, Micros{-1}, Micros{999'999}, Micros{1'000'000}, Micros{-12'500'000},
                   INT64_MIN, INT64_MAX}) {
    std::string out = "x=";
    append_amount(out, v);
    EXPECT_EQ(out, "x=" + format_amount(v));
  }
  std::string out;
  append_amount(out, INT64_MAX);
  EXPECT_EQ(out, "9223372036854.775807");
}
