#include <gtest/gtest.h>

#include "common/time.hpp"
#include "ingest/feed_files.hpp"
#include "common/error.hpp"

using namespace ba;

TEST(Time, ParsesTimestampsAndDates) {
  EXPECT_EQ(parse_instant("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_instant("1970-01-02"), 86400);
  EXPECT_EQ(parse_instant("2026-10-31T23:59:59Z"), parse_instant("2026-11-01").value() - 1);
  EXPECT_EQ(parse_instant("2024-02-29T12:00:00Z"), parse_instant("2024-02-29").value() + 12 * 3600);
}

TEST(Time, RejectsMalformedOrImpossible) {
  for (const char* bad : {"", "2026-10-31T23:59:59", "2026-10-31 23:59:59Z", "2026-13-01", "2026-02-29",
                          "2026-10-32", "2026-10-31T24:00:00Z", "26-10-31", "2026/10/31", "2026-10-31T23:59:59.5Z"})
    EXPECT_FALSE(parse_instant(bad).has_value()) << bad;
  EXPECT_FALSE(parse_date("2026-10-31T00:00:00Z").has_value());
}

TEST(Time, FormatsDatesAndMonths) {
  EXPECT_EQ(format_date(parse_instant("2026-10-14T09:30:00Z").value()), "2026-10-14");
  EXPECT_EQ(format_month(parse_instant("2026-12-31T23:59:59Z").value()), "2026-12");
  EXPECT_EQ(format_date(parse_instant("9999-12-31").value()), "9999-12-31");
  for (const char* day : {"0001-02-03", "0999-10-09", "1970-01-01", "2000-02-29", "2026-01-31", "2026-11-30"})
    EXPECT_EQ(format_date(parse_instant(day).value()), day);
  EXPECT_EQ(format_month(parse_instant("0001-02-03T00:00:00Z").value()), "0001-02");
}

TEST(Period, MonthlyAndDailyBounds) {
  const auto m = make_period("monthly", "2026-12");
  EXPECT_EQ(m.begin, parse_date("2026-12-01").value());
  EXPECT_EQ(m.end, parse_date("2027-01-01").value());
  EXPECT_TRUE(m.contains(parse_instant("2026-12-31T23:59:59Z").value()));
  EXPECT_FALSE(m.contains(m.end));
  const auto d = make_period("daily", "2026-10-14");
  EXPECT_EQ(d.end - d.begin, 86400);
  EXPECT_EQ(d.day, 14u);
  EXPECT_EQ(d.name(), "daily-2026-10-14");
}

TEST(Period, BadValuesAreNamed) {
  try {
    make_period("monthly", "2026-13");
    FAIL();
  } catch (const Failure& f) {
    EXPECT_EQ(f.code(), ExitCode::bad_arguments);
    EXPECT_NE(std::string(f.what()).find("2026-13"), std::string::npos);
  }
  EXPECT_THROW(make_period("weekly", "2026-10"), Failure);
  EXPECT_THROW(make_period("daily", "2026-10"), Failure);
}
