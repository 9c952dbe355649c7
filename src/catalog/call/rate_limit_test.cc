#include "catalog/call/rate_limit.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "catalog/call/invoke_function.h"
#include "catalog/call/resolve_tool.h"
#include "tests/support/catalog/chain_harness.h"

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;

Rate R(const char* text) { return ParseRate(text).value(); }

std::string Text(const CallResult& r) { return r->content.at(0).at("text").get<std::string>(); }

TEST(InMemoryRateLimitStoreTest, BucketStartsFullRefillsAndNeverHoldsMoreThanItsBurst) {
  FakeClock clock;
  InMemoryRateLimitStore store;
  const std::vector<BucketRequest> bucket{{"k", R("10/s,burst=3")}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(store.TakeAll(bucket, clock.Steady()).ok()) << i;
  }
  TakeOutcome refused = store.TakeAll(bucket, clock.Steady());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.denied, 0u);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(refused.retry_after), 100ms);
  clock.Advance(100ms);
  EXPECT_TRUE(store.TakeAll(bucket, clock.Steady()).ok());
  EXPECT_FALSE(store.TakeAll(bucket, clock.Steady()).ok());
  clock.Advance(10s);  // refills to the burst, not to 100
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(store.TakeAll(bucket, clock.Steady()).ok()) << i;
  }
  EXPECT_FALSE(store.TakeAll(bucket, clock.Steady()).ok());
}

TEST(InMemoryRateLimitStoreTest, PerMinuteRate) {
  FakeClock clock;
  InMemoryRateLimitStore store;
  const std::vector<BucketRequest> bucket{{"k", R("2/m")}};
  EXPECT_TRUE(store.TakeAll(bucket, clock.Steady()).ok());
  EXPECT_TRUE(store.TakeAll(bucket, clock.Steady()).ok());
  TakeOutcome refused = store.TakeAll(bucket, clock.Steady());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(refused.retry_after), 30s);
  clock.Advance(29s);
  EXPECT_FALSE(store.TakeAll(bucket, clock.Steady()).ok());
  clock.Advance(1s);
  EXPECT_TRUE(store.TakeAll(bucket, clock.Steady()).ok());
}

TEST(InMemoryRateLimitStoreTest, TakesFromEveryBucketOrFromNone) {
  FakeClock clock;
  InMemoryRateLimitStore store;
  std::vector<BucketRequest> both{{"wide", R("5/s")}, {"narrow", R("1/s")}};
  EXPECT_TRUE(store.TakeAll(both, clock.Steady()).ok());
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(store.TakeAll(both, clock.Steady()).denied, 1u);  // narrow is empty: wide keeps its tokens
  }
  std::vector<BucketRequest> wide{{"wide", R("5/s")}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(store.TakeAll(wide, clock.Steady()).ok()) << i;
  }
  EXPECT_FALSE(store.TakeAll(wide, clock.Steady()).ok());
}

TEST(InMemoryRateLimitStoreTest, DropsIdleBucketsBeyondItsBound) {
  FakeClock clock;
  InMemoryRateLimitStore store(/*max_buckets=*/4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store.TakeAll({{"p" + std::to_string(i), R("1/s")}}, clock.Steady()).ok());
  }
  clock.Advance(1s);  // all four are full again
  ASSERT_TRUE(store.TakeAll({{"new", R("1/s")}}, clock.Steady()).ok());
  EXPECT_EQ(store.size(), 1u);
}

TEST(RateLimitMessageTest, NamesTheLimitAndTheWait) {
  EXPECT_EQ(RateLimitMessage("per-principal", R("10/s"), 350ms),
            "rate limit 'per-principal' (10/s) reached; retry in 0.4 s");
  EXPECT_EQ(RateLimitMessage("global", R("100/m,burst=10"), 1ns),
            "rate limit 'global' (100/m,burst=10) reached; retry in 0.1 s");
}

class RateLimitChainTest : public ::testing::Test {
 protected:
  RateLimitChainTest() { h_.tools.Add("echo"); }
  CallChain Compose(RateLimitOptions limits) {
    CatalogOptions options;
    options.guardrails.rate_limits = std::move(limits);
    options.guardrails.cache.tool_tags = false;
    return h_.Compose(options);
  }
  ChainHarness h_;
};

TEST_F(RateLimitChainTest, OnePrincipalOverItsLimitIsRefusedAnotherIsNot) {
  auto chain = Compose({.per_principal = R("2/s")});
  EXPECT_FALSE(h_.Call(chain, "echo", {}, "alice")->is_error);
  EXPECT_FALSE(h_.Call(chain, "echo", {}, "alice")->is_error);
  auto refused = h_.Call(chain, "echo", {}, "alice");
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(refused->is_error);
  EXPECT_EQ(
      Text(refused),
      "rate limit 'per-principal' (2/s) reached; retry in 0.5 s (tool echo; the function was not invoked)");
  EXPECT_EQ(h_.invokes(), 2);
  auto line = h_.last_audit();
  EXPECT_EQ(line["outcome"], "throttled");
  EXPECT_EQ(line["principal"], "alice");
  EXPECT_EQ(line["detail"], "rate limit 'per-principal' (2/s) reached; retry in 0.5 s");

  EXPECT_FALSE(h_.Call(chain, "echo", {}, "bob")->is_error);  // bob has a bucket of his own
  EXPECT_EQ(h_.invokes(), 3);
  h_.clock.Advance(500ms);
  EXPECT_FALSE(h_.Call(chain, "echo", {}, "alice")->is_error);
  EXPECT_EQ(CounterValue(chain.Counters(), "rate_limit.refused_per_principal"), 1);
  EXPECT_EQ(CounterValue(chain.Counters(), "rate_limit.allowed"), 4);
}

TEST_F(RateLimitChainTest, PrincipalGlobsOverrideTheDefault) {
  auto chain = Compose({.per_principal = R("1/s"), .principals = {{"token:ci-*", R("3/s")}}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(h_.Call(chain, "echo", {}, "token:ci-build")->is_error) << i;
  }
  EXPECT_TRUE(h_.Call(chain, "echo", {}, "token:ci-build")->is_error);
  EXPECT_FALSE(h_.Call(chain, "echo", {}, "token:dev")->is_error);
  EXPECT_TRUE(h_.Call(chain, "echo", {}, "token:dev")->is_error);
}

TEST_F(RateLimitChainTest, AToolsTagSetsItsOwnLimitAndABadTagIsIgnored) {
  h_.tools.Add("slow", {{"mcp:rate-limit", "1/m"}});
  h_.tools.Add("broken", {{"mcp:rate-limit", "lots"}});
  auto chain = Compose({});  // nothing configured: the tags alone
  EXPECT_FALSE(h_.Call(chain, "slow")->is_error);
  auto refused = h_.Call(chain, "slow", {}, "bob");  // per tool: every principal shares it
  EXPECT_TRUE(refused->is_error);
  EXPECT_NE(Text(refused).find("rate limit 'per-tool' (1/m) reached; retry in 60.0 s"), std::string::npos);
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(h_.Call(chain, "broken")->is_error);
    EXPECT_FALSE(h_.Call(chain, "echo")->is_error);
  }
  EXPECT_EQ(CounterValue(chain.Counters(), "rate_limit.bad_tags"), 5);
  EXPECT_EQ(h_.invokes(), 11);
}

TEST_F(RateLimitChainTest, ToolGlobsTargetAndGlobalBuckets) {
  h_.tools.Add("report-a");
  h_.tools.Add("report-b").target = "prod";
  h_.tools.Add("third").target = "dev";
  h_.tools.Add("fourth").target = "qa";
  auto chain = Compose({.global = R("3/s"), .per_target = R("1/s"), .tools = {{"report-*", R("1/m")}}});
  EXPECT_FALSE(h_.Call(chain, "report-a")->is_error);
  EXPECT_NE(Text(h_.Call(chain, "report-a", {}, "bob")).find("'per-tool' (1/m)"), std::string::npos);
  EXPECT_NE(Text(h_.Call(chain, "echo")).find("'per-target' (1/s)"), std::string::npos);
  EXPECT_FALSE(h_.Call(chain, "report-b")->is_error);  // another target, another tool
  EXPECT_FALSE(h_.Call(chain, "third")->is_error);
  EXPECT_NE(Text(h_.Call(chain, "fourth")).find("'global' (3/s)"), std::string::npos);
  EXPECT_EQ(h_.invokes(), 3);
  h_.clock.Advance(1s);
  EXPECT_FALSE(h_.Call(chain, "fourth")->is_error);
  const auto counters = chain.Counters();
  EXPECT_EQ(CounterValue(counters, "rate_limit.refused_per_tool"), 1);
  EXPECT_EQ(CounterValue(counters, "rate_limit.refused_per_target"), 1);
  EXPECT_EQ(CounterValue(counters, "rate_limit.refused_global"), 1);
}

// A chain of ResolveTool, RateLimiter and InvokeFunction, the limiter kept for its in-flight counts.
struct LimiterChain {
  LimiterChain(ChainHarness& h, RateLimitOptions options) {
    auto stage = std::make_unique<RateLimiter>(std::move(options), h.clock, nullptr);
    limiter = stage.get();
    chain.Add(std::make_unique<ResolveTool>(h.tools));
    chain.Add(std::move(stage));
    chain.Add(std::make_unique<InvokeFunction>(&h.backend, h.clock));
  }
  CallChain chain;
  RateLimiter* limiter = nullptr;
};

TEST_F(RateLimitChainTest, ConcurrencySlotsAreReleasedOnEveryPath) {
  LimiterChain lc(h_, {.max_concurrent_per_principal = 1, .max_concurrent_per_tool = 1});
  auto check_released = [&](const char* path) {
    EXPECT_EQ(lc.limiter->in_flight_of_principal("alice"), 0) << path;
    EXPECT_EQ(lc.limiter->in_flight_of_tool("echo"), 0) << path;
  };
  EXPECT_TRUE(h_.Call(lc.chain, "echo").ok());
  check_released("success");
  h_.backend.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return InvokeResponse{.function_error = "Unhandled", .payload = "{}"};
  });
  EXPECT_TRUE(h_.Call(lc.chain, "echo").ok());
  check_released("function error");
  h_.backend.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::Unavailable("ServiceException: boom");
  });
  EXPECT_TRUE(h_.Call(lc.chain, "echo").ok());
  check_released("AWS error");
  h_.backend.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::Cancelled("stopped");
  });
  EXPECT_FALSE(h_.Call(lc.chain, "echo").ok());
  check_released("cancelled");
  EXPECT_EQ(h_.invokes(), 4);
}

TEST_F(RateLimitChainTest, ConcurrencyCapsRefuseWhileTheSlotIsHeld) {
  h_.tools.Add("other");
  LimiterChain lc(h_, {.max_concurrent_per_principal = 1, .max_concurrent_per_tool = 1});
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> first{true};
  h_.backend.SetInvokeHandler([&](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    if (first.exchange(false)) {  // alice's call of echo
      entered.set_value();
      released.wait();
    }
    return InvokeResponse{.payload = "{}"};
  });
  auto held = std::async(std::launch::async, [&] { return h_.Call(lc.chain, "echo", {}, "alice"); });
  entered.get_future().wait();
  auto same_principal = h_.Call(lc.chain, "other", {}, "alice");
  EXPECT_EQ(
      Text(same_principal),
      "concurrency limit 'concurrent-per-principal' (1 calls at once) reached; retry when one of them has "
      "finished (tool other; the function was not invoked)");
  auto same_tool = h_.Call(lc.chain, "echo", {}, "bob");
  EXPECT_NE(Text(same_tool).find("'concurrent-per-tool'"), std::string::npos);
  EXPECT_FALSE(h_.Call(lc.chain, "other", {}, "bob")->is_error);
  release.set_value();
  EXPECT_FALSE(held.get()->is_error);
  EXPECT_FALSE(h_.Call(lc.chain, "echo", {}, "bob")->is_error);
  EXPECT_EQ(h_.invokes(), 3);
  EXPECT_EQ(lc.limiter->in_flight_of_principal("alice"), 0);
}

// Lambda's own throttling: the same `throttled` outcome, counted apart, and a text that is not about size.
TEST_F(RateLimitChainTest, LambdasThrottlingIsThrottledNotTooLarge) {
  auto chain = Compose({});
  h_.backend.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::ResourceExhausted(
        "TooManyRequestsException: Rate Exceeded. (reason ReservedFunctionConcurrentInvocationLimitExceeded) "
        "(request id r-1)");
  });
  auto throttled = h_.Call(chain, "echo");
  EXPECT_TRUE(throttled->is_error);
  EXPECT_NE(Text(throttled).find("throttled by Lambda"), std::string::npos) << Text(throttled);
  EXPECT_NE(Text(throttled).find("reserved concurrency"), std::string::npos) << Text(throttled);
  EXPECT_EQ(Text(throttled).find("too large"), std::string::npos) << Text(throttled);
  EXPECT_EQ(h_.last_audit()["outcome"], "throttled");
  EXPECT_EQ(CounterValue(chain.Counters(), "rate_limit.lambda_throttled"), 1);
  EXPECT_EQ(CounterValue(chain.Counters(), "invoke.throttled"), 1);

  h_.backend.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::ResourceExhausted("RequestTooLargeException: Request must be smaller than 6291456 bytes");
  });
  auto large = h_.Call(chain, "echo");
  EXPECT_NE(Text(large).find("too large"), std::string::npos) << Text(large);
  EXPECT_EQ(Text(large).find("throttled"), std::string::npos) << Text(large);
  EXPECT_EQ(h_.last_audit()["outcome"], "error");
  EXPECT_EQ(CounterValue(chain.Counters(), "rate_limit.lambda_throttled"), 1);
}

// A shared bucket store that is down (state/redis_rate_limit_store.h against a dead Redis).
class DownStore final : public RateLimitStore {
 public:
  TakeOutcome TakeAll(const std::vector<BucketRequest>&, Clock::SteadyTime) override {
    return TakeOutcome{.store_error = "redis redis://127.0.0.1:1/0 unreachable"};
  }
};

TEST(RateLimitStoreDownTest, FailsClosedByDefaultAndOpenWhenConfigured) {
  for (bool open : {false, true}) {
    ChainHarness h;
    h.tools.Add("echo");
    CatalogOptions options;
    options.guardrails.rate_limits = {.per_principal = R("10/s"), .fail_open = open};
    options.guardrails.cache.tool_tags = false;
    auto chain = ComposeCallChain(options, {.tools = h.tools,
                                            .clock = h.clock,
                                            .auditor = &h.auditor,
                                            .backend = &h.backend,
                                            .rate_limit_store = std::make_shared<DownStore>()});
    auto result = h.Call(chain, "echo");
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(CounterValue(chain.Counters(), "rate_limit.store_errors"), 1) << open;
    if (open) {
      EXPECT_FALSE(result->is_error);
      EXPECT_EQ(h.invokes(), 1);
    } else {
      EXPECT_TRUE(result->is_error);
      EXPECT_EQ(Text(result),
                "the rate limit store is unavailable, so the call was refused; retry later (tool echo; the "
                "function was not invoked)");
      EXPECT_EQ(h.invokes(), 0);
      EXPECT_EQ(h.last_audit()["outcome"], "throttled");
    }
  }
}

}  // namespace
}  // namespace lmcp::catalog
