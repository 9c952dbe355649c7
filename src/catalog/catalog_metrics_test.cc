#include "catalog/catalog_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/catalog/test_call_context.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CatalogMetricsTest : public ::testing::Test {
 protected:
  CatalogMetricsTest() {
    backend_.AddFunction("mcp-echo", "Echo");
    backend_.AddFunction("mcp-other", "Other");
    auto options = LoadCatalogOptions({.env = {{"FUNCTION_PREFIX", "mcp-"}}});
    EXPECT_TRUE(options.ok());
    catalog_ = std::make_unique<LambdaCatalog>(*options, backend_, clock_, &audit_, &registry_);
  }

  FakeLambdaBackend backend_;
  FakeClock clock_;
  MemoryAuditSink audit_;
  metrics::Registry registry_;
  std::unique_ptr<LambdaCatalog> catalog_;
};

TEST_F(CatalogMetricsTest, DiscoveryStagesAndBreakersAreReadAtScrapeTime) {
  std::vector<BreakerGauge> breakers;
  AddCatalogCollectors(registry_, *catalog_, {.breakers = [&] { return breakers; }});
  backend_.FailListFunctions(Error::Unavailable("down"));
  EXPECT_FALSE(catalog_->DiscoverNow().ok());
  backend_.FailListFunctions(std::nullopt);
  ASSERT_TRUE(catalog_->DiscoverNow().ok());
  TestCallContext ctx;
  ASSERT_TRUE(catalog_->CallTool("echo", mcp::Json::object(), ctx).ok());
  breakers.push_back({"default", "mcp-echo", "", BreakerGauge::State::kOpen});

  const std::string text = registry_.Expose();
  EXPECT_THAT(text, HasSubstr("lambda_mcp_discovery_runs_total{target=\"default\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("lambda_mcp_discovery_failures_total{target=\"default\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lambda_mcp_target_up{target=\"default\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lambda_mcp_tools{target=\"default\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("lambda_mcp_call_stage_events_total{stage=\"invoke\",counter=\"invoked\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lambda_mcp_call_stage_events_total{stage=\"audit\",counter=\"lines\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("lambda_mcp_tool_calls_total{tool=\"echo\",target=\"default\",outcome=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE lambda_mcp_circuit_breaker_state gauge\n"
                              "lambda_mcp_circuit_breaker_state{target=\"default\",function=\"mcp-echo\","
                              "qualifier=\"\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE lambda_mcp_aws_retries_total counter\n"));  // the fake never retries
  // The result_cache stage is in the default chain (mcp:cache-ttl tags work without configuration).
  EXPECT_THAT(text, HasSubstr("lambda_mcp_cache_hits_total 0\n"));
}

}  // namespace
}  // namespace lmcp::catalog
