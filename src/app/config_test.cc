#include "app/config.h"

#include <gtest/gtest.h>

namespace lmcp::app {
namespace {

TEST(ServeConfigTest, DefaultsAreValid) { EXPECT_TRUE(ServeConfig{}.Validate().ok()); }

TEST(ServeConfigTest, ReportsEveryProblemAtOnce) {
  ServeConfig config;
  config.transport = "carrier-pigeon";
  config.page_size = 0;
  config.worker_threads = 0;
  config.shutdown_grace_ms = -1;
  EXPECT_EQ(config.Problems().size(), 4u);
  Status status = config.Validate();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find("transport"), std::string::npos);
  EXPECT_NE(status.error().message.find("page size"), std::string::npos);
  EXPECT_NE(status.error().message.find("worker threads"), std::string::npos);
  EXPECT_NE(status.error().message.find("shutdown grace"), std::string::npos);
}

TEST(ServeConfigTest, ABadStateUrlNamesEachProblemBesideTheOthers) {
  ServeConfig config;
  config.page_size = 0;
  config.state = "rediss://:0";
  auto problems = config.Problems();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(
      problems[0].find("--state: state URL 'rediss://:0': the scheme must be redis:// (got rediss://); "
                       "the host is missing (redis://HOST:PORT[/DB]); the port must be 1..65535 (got '0')"),
      std::string::npos)
      << problems[0];
  for (const char* good : {"", "memory", "redis://127.0.0.1:6379", "redis://cache:6380/3"}) {
    config = ServeConfig{};
    config.state = good;
    EXPECT_TRUE(config.Validate().ok()) << good;
  }
}

TEST(ServeConfigTest, RefusesClearTextJwksUrlBeyondLoopback) {
  ServeConfig config;
  config.transport = "http";
  config.oauth_issuer = "https://auth.example.com";
  config.oauth_audiences = {"https://mcp.example.com/mcp"};
  config.oauth_jwks_url = "http://auth.example.com/jwks";
  auto problems = config.Problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("http://auth.example.com/jwks"), std::string::npos) << problems[0];
  config.oauth_jwks_url = "http://127.0.0.1:8080/jwks";
  EXPECT_TRUE(config.Validate().ok());
  config.oauth_jwks_url = "https://auth.example.com/jwks";
  EXPECT_TRUE(config.Validate().ok());
}

TEST(ServeConfigTest, FairCallCapsAreChecked) {
  ServeConfig config;
  config.max_calls_per_session = 0;
  config.max_queued_calls_per_principal = 10;  // under the per-session default of 64
  config.call_queue_timeout_ms = -1;
  config.list_ttl_ms = -5;
  config.request_state_ttl_ms = 0;
  auto problems = config.Problems();
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_NE(problems[0].find("per session"), std::string::npos);
  EXPECT_NE(problems[1].find("max queued calls per principal (10)"), std::string::npos);
  EXPECT_NE(problems[2].find("call queue timeout"), std::string::npos);
  EXPECT_NE(problems[3].find("list TTL"), std::string::npos);
  EXPECT_NE(problems[4].find("request state TTL"), std::string::npos);
}

}  // namespace
}  // namespace lmcp::app
