// Fire-and-forget tools (mcp:invocation-type=Event) through the composed chain: the Invoke asks Lambda to
// queue the event, the result says it was accepted with Lambda's request id, the audit outcome is
// "accepted", the limit is Lambda's asynchronous one, and the result cache never serves such a call.

#include <gtest/gtest.h>

#include "catalog/call/compose.h"
#include "catalog/guardrail_options.h"
#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/catalog/test_call_context.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {
namespace {

// One tool, "notify", for function mcp-notify (an Event tool, also tagged cacheable).
class EventTool final : public ToolDirectory {
 public:
  EventTool() {
    auto e = std::make_shared<ToolEntry>();
    e->definition.name = "notify";
    e->function.name = "mcp-notify";
    e->function.arn = "arn:aws:lambda:us-east-1:123456789012:function:mcp-notify";
    e->qualifier = "live";
    e->invocation_type = InvocationType::kEvent;
    e->tags = {{"mcp:invocation-type", "Event"}, {std::string(kCacheTtlTag), "300"}};
    entry_ = e;
  }
  Result<std::shared_ptr<const ToolEntry>> Find(const std::string& tool) override {
    if (tool != "notify") {
      return Error::NotFound("Unknown tool: " + tool);
    }
    return entry_;
  }

 private:
  std::shared_ptr<const ToolEntry> entry_;
};

class EventInvokeTest : public ::testing::Test {
 protected:
  EventInvokeTest() {
    backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
      return InvokeResponse{.status = 202, .request_id = "rid-1"};
    });
  }
  CallChain Compose() {
    CatalogOptions options;
    options.log_tail = true;
    return ComposeCallChain(options,
                            {.tools = tools_, .clock = clock_, .auditor = &auditor_, .backend = &backend_});
  }
  CallResult Call(const CallChain& chain, mcp::Json arguments, mcp::CallContext& ctx) {
    LambdaCall call("notify", std::move(arguments), ctx, clock_.Steady());
    return chain.Run(call);
  }
  std::uint64_t Counter(const CallChain& chain, const std::string& name) {
    for (const auto& [n, v] : chain.Counters()) {
      if (n == name) {
        return v;
      }
    }
    return 999;
  }

  EventTool tools_;
  FakeLambdaBackend backend_;
  FakeClock clock_;
  MemoryAuditSink sink_;
  CallAuditor auditor_{sink_, clock_};
};

TEST_F(EventInvokeTest, TheInvokeIsQueuedAndTheResultSaysAccepted) {
  auto chain = Compose();
  TestCallContext ctx;  // 2025-11-25: structured content
  auto result = Call(chain, mcp::Json{{"to", "ops"}}, ctx);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_FALSE(result->is_error);
  EXPECT_EQ(
      result->content,
      mcp::Json::parse(R"([{"type":"text","text":"Accepted: mcp-notify:live was invoked asynchronously )"
                       R"((InvocationType=Event), request id rid-1; its result is not returned."}])"));
  EXPECT_EQ(result->structured_content,
            (mcp::Json{{"accepted", true}, {"requestId", "rid-1"}, {"invocationType", "Event"}}));
  auto invokes = backend_.invokes();
  ASSERT_EQ(invokes.size(), 1u);
  EXPECT_EQ(invokes[0].type, InvocationType::kEvent);
  EXPECT_EQ(invokes[0].payload, R"({"to":"ops"})");
  EXPECT_FALSE(invokes[0].log_tail);  // Lambda has no log tail for an asynchronous invoke
  auto line = mcp::Json::parse(sink_.lines().at(0));
  EXPECT_EQ(line["outcome"], "accepted");
  EXPECT_EQ(line["request_id"], "rid-1");
  EXPECT_EQ(Counter(chain, "invoke.accepted"), 1u);

  TestCallContext old("2025-03-26");  // before structured content: the text alone
  auto plain = Call(chain, mcp::Json{{"to", "ops"}}, old);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->structured_content.has_value());
}

TEST_F(EventInvokeTest, NeverServedFromTheCache) {
  auto chain = Compose();
  TestCallContext ctx;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Call(chain, mcp::Json{{"to", "ops"}}, ctx).ok());
  }
  EXPECT_EQ(backend_.invoke_calls.load(), 3);  // the same arguments three times, three Invokes
  EXPECT_EQ(Counter(chain, "result_cache.stores"), 0u);
  EXPECT_EQ(Counter(chain, "result_cache.hits"), 0u);
}

TEST_F(EventInvokeTest, TheAsynchronousPayloadLimitIsOneMegabyte) {
  auto chain = Compose();
  TestCallContext ctx;
  auto big = Call(chain, mcp::Json{{"x", std::string(kMaxEventInvokePayloadBytes, 'a')}}, ctx);
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->is_error);
  EXPECT_NE(big->content[0]["text"].get<std::string>().find(
                "over Lambda's 1 MB (1048576 bytes) limit for asynchronous (Event) invocation; the function "
                "was not invoked."),
            std::string::npos)
      << big->content.dump();
  EXPECT_EQ(backend_.invoke_calls.load(), 0);
  EXPECT_EQ(mcp::Json::parse(sink_.lines().at(0))["outcome"], "too_large");
  // Just under the limit goes through.
  std::string fits(kMaxEventInvokePayloadBytes - 64, 'a');
  EXPECT_FALSE(Call(chain, mcp::Json{{"x", fits}}, ctx)->is_error);
  EXPECT_EQ(backend_.invoke_calls.load(), 1);
}

// An Event invoke Lambda refused (not found, throttled) is an error like any other; never re-sent.
TEST_F(EventInvokeTest, ARefusedEventInvokeIsAnErrorSentOnce) {
  backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error{ErrorCode::kResourceExhausted, "TooManyRequestsException: Rate Exceeded."};
  });
  auto chain = Compose();
  TestCallContext ctx;
  auto result = Call(chain, mcp::Json::object(), ctx);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->is_error);
  EXPECT_EQ(backend_.invoke_calls.load(), 1);
  EXPECT_EQ(mcp::Json::parse(sink_.lines().at(0))["outcome"], "throttled");
}

}  // namespace
}  // namespace lmcp::catalog
