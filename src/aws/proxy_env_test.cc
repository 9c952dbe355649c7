#include "aws/proxy_env.h"

#include <gtest/gtest.h>

#include <map>

namespace lmcp::aws {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(ProxyEnv, ReadsVariablesLikeCurl) {
  auto s = ProxySettings::FromEnvironment(
      Env({{"HTTPS_PROXY", "https-upper:1"}, {"HTTP_PROXY", "ignored:2"}, {"NO_PROXY", "x"}}));
  EXPECT_EQ(s.https_proxy, "https-upper:1");
  EXPECT_EQ(s.http_proxy, "");  // upper-case HTTP_PROXY is ignored (CGI's HTTP_PROXY request header)
  EXPECT_EQ(s.no_proxy, "x");
  s = ProxySettings::FromEnvironment(Env({{"https_proxy", "lower:1"},
                                          {"HTTPS_PROXY", "upper:1"},
                                          {"http_proxy", "plain:3"},
                                          {"no_proxy", "a"},
                                          {"NO_PROXY", "b"}}));
  EXPECT_EQ(s.https_proxy, "lower:1");
  EXPECT_EQ(s.http_proxy, "plain:3");
  EXPECT_EQ(s.no_proxy, "a");
  s = ProxySettings::FromEnvironment(Env({{"ALL_PROXY", "all:4"}}));
  EXPECT_EQ(s.https_proxy, "all:4");
  EXPECT_EQ(s.http_proxy, "all:4");
}

TEST(ProxyEnv, ParsesProxyUrls) {
  auto p = ParseProxyUrl("http://us%40er:p%3Ass@proxy.corp:3128/");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->host, "proxy.corp");
  EXPECT_EQ(p->port, 3128);
  EXPECT_EQ(p->authorization, "Basic dXNAZXI6cDpzcw==");  // us@er:p:ss
  p = ParseProxyUrl("proxy.corp");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->port, 1080);  // curl's default proxy port
  EXPECT_EQ(p->authorization, "");
  p = ParseProxyUrl("http://[::1]:8080");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host, "::1");
  EXPECT_FALSE(ParseProxyUrl("socks5://proxy:1080").ok());
  EXPECT_FALSE(ParseProxyUrl("http://").ok());
}

TEST(ProxyEnv, NoProxyMatchesLikeCurl) {
  EXPECT_TRUE(NoProxyMatches("*", "lambda.us-east-1.amazonaws.com"));
  EXPECT_TRUE(NoProxyMatches("amazonaws.com", "lambda.us-east-1.amazonaws.com"));
  EXPECT_TRUE(NoProxyMatches(".amazonaws.com", "lambda.us-east-1.amazonaws.com"));
  EXPECT_TRUE(NoProxyMatches("foo, AMAZONAWS.com", "lambda.us-east-1.amazonaws.com"));
  EXPECT_TRUE(NoProxyMatches("amazonaws.com", "amazonaws.com"));
  EXPECT_FALSE(NoProxyMatches("zonaws.com", "lambda.us-east-1.amazonaws.com"));  // labels, not characters
  EXPECT_FALSE(NoProxyMatches("", "example.com"));
  EXPECT_FALSE(NoProxyMatches("example.com", "127.0.0.1"));  // loopback is not special
  EXPECT_TRUE(NoProxyMatches("127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(NoProxyMatches("10.0.0.0/8", "10.1.2.3"));
  EXPECT_FALSE(NoProxyMatches("10.0.0.0/8", "11.1.2.3"));
  EXPECT_FALSE(NoProxyMatches("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(NoProxyMatches("::1", "[::1]"));
  EXPECT_TRUE(NoProxyMatches("[::1]", "[::1]"));
}

TEST(ProxyEnv, ChoosesTheProxyPerScheme) {
  ProxySettings s{.http_proxy = "plain:1", .https_proxy = "tls:2", .no_proxy = "internal"};
  auto p = ProxyFor(s, "https", "lambda.amazonaws.com");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->host, "tls");
  p = ProxyFor(s, "http", "lambda.amazonaws.com");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->host, "plain");
  p = ProxyFor(s, "https", "svc.internal");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->has_value());
  EXPECT_FALSE(ProxyFor(ProxySettings{.https_proxy = "socks5://x"}, "https", "h").ok());
}

}  // namespace
}  // namespace lmcp::aws
