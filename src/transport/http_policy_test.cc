#include "transport/http_policy.h"

#include <gtest/gtest.h>

#include <set>

#include "common/crypto.h"
#include "transport/http_auth.h"

namespace lmcp::transport {
namespace {

// HostName, IsAllowedHost and IsAllowedOrigin are tested in common/host_policy_test.cc; this checks that the
// transport's names still reach them.
TEST(OriginPolicyTest, ReExportedFromCommon) {
  OriginPolicy p;
  EXPECT_TRUE(IsAllowedHost(p, "localhost:80"));
  EXPECT_FALSE(IsAllowedOrigin(p, "https://evil.example.com"));
  EXPECT_EQ(HostName("[::1]:3000"), "::1");
  EXPECT_TRUE(IsLoopbackHostName("127.0.0.1"));
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
  EXPECT_TRUE(IsValidSessionIdSyntax(std::string(1024, 'a')));  // a session ticket
  EXPECT_FALSE(IsValidSessionIdSyntax(std::string(1025, 'a')));
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
  EXPECT_EQ(auth.Authenticate("Bearer 0123456789abcdef")->name, "token:static");
  auto wrong = auth.Authenticate("Bearer 0123456789abcdeX");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(auth.Authenticate("").ok());
}

}  // namespace
}  // namespace lmcp::transport
