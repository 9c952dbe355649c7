#include "catalog/guardrail_options.h"

#include <gtest/gtest.h>

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;

TEST(ParseRateTest, PerSecondPerMinuteAndBurst) {
  auto r = ParseRate("10/s");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->count, 10u);
  EXPECT_EQ(r->per, 1s);
  EXPECT_EQ(r->capacity(), 10u);
  EXPECT_DOUBLE_EQ(r->per_second(), 10.0);

  auto m = ParseRate(" 120 / min , burst = 5 ");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->count, 120u);
  EXPECT_EQ(m->per, 60s);
  EXPECT_EQ(m->burst, 5u);
  EXPECT_EQ(m->capacity(), 5u);
  EXPECT_DOUBLE_EQ(m->per_second(), 2.0);
  EXPECT_EQ(m->ToString(), "120/m,burst=5");
  EXPECT_EQ(ParseRate("3/M")->ToString(), "3/m");
  EXPECT_EQ(ParseRate("7/second")->ToString(), "7/s");
}

TEST(ParseRateTest, RefusesWhatIsNotARate) {
  for (const char* bad : {"", "10", "10/h", "0/s", "-1/s", "1.5/s", "x/s", "10/s,burst=0", "10/s,rate=3",
                          "10/s,burst=", "99999999999/s"}) {
    auto r = ParseRate(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("expected e.g. 10/s"), std::string::npos) << r.error().message;
    }
  }
}

TEST(ParseCacheTtlTest, WholeSeconds) {
  EXPECT_EQ(*ParseCacheTtl("300"), 300s);
  EXPECT_EQ(*ParseCacheTtl(" 0 "), 0s);
  EXPECT_FALSE(ParseCacheTtl("5m").ok());
  EXPECT_FALSE(ParseCacheTtl("-1").ok());
  EXPECT_FALSE(ParseCacheTtl("").ok());
  EXPECT_FALSE(ParseCacheTtl("999999999").ok());
}

TEST(GuardrailOptionsTest, OnlyTagsApplyByDefault) {
  RateLimitOptions options;
  EXPECT_TRUE(options.enabled());  // for the tools whose tags ask
  options.tool_tags = false;
  EXPECT_FALSE(options.enabled());
  options.max_concurrent_per_tool = 2;
  EXPECT_TRUE(options.enabled());
  EXPECT_FALSE(CircuitBreakerOptions{}.enabled);
  ResultCacheOptions cache;
  cache.tool_tags = false;
  EXPECT_FALSE(cache.enabled());
  cache.tools.push_back({.glob = "report-*", .ttl = 60s});
  EXPECT_TRUE(cache.enabled());
}

}  // namespace
}  // namespace lmcp::catalog
