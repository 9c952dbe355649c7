// RedisClient: URL parsing (every problem at once), commands, scripts, and a Redis that goes away and comes
// back (errors as values, reconnect after the backoff on the injected clock).

#include "state/redis_client.h"

#include <gtest/gtest.h>

#include "tests/support/common/fake_clock.h"
#include "tests/support/state/redis_server.h"

namespace lmcp::state {
namespace {

using namespace std::chrono_literals;
using test_support::RedisServer;

TEST(RedisUrlTest, ParsesHostPortAndDb) {
  auto url = ParseRedisUrl("redis://cache.internal:6380/2");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "cache.internal");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->db, 2);
  auto plain = ParseRedisUrl("redis://10.0.0.5");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->ToString(), "redis://10.0.0.5:6379/0");
}

TEST(RedisUrlTest, ListsEveryProblemAtOnce) {
  auto bad = ParseRedisUrl("http://:99999/x");
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  EXPECT_NE(m.find("the scheme must be redis:// (got http://)"), std::string::npos) << m;
  EXPECT_NE(m.find("the host is missing"), std::string::npos) << m;
  EXPECT_NE(m.find("the port must be 1..65535 (got '99999')"), std::string::npos) << m;
  EXPECT_NE(m.find("the database must be 0..15 (got 'x')"), std::string::npos) << m;
}

TEST(RedisClientTest, CommandsScriptsAndAPipelineOnOneConnection) {
  auto redis = RedisServer::Start();
  ASSERT_TRUE(redis);
  FakeClock clock;
  RedisClient client({.url = ParseRedisUrl(redis->url()).value()}, clock);
  ASSERT_TRUE(client.Ping().ok());
  ASSERT_TRUE(client.Command({"SET", "k", std::string("a\0b", 3)}).ok());
  auto got = client.Command({"GET", "k"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->str, std::string("a\0b", 3));  // binary-safe
  EXPECT_TRUE(client.Command({"GET", "missing"})->nil());
  RedisScript script("return {KEYS[1], ARGV[1]}");
  auto evaluated = client.Eval(script, {"x"}, {"y"});  // NOSCRIPT, then EVAL
  ASSERT_TRUE(evaluated.ok()) << evaluated.error().message;
  ASSERT_EQ(evaluated->elements.size(), 2u);
  EXPECT_EQ(evaluated->elements[1].str, "y");
  EXPECT_TRUE(client.Eval(script, {"x"}, {"z"}).ok());  // EVALSHA now
  auto wrong = client.Command({"INCR", "k"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInternal);  // an error reply, the connection stays
  EXPECT_TRUE(client.Ping().ok());
}

TEST(RedisClientTest, RedisDownIsAnErrorAndItReconnectsAfterTheBackoff) {
  auto redis = RedisServer::Start();
  ASSERT_TRUE(redis);
  FakeClock clock;
  RedisClient client({.url = ParseRedisUrl(redis->url()).value(), .pool_size = 2}, clock);
  ASSERT_TRUE(client.Ping().ok());
  redis->Kill();
  auto down = client.Command({"PING"});  // the pooled connection breaks
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  auto refused = client.Ping();  // the reconnect fails: backoff starts
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message.find("unreachable"), std::string::npos) << refused.error().message;
  ASSERT_TRUE(redis->Restart());
  auto waiting = client.Ping();  // within the backoff: fails fast without connecting
  ASSERT_FALSE(waiting.ok());
  EXPECT_NE(waiting.error().message.find("retrying in"), std::string::npos) << waiting.error().message;
  clock.Advance(100ms);
  EXPECT_TRUE(client.Ping().ok());
  EXPECT_GE(client.failures(), 2u);
}

}  // namespace
}  // namespace lmcp::state
