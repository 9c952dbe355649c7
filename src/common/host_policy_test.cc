#include "common/host_policy.h"

#include <gtest/gtest.h>

namespace lmcp {
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

TEST(HostNameTest, LoopbackBindAddresses) {
  EXPECT_TRUE(IsLoopbackBindAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackBindAddress("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackBindAddress("localhost"));
  EXPECT_TRUE(IsLoopbackBindAddress("::1"));
  EXPECT_FALSE(IsLoopbackBindAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackBindAddress("192.168.1.5"));
  EXPECT_FALSE(IsLoopbackBindAddress(""));
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

}  // namespace
}  // namespace lmcp
