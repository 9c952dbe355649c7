#include "common/strings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lmcp {
namespace {

TEST(Strings, AsciiLowerFoldsOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower(""), "");
  EXPECT_EQ(AsciiLower("Content-Type: X-AMZ"), "content-type: x-amz");
  EXPECT_EQ(AsciiLower("\xc3\x89T\xc3\xa9"), "\xc3\x89t\xc3\xa9");  // UTF-8 bytes untouched
  EXPECT_EQ(AsciiLower(std::string("A\0B", 3)), std::string("a\0b", 3));
  for (char c : std::string("@[`{")) {  // the neighbours of the letter ranges
    EXPECT_EQ(AsciiLower(c), c);
  }
}

TEST(Strings, IEquals) {
  struct Case {
    std::string a, b;
    bool equal;
  };
  const std::vector<Case> cases = {{"", "", true},
                                   {"Keep-Alive", "keep-ALIVE", true},
                                   {"close", "closed", false},
                                   {"\xc3\x89", "\xc3\xa9", false},  // no Unicode folding
                                   {"@", "`", false}};
  for (const auto& c : cases) {
    EXPECT_EQ(IEquals(c.a, c.b), c.equal) << c.a << " / " << c.b;
  }
}

TEST(Strings, Trim) {
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t\r\n\f\v"), "");
  EXPECT_EQ(Trim("  a b \n"), "a b");
  EXPECT_EQ(Trim("\xc2\xa0x\xc2\xa0"), "\xc2\xa0x\xc2\xa0");  // NBSP is not ASCII white space
  EXPECT_EQ(Trim(" \ta\r\n\t ", kHttpWhitespace), "a\r\n");
  EXPECT_EQ(Trim("//path//", "/"), "path");
}

TEST(Strings, Join) {
  EXPECT_EQ(Join({}, ", "), "");
  EXPECT_EQ(Join({"a"}, ", "), "a");
  EXPECT_EQ(Join({"a", "", "c"}, " "), "a  c");
}

TEST(Strings, HexDigitValue) {
  const std::string lower = "0123456789abcdef", upper = "0123456789ABCDEF";
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(HexDigitValue(lower[i]), i);
    EXPECT_EQ(HexDigitValue(upper[i]), i);
  }
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('/'), -1);
  EXPECT_EQ(HexDigitValue('\xff'), -1);
}

TEST(ClosestMatchTest, SuggestsLikelyTypos) {
  std::vector<std::string> keys = {"region", "endpoint_url", "credentials", "namespace"};
  EXPECT_EQ(ClosestMatch("regoin", keys), "region");
  EXPECT_EQ(ClosestMatch("Region", keys), "region");
  EXPECT_EQ(ClosestMatch("credential", keys), "credentials");
  EXPECT_EQ(ClosestMatch("endpoint-url", keys), "endpoint_url");
  EXPECT_EQ(ClosestMatch("colour", keys), "");
  EXPECT_EQ(ClosestMatch("", keys), "");
  EXPECT_EQ(ClosestMatch("region", {}), "");
}

TEST(GlobMatchTest, StarsAndQuestionMarks) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("token:*", "token:alice"));
  EXPECT_FALSE(GlobMatch("token:*", "oauth:alice"));
  EXPECT_TRUE(GlobMatch("prod_*_read", "prod_orders_read"));
  EXPECT_FALSE(GlobMatch("prod_*_read", "prod_orders_write"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_TRUE(GlobMatch("?ob", "bob"));
  EXPECT_FALSE(GlobMatch("?ob", "ob"));
  EXPECT_FALSE(GlobMatch("bob", "Bob"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "x"));
  EXPECT_TRUE(GlobMatch("**a**", "a"));
  EXPECT_FALSE(GlobMatch("*a", "b"));
}

}  // namespace
}  // namespace lmcp
