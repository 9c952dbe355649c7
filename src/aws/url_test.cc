#include "aws/url.h"

#include <gtest/gtest.h>

namespace lmcp::aws {
namespace {

TEST(Url, ParsesPartsAndHostHeader) {
  auto u = ParseUrl("http://127.0.0.1:18081/2015-03-31/functions/?MaxItems=1#frag");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(*u->port, 18081);
  EXPECT_EQ(u->path, "/2015-03-31/functions/");
  EXPECT_EQ(u->query, "MaxItems=1");
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:18081");
  auto v = ParseUrl("HTTPS://Lambda.us-east-1.amazonaws.com:443");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->path, "/");
  EXPECT_EQ(v->HostHeader(), "lambda.us-east-1.amazonaws.com");
  auto six = ParseUrl("http://[fd00:ec2::254]/latest");
  ASSERT_TRUE(six.ok());
  EXPECT_EQ(six->host, "[fd00:ec2::254]");
  EXPECT_FALSE(six->port.has_value());
}

TEST(Url, RejectsBadUrls) {
  EXPECT_FALSE(ParseUrl("ftp://x/").ok());
  EXPECT_FALSE(ParseUrl("http:///x").ok());
  EXPECT_FALSE(ParseUrl("http://h:99999/").ok());
  EXPECT_FALSE(ParseUrl("h/x").ok());
}

TEST(Url, EncodesUnreservedOnly) {
  EXPECT_EQ(UriEncode("arn:aws:lambda:x@y$z/ a+b~-._"), "arn%3Aaws%3Alambda%3Ax%40y%24z%2F%20a%2Bb~-._");
  EXPECT_EQ(UriEncode("/a b/", true), "/a%20b/");
  EXPECT_EQ(UriEncode("\xE1\x88\xB4"), "%E1%88%B4");
  EXPECT_EQ(UriDecode("%E1%88%B4+%zz%4"), "\xE1\x88\xB4+%zz%4");
}

TEST(Url, QueryRoundTrip) {
  auto q = ParseQuery("a=1&b&c=x%2By&&d=");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"b", ""}));
  EXPECT_EQ(q[2].second, "x+y");
  EXPECT_EQ(BuildQuery({{"Marker", "a+b/c="}, {"k", "v w"}}), "Marker=a%2Bb%2Fc%3D&k=v%20w");
}

}  // namespace
}  // namespace lmcp::aws
