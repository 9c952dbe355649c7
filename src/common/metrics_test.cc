#include "common/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace lmcp::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsExpositionTest, CounterWithLabelsHasHelpTypeAndEscapedValues) {
  Registry registry;
  auto& calls = registry.AddCounter("lambda_mcp_tool_calls_total", "Tool calls.\nBy outcome \\ tool.",
                                    {"tool", "outcome"});
  calls.WithLabels({"say_hi", "ok"}).Inc();
  calls.WithLabels({"say_hi", "ok"}).Inc(2);
  calls.WithLabels({"we\"ird\\na\nme", "error"}).Inc();
  EXPECT_EQ(registry.Expose(),
            "# HELP lambda_mcp_tool_calls_total Tool calls.\\nBy outcome \\\\ tool.\n"
            "# TYPE lambda_mcp_tool_calls_total counter\n"
            "lambda_mcp_tool_calls_total{tool=\"say_hi\",outcome=\"ok\"} 3\n"
            "lambda_mcp_tool_calls_total{tool=\"we\\\"ird\\\\na\\nme\",outcome=\"error\"} 1\n");
}

TEST(MetricsExpositionTest, GaugeWithoutLabels) {
  Registry registry;
  auto& g = registry.AddGauge("lambda_mcp_in_flight_calls", "Calls running now.");
  g.WithLabels({}).Add(3);
  g.WithLabels({}).Add(-1);
  EXPECT_THAT(registry.Expose(), HasSubstr("\n# TYPE lambda_mcp_in_flight_calls gauge\n"
                                           "lambda_mcp_in_flight_calls 2\n"));
}

TEST(MetricsExpositionTest, FamilyWithoutSeriesHasOnlyItsHeader) {
  Registry registry;
  registry.AddCounter("x_total", "X.", {"a"});
  EXPECT_EQ(registry.Expose(), "# HELP x_total X.\n# TYPE x_total counter\n");
}

TEST(MetricsHistogramTest, BucketsAreCumulativeAndLessOrEqual) {
  Registry registry;
  auto& h = registry.AddHistogram("d_seconds", "D.", {"tool"}, {0.1, 1, 2.5});
  auto& s = h.WithLabels({"t"});
  s.Observe(0.1);  // on a bound: that bucket (le is "less than or equal")
  s.Observe(0.5);
  s.Observe(2.5);
  s.Observe(7);  // beyond the last bound: only +Inf
  EXPECT_EQ(registry.Expose(),
            "# HELP d_seconds D.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{tool=\"t\",le=\"0.1\"} 1\n"
            "d_seconds_bucket{tool=\"t\",le=\"1\"} 2\n"
            "d_seconds_bucket{tool=\"t\",le=\"2.5\"} 3\n"
            "d_seconds_bucket{tool=\"t\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{tool=\"t\"} 10.1\n"
            "d_seconds_count{tool=\"t\"} 4\n");
}

TEST(MetricsHistogramTest, LatencyBucketsAscend) {
  auto b = LatencyBuckets();
  ASSERT_FALSE(b.empty());
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  EXPECT_EQ(b.front(), 0.001);
  EXPECT_EQ(b.back(), 60);
}

TEST(MetricsExpositionTest, ValuesFormatting) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(MetricsExpositionTest, NamesAreChecked) {
  EXPECT_TRUE(IsValidMetricName("lambda_mcp_x_total"));
  EXPECT_TRUE(IsValidMetricName("a:b"));
  EXPECT_FALSE(IsValidMetricName("1x"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("tool"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("__reserved"));
}

TEST(MetricsCollectorTest, CollectedFamiliesFollowRegisteredOnesAndMergeByName) {
  Registry registry;
  registry.AddCounter("a_total", "A.").WithLabels({}).Inc();
  registry.AddCollector([] {
    return std::vector<CollectedFamily>{
        {"b_bytes", "B.", Type::kGauge, {{{{"kind", "rss"}}, 1024}}},
    };
  });
  registry.AddCollector([] {
    return std::vector<CollectedFamily>{
        {"b_bytes", "B.", Type::kGauge, {{{{"kind", "v\"m"}}, 2}}},
    };
  });
  EXPECT_EQ(registry.Expose(),
            "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n"
            "# HELP b_bytes B.\n# TYPE b_bytes gauge\n"
            "b_bytes{kind=\"rss\"} 1024\n"
            "b_bytes{kind=\"v\\\"m\"} 2\n");
}

TEST(MetricsConcurrencyTest, UpdatesFromManyThreadsAreAllCounted) {
  Registry registry;
  auto& calls = registry.AddCounter("c_total", "C.", {"tool"});
  auto& h = registry.AddHistogram("h_seconds", "H.", {"tool"}, LatencyBuckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        calls.WithLabels({t % 2 == 0 ? "even" : "odd"}).Inc();
        h.WithLabels({"x"}).Observe(0.003);
        if (i % 1000 == 0) {
          (void)registry.Expose();  // scrapes while updating
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const std::string text = registry.Expose();
  EXPECT_THAT(text, HasSubstr("c_total{tool=\"even\"} 20000\n"));
  EXPECT_THAT(text, HasSubstr("c_total{tool=\"odd\"} 20000\n"));
  EXPECT_THAT(text, HasSubstr("h_seconds_count{tool=\"x\"} 40000\n"));
  EXPECT_THAT(text, HasSubstr("h_seconds_bucket{tool=\"x\",le=\"0.0025\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("h_seconds_bucket{tool=\"x\",le=\"0.005\"} 40000\n"));
  EXPECT_THAT(text, Not(HasSubstr("NaN")));
}

}  // namespace
}  // namespace lmcp::metrics
