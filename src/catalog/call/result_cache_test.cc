#include "catalog/call/result_cache.h"

#include <gtest/gtest.h>

#include "tests/support/catalog/chain_harness.h"

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const CachedResult> Stored(std::string payload) {
  return std::make_shared<CachedResult>(CachedResult{InvokeResponse{.payload = std::move(payload)}, {}});
}

TEST(InMemoryResultCacheTest, ExpiresOnTheClock) {
  FakeClock clock;
  InMemoryResultCache cache(10, 1 << 20, 1 << 20);
  cache.Put("k", Stored("v"), clock.Steady() + 300s);
  clock.Advance(299s);
  ASSERT_NE(cache.Get("k", clock.Steady()), nullptr);
  clock.Advance(1s);
  EXPECT_EQ(cache.Get("k", clock.Steady()), nullptr);
  EXPECT_EQ(cache.stats().expirations, 1u);
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(InMemoryResultCacheTest, EvictsTheLeastRecentlyUsedBeyondItsEntries) {
  FakeClock clock;
  InMemoryResultCache cache(2, 1 << 20, 1 << 20);
  const auto later = clock.Steady() + 1h;
  cache.Put("a", Stored("1"), later);
  cache.Put("b", Stored("2"), later);
  ASSERT_NE(cache.Get("a", clock.Steady()), nullptr);  // b is now the least recently used
  cache.Put("c", Stored("3"), later);
  EXPECT_NE(cache.Get("a", clock.Steady()), nullptr);
  EXPECT_EQ(cache.Get("b", clock.Steady()), nullptr);
  EXPECT_NE(cache.Get("c", clock.Steady()), nullptr);
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().entries, 2u);
}

TEST(InMemoryResultCacheTest, StaysWithinItsBytes) {
  FakeClock clock;
  // Each entry holds its payload and its key (1 byte): 100 + 1.
  InMemoryResultCache cache(100, 250, 150);
  const auto later = clock.Steady() + 1h;
  cache.Put("a", Stored(std::string(100, 'a')), later);
  cache.Put("b", Stored(std::string(100, 'b')), later);
  EXPECT_EQ(cache.stats().bytes, 202u);
  cache.Put("c", Stored(std::string(100, 'c')), later);  // a goes
  EXPECT_EQ(cache.stats().bytes, 202u);
  EXPECT_EQ(cache.Get("a", clock.Steady()), nullptr);
  cache.Put("d", Stored(std::string(200, 'd')), later);  // over max_entry_bytes: not stored, nothing evicted
  EXPECT_EQ(cache.Get("d", clock.Steady()), nullptr);
  EXPECT_EQ(cache.stats().too_large, 1u);
  EXPECT_EQ(cache.stats().entries, 2u);
  cache.Put("b", Stored("small"), later);  // a replacement gives its bytes back
  EXPECT_EQ(cache.stats().bytes, 101u + 6u);
}

TEST(IsCacheableResponseTest, OnlySuccessfulAnswers) {
  EXPECT_TRUE(IsCacheableResponse({.payload = R"({"total":3})"}));
  EXPECT_TRUE(IsCacheableResponse({.payload = "plain text"}));
  EXPECT_TRUE(
      IsCacheableResponse({.payload = R"({"content":[{"type":"text","text":"x"}],"isError":false})"}));
  EXPECT_FALSE(IsCacheableResponse({.function_error = "Handled", .payload = R"({"errorMessage":"x"})"}));
  EXPECT_FALSE(IsCacheableResponse({.status = 500, .payload = "{}"}));
  EXPECT_FALSE(
      IsCacheableResponse({.payload = R"({"content":[{"type":"text","text":"no"}],"isError":true})"}));
  EXPECT_FALSE(IsCacheableResponse({.payload = R"( {"resultType":"input_required","inputRequests":{}})"}));
}

class ResultCacheChainTest : public ::testing::Test {
 protected:
  CallChain Compose(ResultCacheOptions cache = {}) {
    CatalogOptions options;
    options.guardrails.cache = std::move(cache);
    options.guardrails.rate_limits.tool_tags = false;
    return h_.Compose(options);
  }
  ChainHarness h_;
};

TEST_F(ResultCacheChainTest, ATaggedToolIsInvokedOnceUntilItsTtlEnds) {
  h_.tools.Add("lookup", {{"mcp:cache-ttl", "300"}});
  auto chain = Compose();
  for (int i = 0; i < 100; ++i) {
    auto r = h_.Call(chain, "lookup", {{"b", 2}, {"a", 1}});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->is_error);
    EXPECT_EQ(r->structured_content, (mcp::Json{{"a", 1}, {"b", 2}}));  // the echo, mapped as usual
  }
  EXPECT_EQ(h_.invokes(), 1);
  auto line = h_.last_audit();
  EXPECT_EQ(line["outcome"], "cache_hit");
  EXPECT_EQ(line["response_bytes"], 13);
  EXPECT_NE(line["detail"].get<std::string>().find("the function was not invoked"), std::string::npos);
  auto counters = chain.Counters();
  EXPECT_EQ(CounterValue(counters, "result_cache.hits"), 99);
  EXPECT_EQ(CounterValue(counters, "result_cache.misses"), 1);
  EXPECT_EQ(CounterValue(counters, "result_cache.entries"), 1);
  EXPECT_EQ(CounterValue(counters, "invoke.invoked"), 1);

  ASSERT_TRUE(h_.Call(chain, "lookup", {{"a", 2}}).ok());  // other arguments, another entry
  EXPECT_EQ(h_.invokes(), 2);
  h_.clock.Advance(300s);
  ASSERT_TRUE(h_.Call(chain, "lookup", {{"a", 1}, {"b", 2}}).ok());
  EXPECT_EQ(h_.invokes(), 3);
  EXPECT_EQ(h_.last_audit()["outcome"], "ok");
}

TEST_F(ResultCacheChainTest, EntriesArePerPrincipalUnlessShared) {
  h_.tools.Add("mine", {{"mcp:cache-ttl", "60"}});
  h_.tools.Add("public", {{"mcp:cache-ttl", "60"}, {"mcp:cache-shared", "true"}});
  auto chain = Compose();
  ASSERT_TRUE(h_.Call(chain, "mine", {}, "alice").ok());
  ASSERT_TRUE(h_.Call(chain, "mine", {}, "bob").ok());
  ASSERT_TRUE(h_.Call(chain, "mine", {}, "alice").ok());
  EXPECT_EQ(h_.invokes(), 2);
  ASSERT_TRUE(h_.Call(chain, "public", {}, "alice").ok());
  ASSERT_TRUE(h_.Call(chain, "public", {}, "bob").ok());
  EXPECT_EQ(h_.invokes(), 3);
  EXPECT_EQ(h_.last_audit()["outcome"], "cache_hit");
  EXPECT_EQ(h_.last_audit()["principal"], "bob");
}

TEST_F(ResultCacheChainTest, ErrorsAreNotCached) {
  h_.tools.Add("flaky", {{"mcp:cache-ttl", "60"}});
  auto chain = Compose();
  int calls = 0;
  h_.backend.SetInvokeHandler([&](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    switch (calls++) {
      case 0:
        return Error::Unavailable("ServiceException: HTTP status 502");
      case 1:
        return InvokeResponse{.function_error = "Unhandled", .payload = R"({"errorMessage":"boom"})"};
      case 2:
        return InvokeResponse{.payload = R"({"content":[{"type":"text","text":"no"}],"isError":true})"};
      default:
        return InvokeResponse{.payload = R"({"ok":true})"};
    }
  });
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(h_.Call(chain, "flaky")->is_error) << i;
  }
  EXPECT_FALSE(h_.Call(chain, "flaky")->is_error);
  EXPECT_FALSE(h_.Call(chain, "flaky")->is_error);
  EXPECT_EQ(h_.invokes(), 4);
}

TEST_F(ResultCacheChainTest, ConfiguredRulesAndUntaggedTools) {
  h_.tools.Add("report-daily");
  h_.tools.Add("echo");
  h_.tools.Add("report-off", {{"mcp:cache-ttl", "0"}});  // the tag wins over the rule
  auto chain = Compose({.tools = {{.glob = "report-*", .ttl = 30s, .shared = true}}});
  for (const char* tool : {"report-daily", "echo", "report-off"}) {
    ASSERT_TRUE(h_.Call(chain, tool, {}, "alice").ok());
    ASSERT_TRUE(h_.Call(chain, tool, {}, "bob").ok());
  }
  EXPECT_EQ(h_.invokes(), 5);  // only report-daily is cached, for everyone
}

// A hit is served before the limits: it takes no token.
TEST_F(ResultCacheChainTest, AHitTakesNoRateLimitToken) {
  h_.tools.Add("lookup", {{"mcp:cache-ttl", "60"}, {"mcp:rate-limit", "1/m"}});
  CatalogOptions options;
  auto chain = h_.Compose(options);
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(h_.Call(chain, "lookup")->is_error) << i;
  }
  auto other = h_.Call(chain, "lookup", {{"x", 1}});  // a miss: the bucket's one token is gone
  EXPECT_TRUE(other->is_error);
  EXPECT_EQ(h_.last_audit()["outcome"], "throttled");
  EXPECT_EQ(h_.invokes(), 1);
}

}  // namespace
}  // namespace lmcp::catalog
