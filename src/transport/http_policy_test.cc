#include "transport/http_policy.h"

#include <gtest/gtest.h>

#include <set>

#include "transport/http_auth.h"

namespace lmcp::transport {
namespace {

TEST(HostNameTest, ParsesAuthorities) {
  EXPECT_EQ(HostName("LocalHost:8080"), "localhost");
  EXPECT_EQ(HostName("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(HostName("[::1]:3000"), "::1");
  EXPECT_EQ(HostName("evil.example.com"), "evil.example.com");
  EXPECT_EQ(HostName("host:notaport"), "");
  EXPECT_EQ(HostName("[::1"), "");
  EXPECT_EQ(HostName("a b"), "");
  EXPECT_EQ(HostName(""), "");
}

TEST(OriginPolicyTest, HostAllowList) {
  OriginPolicy p;
  EXPECT_TRUE(IsAllowedHost(p, "127.0.0.1:1234"));
  EXPECT_TRUE(IsAllowedHost(p, "localhost"));
  EXPECT_TRUE(IsAllowedHost(p, "[::1]:80"));
  EXPECT_FALSE(IsAllowedHost(p, "evil.example.com"));
  EXPECT_FALSE(IsAllowedHost(p, "127.0.0.1.evil.com"));
  EXPECT_FALSE(IsAllowedHost(p, ""));
  p.allowed_hosts = {"mcp.example.com"};
  EXPECT_TRUE(IsAllowedHost(p, "MCP.example.com:443"));
  p.allow_loopback = false;
  EXPECT_FALSE(IsAllowedHost(p, "localhost:80"));
}

TEST(OriginPolicyTest, OriginAllowList) {
  OriginPolicy p;
  EXPECT_TRUE(IsAllowedOrigin(p, ""));
  EXPECT_TRUE(IsAllowedOrigin(p, "http://localhost:5173"));
  EXPECT_TRUE(IsAllowedOrigin(p, "http://127.0.0.1"));
  EXPECT_FALSE(IsAllowedOrigin(p, "https://evil.example.com"));
  EXPECT_FALSE(IsAllowedOrigin(p, "null"));
  EXPECT_FALSE(IsAllowedOrigin(p, "http://localhost.evil.com"));
  p.allowed_origins = {"https://app.example.com"};
  EXPECT_TRUE(IsAllowedOrigin(p, "https://APP.example.com"));
  EXPECT_FALSE(IsAllowedOrigin(p, "http://app.example.com"));
}

TEST(AcceptTest, MediaTypes) {
  EXPECT_TRUE(AcceptsMediaType("application/json, text/event-stream", "text/event-stream"));
  EXPECT_TRUE(AcceptsMediaType("application/json;q=0.9, text/event-stream", "application/json"));
  EXPECT_TRUE(AcceptsMediaType("*/*", "application/json"));
  EXPECT_TRUE(AcceptsMediaType("text/*", "text/event-stream"));
  EXPECT_FALSE(AcceptsMediaType("application/json", "text/event-stream"));
  EXPECT_FALSE(AcceptsMediaType("", "application/json"));
  EXPECT_FALSE(AcceptsMediaType("application/json;q=0", "application/json"));
}

TEST(ContentTypeTest, Json) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType(""));
}

TEST(SessionIdTest, RandomAndVisibleAscii) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewSessionId();
    EXPECT_EQ(id.size(), 43u);
    EXPECT_TRUE(IsValidSessionIdSyntax(id));
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_FALSE(IsValidSessionIdSyntax(""));
  EXPECT_FALSE(IsValidSessionIdSyntax("has space"));
  EXPECT_FALSE(IsValidSessionIdSyntax(std::string(129, 'a')));
}

TEST(ConstantTimeEqualsTest, Compares) {
  EXPECT_TRUE(ConstantTimeEquals("secret-token", "secret-token"));
  EXPECT_FALSE(ConstantTimeEquals("secret-token", "secret-tokem"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret-token"));
}

TEST(BearerTokenTest, Parses) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer   abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(StaticTokenAuthenticatorTest, ChecksToken) {
  StaticTokenAuthenticator auth("0123456789abcdef");
  EXPECT_TRUE(auth.Authenticate("Bearer 0123456789abcdef").ok());
  EXPECT_EQ(*auth.Authenticate("Bearer 0123456789abcdef"), "token:static");
  auto wrong = auth.Authenticate("Bearer 0123456789abcdeX");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(auth.Authenticate("").ok());
}

}  // namespace
}  // namespace lmcp::transport
