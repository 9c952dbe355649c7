#include "catalog/call/record_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/call/compose.h"
#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/catalog/test_call_context.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

class OneTool final : public ToolDirectory {
 public:
  OneTool() {
    auto e = std::make_shared<ToolEntry>();
    e->definition.name = "echo";
    e->function.name = "mcp-echo";
    e->function.arn = "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo";
    entry_ = e;
  }
  Result<std::shared_ptr<const ToolEntry>> Find(const std::string& tool) override {
    if (tool != "echo") {
      return Error::NotFound("Unknown tool: " + tool);
    }
    return entry_;
  }

 private:
  std::shared_ptr<const ToolEntry> entry_;
};

class RecordMetricsTest : public ::testing::Test {
 protected:
  CallResult Call(const std::string& tool, mcp::Json arguments) {
    TestCallContext ctx;
    LambdaCall call(tool, std::move(arguments), ctx, clock_.Steady());
    return BlockOn(chain_.Run(call));
  }

  FakeClock clock_;
  OneTool tools_;
  FakeLambdaBackend backend_;
  MemoryAuditSink sink_;
  CallAuditor auditor_{sink_, clock_};
  metrics::Registry registry_;
  CallMetrics metrics_ = CallMetrics::Register(registry_);
  CallChain chain_ = ComposeCallChain(
      CatalogOptions{},
      {.tools = tools_, .clock = clock_, .auditor = &auditor_, .backend = &backend_, .metrics = &metrics_});
};

TEST_F(RecordMetricsTest, WrapsTheAuditStage) {
  auto names = chain_.StageNames();
  auto at = [&](std::string_view n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
  EXPECT_EQ(at("record_metrics") + 1, at("audit"));
}

TEST_F(RecordMetricsTest, CountsCallsByOutcomeWithBothLatencies) {
  backend_.SetInvokeHandler([this](const InvokeRequest& req, std::stop_token) -> Result<InvokeResponse> {
    EXPECT_EQ(metrics_.in_flight.value(), 1);
    clock_.Advance(2s);  // the Invoke takes 2 s; the chain around it nothing
    InvokeResponse r;
    r.payload = req.payload;
    return r;
  });
  ASSERT_TRUE(Call("echo", mcp::Json{{"a", 1}}).ok());
  ASSERT_TRUE(Call("echo", mcp::Json::array()).ok());    // not an object: invalid_arguments, not invoked
  ASSERT_FALSE(Call("nope", mcp::Json::object()).ok());  // unknown: neither audited nor counted
  EXPECT_EQ(metrics_.in_flight.value(), 0);
  const std::string text = registry_.Expose();
  EXPECT_THAT(text,
              HasSubstr("lambda_mcp_tool_calls_total{tool=\"echo\",target=\"default\",outcome=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lambda_mcp_tool_calls_total{tool=\"echo\",target=\"default\",outcome="
                              "\"invalid_arguments\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("nope")));
  EXPECT_THAT(text,
              HasSubstr("lambda_mcp_tool_call_duration_seconds_count{tool=\"echo\",target=\"default\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("lambda_mcp_tool_call_duration_seconds_sum{tool=\"echo\",target=\"default\"} 2\n"));
  // Only the invoked call, in the 2.5 s bucket and not the 1 s one.
  EXPECT_THAT(
      text,
      HasSubstr("lambda_mcp_lambda_invoke_duration_seconds_count{tool=\"echo\",target=\"default\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("lambda_mcp_lambda_invoke_duration_seconds_bucket{tool=\"echo\",target=\"default\","
                        "le=\"1\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("lambda_mcp_lambda_invoke_duration_seconds_bucket{tool=\"echo\",target=\"default\","
                        "le=\"2.5\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("lambda_mcp_throttles_total{")));
}

TEST_F(RecordMetricsTest, LambdasThrottleIsCountedAsLambdas) {
  backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::ResourceExhausted("TooManyRequestsException: Rate exceeded (reserved concurrency)");
  });
  ASSERT_TRUE(Call("echo", mcp::Json::object()).ok());
  const std::string text = registry_.Expose();
  EXPECT_THAT(
      text, HasSubstr("lambda_mcp_throttles_total{source=\"lambda\",tool=\"echo\",target=\"default\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("lambda_mcp_tool_calls_total{tool=\"echo\",target=\"default\",outcome=\"throttled\"} 1\n"));
}

TEST_F(RecordMetricsTest, SeesTheOutcomeTheAuditLineGets) {
  backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    InvokeResponse r;
    r.function_error = "Unhandled";
    r.payload = R"({"errorMessage":"boom"})";
    return r;
  });
  ASSERT_TRUE(Call("echo", mcp::Json::object()).ok());
  auto line = mcp::Json::parse(sink_.lines().at(0));
  EXPECT_EQ(line["outcome"], "function_error");
  EXPECT_THAT(registry_.Expose(), HasSubstr("outcome=\"function_error\"} 1\n"));
}

}  // namespace
}  // namespace lmcp::catalog
