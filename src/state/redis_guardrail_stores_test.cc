// The guardrails' Redis stores: two replicas sharing one token bucket, all-or-none, idle keys expiring,
// Redis down as store_error (the stage fails closed or open); the result cache round trip, its bound and
// Redis down as a counted miss.

#include <gtest/gtest.h>

#include "state/redis_client.h"
#include "state/redis_rate_limit_store.h"
#include "state/redis_result_cache_store.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/state/redis_server.h"

namespace lmcp::state {
namespace {

using namespace std::chrono_literals;
using catalog::BucketRequest;
using catalog::ParseRate;
using test_support::RedisServer;

class RedisGuardrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = RedisServer::Start();
    ASSERT_TRUE(redis_);
    replica_a_ = NewClient();
    replica_b_ = NewClient();
  }
  std::shared_ptr<RedisClient> NewClient() {
    return std::make_shared<RedisClient>(RedisOptions{.url = ParseRedisUrl(redis_->url()).value()}, clock_);
  }
  FakeClock clock_;
  std::unique_ptr<RedisServer> redis_;
  std::shared_ptr<RedisClient> replica_a_;
  std::shared_ptr<RedisClient> replica_b_;
};

TEST_F(RedisGuardrailTest, TwoReplicasTakeFromOneBucket) {
  RedisRateLimitStore a(replica_a_);
  RedisRateLimitStore b(replica_b_);
  const std::vector<BucketRequest> bucket{
      {"principal\x1f"
       "alice",
       ParseRate("2/m").value()}};
  EXPECT_TRUE(a.TakeAll(bucket, clock_.Steady()).ok());
  EXPECT_TRUE(b.TakeAll(bucket, clock_.Steady()).ok());
  auto refused = a.TakeAll(bucket, clock_.Steady());
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.store_error.empty());
  EXPECT_EQ(refused.denied, 0u);
  EXPECT_GT(refused.retry_after, 29s);  // 2/m: a token every 30 s, on Redis's clock
  EXPECT_LE(refused.retry_after, 30s);
  EXPECT_FALSE(b.TakeAll(bucket, clock_.Steady()).ok());
  // The key expires once the bucket would be full again (+1 s), not before.
  auto ttl = replica_a_->Command({"PTTL",
                                  "lmcp:rl:principal\x1f"
                                  "alice"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 59'000);
  EXPECT_LE(ttl->integer, 61'000);
}

TEST_F(RedisGuardrailTest, TakesFromEveryBucketOrFromNone) {
  RedisRateLimitStore store(replica_a_);
  std::vector<BucketRequest> both{{"wide", ParseRate("5/m").value()}, {"narrow", ParseRate("1/m").value()}};
  EXPECT_TRUE(store.TakeAll(both, clock_.Steady()).ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(store.TakeAll(both, clock_.Steady()).denied, 1u);  // narrow is empty: wide keeps its tokens
  }
  std::vector<BucketRequest> wide{{"wide", ParseRate("5/m").value()}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(store.TakeAll(wide, clock_.Steady()).ok()) << i;
  }
  EXPECT_EQ(store.TakeAll(wide, clock_.Steady()).denied, 0u);
}

TEST_F(RedisGuardrailTest, RedisDownIsAStoreErrorAndItRecovers) {
  RedisRateLimitStore store(replica_a_);
  const std::vector<BucketRequest> bucket{{"k", ParseRate("10/s").value()}};
  ASSERT_TRUE(store.TakeAll(bucket, clock_.Steady()).ok());
  redis_->Kill();
  auto down = store.TakeAll(bucket, clock_.Steady());
  EXPECT_FALSE(down.ok());
  EXPECT_FALSE(down.store_error.empty());
  EXPECT_EQ(store.errors(), 1u);
  ASSERT_TRUE(redis_->Restart());
  clock_.Advance(10s);  // past any backoff
  EXPECT_TRUE(store.TakeAll(bucket, clock_.Steady()).ok());
}

catalog::InvokeResponse Response(std::string payload) {
  return {.status = 200, .payload = std::move(payload), .executed_version = "$LATEST", .request_id = "req-1"};
}

TEST(RedisCachedResponseTest, EncodingIsBinarySafeAndRejectsGarbage) {
  auto response = Response(std::string("{\"a\":\"\xff\0\"}", 10));
  response.function_error = "";
  auto decoded = DecodeCachedResponse(EncodeCachedResponse(response, 1234));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->first.payload, response.payload);
  EXPECT_EQ(decoded->first.request_id, "req-1");
  EXPECT_EQ(decoded->first.executed_version, "$LATEST");
  EXPECT_EQ(decoded->second, 1234);
  EXPECT_FALSE(DecodeCachedResponse("1:3:200"));
  EXPECT_FALSE(DecodeCachedResponse("garbage"));
}

TEST_F(RedisGuardrailTest, ResultCacheIsSharedExpiresWithItsTtlAndIsBounded) {
  RedisResultCacheStore a(replica_a_, /*max_entry_bytes=*/100, clock_);
  RedisResultCacheStore b(replica_b_, 100, clock_);
  auto stored =
      std::make_shared<catalog::CachedResult>(catalog::CachedResult{Response("{\"ok\":1}"), clock_.Steady()});
  a.Put("key1", stored, clock_.Steady() + 30s);
  clock_.Advance(5s);
  auto hit = b.Get("key1", clock_.Steady());  // another replica
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->response.payload, "{\"ok\":1}");
  EXPECT_EQ(hit->response.request_id, "req-1");
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(clock_.Steady() - hit->stored), 5s);
  auto ttl = replica_a_->Command({"PTTL", "lmcp:cache:key1"});
  EXPECT_GT(ttl->integer, 29'000);  // PX = the entry's own TTL
  EXPECT_EQ(b.Get("other", clock_.Steady()), nullptr);
  auto big = std::make_shared<catalog::CachedResult>(
      catalog::CachedResult{Response(std::string(200, 'x')), clock_.Steady()});
  a.Put("big", big, clock_.Steady() + 30s);
  EXPECT_EQ(a.stats().too_large, 1u);
  EXPECT_EQ(b.Get("big", clock_.Steady()), nullptr);
}

TEST_F(RedisGuardrailTest, ResultCacheRedisDownIsACountedMiss) {
  RedisResultCacheStore cache(replica_a_, 100, clock_);
  redis_->Kill();
  EXPECT_EQ(cache.Get("k", clock_.Steady()), nullptr);
  auto value =
      std::make_shared<catalog::CachedResult>(catalog::CachedResult{Response("{}"), clock_.Steady()});
  cache.Put("k", value, clock_.Steady() + 30s);  // dropped, no throw
  EXPECT_EQ(cache.stats().store_errors, 2u);
}

}  // namespace
}  // namespace lmcp::state
