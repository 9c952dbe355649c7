#include "common/iso8601.h"

#include <gtest/gtest.h>

namespace lmcp {
namespace {

using namespace std::chrono_literals;

// 2026-11-24T01:02:03Z
const WallTime kT = std::chrono::system_clock::from_time_t(1795482123);

TEST(Iso8601, Formats) {
  EXPECT_EQ(FormatIso8601(kT), "2026-11-24T01:02:03Z");
  EXPECT_EQ(FormatIso8601Millis(kT), "2026-11-24T01:02:03.000Z");
  EXPECT_EQ(FormatIso8601Millis(kT + 123ms), "2026-11-24T01:02:03.123Z");
  EXPECT_EQ(FormatIso8601Millis(kT + 999999us), "2026-11-24T01:02:03.999Z");  // truncated, not rounded
  EXPECT_EQ(FormatIso8601(kT + 999ms), "2026-11-24T01:02:03Z");
  EXPECT_EQ(FormatIso8601Basic(kT), "20261124T010203Z");
  EXPECT_EQ(FormatIso8601(WallTime{}), "1970-01-01T00:00:00Z");
}

TEST(Iso8601, FormatsBeforeTheEpochTruncateDownwards) {
  EXPECT_EQ(FormatIso8601Millis(WallTime{} - 1ms), "1969-12-31T23:59:59.999Z");
}

TEST(Iso8601, ParsesWhatAwsWrites) {
  EXPECT_EQ(ParseIso8601("2026-11-24T01:02:03Z"), kT);
  EXPECT_EQ(ParseIso8601("2026-11-24T01:02:03.123Z"), kT + 123ms);
  EXPECT_EQ(ParseIso8601("2026-11-24T01:02:03.000+0000"), kT);
  EXPECT_EQ(ParseIso8601("2026-11-24T03:02:03+02:00"), kT);
  EXPECT_EQ(ParseIso8601("2026-11-24t01:02:03z"), kT);
  EXPECT_EQ(ParseIso8601("2026-11-24"), kT - 1h - 2min - 3s);
  EXPECT_EQ(ParseIso8601(FormatIso8601Millis(kT + 7ms)), kT + 7ms);
}

TEST(Iso8601, RejectsMalformed) {
  for (std::string_view bad : {"", "2026", "2026-13-01", "2026-11-24T25:00:00Z", "2026-11-24T01:02:03Q",
                               "2026-11-24T01:02:03Zjunk", "2026-11-24T01:02", "2026-11-24T01:02:03+1"}) {
    EXPECT_FALSE(ParseIso8601(bad).has_value()) << bad;
  }
}

TEST(Iso8601, BasicForm) {
  EXPECT_EQ(ParseIso8601Basic("20261124T010203Z"), kT);
  EXPECT_FALSE(ParseIso8601Basic("2026-11-24").has_value());
  EXPECT_FALSE(ParseIso8601Basic("20261324T010203Z").has_value());
  EXPECT_FALSE(ParseIso8601Basic("2026112xT010203Z").has_value());
}

}  // namespace
}  // namespace lmcp
