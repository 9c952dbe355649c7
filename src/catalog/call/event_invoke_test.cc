// Fire-and-forget tools (mcp:invocation-type=Event) through the composed chain: the Invoke asks Lambda to
// queue the event, the result says it was accepted with Lambda's request id, the audit outcome is
// "accepted", the limit is Lambda's asynchronous one, and the result cache never serves such a call.

#include <gtest/gtest.h>

#include "catalog/guardrail_options.h"
#include "tests/support/catalog/chain_harness.h"

namespace lmcp::catalog {
namespace {

class EventInvokeTest : public ::testing::Test {
 protected:
  EventInvokeTest() {
    // An Event tool, also tagged cacheable: the tag must not make its calls cached.
    ToolEntry& e =
        h_.tools.Add("mcp-notify", {{"mcp:invocation-type", "Event"}, {std::string(kCacheTtlTag), "300"}});
    e.qualifier = "live";
    e.invocation_type = InvocationType::kEvent;
    h_.backend.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
      return InvokeResponse{.status = 202, .request_id = "rid-1"};
    });
    CatalogOptions options;
    options.log_tail = true;
    chain_ = h_.Compose(options);
  }
  CallResult Call(mcp::Json arguments, const std::string& version = "2025-11-25") {
    TestCallContext ctx(version);
    LambdaCall call("mcp-notify", std::move(arguments), ctx, h_.clock.Steady());
    return BlockOn(chain_.Run(call));
  }

  ChainHarness h_;
  CallChain chain_;
};

TEST_F(EventInvokeTest, TheInvokeIsQueuedAndTheResultSaysAccepted) {
  auto result = Call(mcp::Json{{"to", "ops"}});  // 2025-11-25: structured content
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_FALSE(result->is_error);
  EXPECT_EQ(
      result->content,
      mcp::Json::parse(R"([{"type":"text","text":"Accepted: mcp-notify:live was invoked asynchronously )"
                       R"((InvocationType=Event), request id rid-1; its result is not returned."}])"));
  EXPECT_EQ(result->structured_content,
            (mcp::Json{{"accepted", true}, {"requestId", "rid-1"}, {"invocationType", "Event"}}));
  auto invokes = h_.backend.invokes();
  ASSERT_EQ(invokes.size(), 1u);
  EXPECT_EQ(invokes[0].type, InvocationType::kEvent);
  EXPECT_EQ(invokes[0].payload, R"({"to":"ops"})");
  EXPECT_FALSE(invokes[0].log_tail);  // Lambda has no log tail for an asynchronous invoke
  EXPECT_EQ(h_.last_audit()["outcome"], "accepted");
  EXPECT_EQ(h_.last_audit()["request_id"], "rid-1");
  EXPECT_EQ(CounterValue(chain_.Counters(), "invoke.accepted"), 1);

  auto plain = Call(mcp::Json{{"to", "ops"}}, "2025-03-26");  // before structured content: the text alone
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->structured_content.has_value());
}

TEST_F(EventInvokeTest, NeverServedFromTheCache) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Call(mcp::Json{{"to", "ops"}}).ok());
  }
  EXPECT_EQ(h_.invokes(), 3);  // the same arguments three times, three Invokes
  EXPECT_EQ(CounterValue(chain_.Counters(), "result_cache.stores"), 0);
  EXPECT_EQ(CounterValue(chain_.Counters(), "result_cache.hits"), 0);
}

TEST_F(EventInvokeTest, TheAsynchronousPayloadLimitIsOneMegabyte) {
  auto big = Call(mcp::Json{{"x", std::string(kMaxEventInvokePayloadBytes, 'a')}});
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->is_error);
  EXPECT_NE(big->content[0]["text"].get<std::string>().find(
                "over Lambda's 1 MB (1048576 bytes) limit for asynchronous (Event) invocation; the function "
                "was not invoked."),
            std::string::npos)
      << big->content.dump();
  EXPECT_EQ(h_.invokes(), 0);
  EXPECT_EQ(h_.last_audit()["outcome"], "too_large");
  // Just under the limit goes through.
  EXPECT_FALSE(Call(mcp::Json{{"x", std::string(kMaxEventInvokePayloadBytes - 64, 'a')}})->is_error);
  EXPECT_EQ(h_.invokes(), 1);
}

// An Event invoke Lambda refused (throttled, not found) is an error like any other, and is sent once.
TEST_F(EventInvokeTest, ARefusedEventInvokeIsAnErrorSentOnce) {
  h_.backend.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error{ErrorCode::kResourceExhausted, "TooManyRequestsException: Rate Exceeded."};
  });
  auto result = Call(mcp::Json::object());
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->is_error);
  EXPECT_EQ(h_.invokes(), 1);
  EXPECT_EQ(h_.last_audit()["outcome"], "throttled");
}

}  // namespace
}  // namespace lmcp::catalog
