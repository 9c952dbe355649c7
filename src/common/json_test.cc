#include "common/json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace lmcp {
namespace {

std::string Nested(std::size_t depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

// {"a":{"a":...{"a":1}...}} with `depth` objects.
std::string NestedObjects(std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) {
    out += "{\"a\":";
  }
  out += "1";
  out += std::string(depth, '}');
  return out;
}

TEST(ParseJsonTest, ParsesAnOrdinaryDocument) {
  auto v = ParseJson(R"({"a":[1,-2,3.5,1e3,true,false,null],"b":{"c":"d"}})");
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ((*v)["a"][1], -2);
  EXPECT_EQ((*v)["a"][2], 3.5);
  EXPECT_EQ((*v)["a"][3], 1000.0);
  EXPECT_EQ((*v)["b"]["c"], "d");
}

TEST(ParseJsonTest, ScalarsHaveDepthZero) {
  EXPECT_EQ(*ParseJson("42", 0), 42);
  EXPECT_EQ(*ParseJson("\"x\"", 0), "x");
  EXPECT_FALSE(ParseJson("[]", 0).ok());
  EXPECT_TRUE(ParseJson("[]", 1).ok());
}

TEST(ParseJsonTest, AcceptsExactlyTheLimit) {
  EXPECT_TRUE(ParseJson(Nested(128)).ok());
  EXPECT_TRUE(ParseJson(NestedObjects(128)).ok());
  EXPECT_TRUE(ParseJson(Nested(3), 3).ok());
}

TEST(ParseJsonTest, RefusesOneLevelMore) {
  for (const std::string& text : {Nested(129), NestedObjects(129), "[" + NestedObjects(128) + "]"}) {
    auto v = ParseJson(text);
    ASSERT_FALSE(v.ok());
    EXPECT_TRUE(IsJsonTooDeep(v.error()));
    EXPECT_EQ(v.error().message, "JSON is nested deeper than 128 levels");
  }
  EXPECT_FALSE(ParseJson(Nested(4), 3).ok());
}

TEST(ParseJsonTest, DepthIsNestingNotCount) {
  // 1,000 sibling arrays at depth 2 are fine.
  std::string wide = "[";
  for (int i = 0; i < 1000; ++i) {
    wide += (i ? ",[]" : "[]");
  }
  wide += "]";
  auto v = ParseJson(wide, 2);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 1000u);
}

TEST(ParseJsonTest, RefusesTheIssueReproQuickly) {
  // The crash from issue 12: initialize with params nested 58,750 levels deep (about 115 KB).
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":)" + Nested(58'750) + "}";
  auto start = std::chrono::steady_clock::now();
  auto v = ParseJson(deep);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(IsJsonTooDeep(v.error()));
  // It stops at level 129 instead of reading on: well under a millisecond; 50 ms leaves room for sanitizers.
  EXPECT_LT(elapsed, std::chrono::milliseconds(50));
}

TEST(ParseJsonTest, DeepButBrokenIsStillRefusedAsTooDeep) {
  // Parsing stops at the first level past the limit, before the missing brackets are noticed.
  auto v = ParseJson(std::string(100'000, '['));
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(IsJsonTooDeep(v.error()));
}

TEST(ParseJsonTest, BracketsInsideStringsDoNotCount) {
  std::string brackets(10'000, '[');
  auto v = ParseJson("{\"s\":\"" + brackets + "]]]{{{}\"}");
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ((*v)["s"].get<std::string>().size(), 10'007u);
  // An escaped quote does not end the string, so the brackets after it are still text.
  v = ParseJson(R"(["a\"[[[[", "\\", "[\\\"]"])", 1);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ((*v)[0], "a\"[[[[");
  EXPECT_EQ((*v)[1], "\\");
  EXPECT_EQ((*v)[2], "[\\\"]");
}

TEST(ParseJsonTest, DecodesEscapes) {
  auto v = ParseJson(R"("\u00e9\n\t\/\ud83d\ude00")");
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->get<std::string>(), "\xc3\xa9\n\t/\xf0\x9f\x98\x80");
}

TEST(ParseJsonTest, KeepsNumberTypes) {
  auto v = ParseJson(R"([0, -1, 18446744073709551615, -9223372036854775808, 1.5, 2E-2])");
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_TRUE((*v)[0].is_number_unsigned());
  EXPECT_TRUE((*v)[1].is_number_integer());
  EXPECT_EQ((*v)[2].get<uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ((*v)[3].get<int64_t>(), INT64_MIN);
  EXPECT_TRUE((*v)[4].is_number_float());
  EXPECT_DOUBLE_EQ((*v)[5].get<double>(), 0.02);
}

TEST(ParseJsonTest, SyntaxErrorsAreInvalidArgument) {
  for (const char* text :
       {"", "{", "[1,]", "{\"a\" 1}", "01", "nul", "[1] x", "\"\xff\"", "// c\n1", "\"a\nb\""}) {
    auto v = ParseJson(text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument) << text;
    EXPECT_FALSE(IsJsonTooDeep(v.error()));
    EXPECT_NE(v.error().message.find("parse error"), std::string::npos) << v.error().message;
  }
}

TEST(ParseJsonTest, RefusesANulByteAnywhere) {
  // nlohmann alone stops at a NUL and would take "[1]\0{..." for [1] (found by fuzz_json_depth).
  for (std::string_view text : {std::string_view("[1]\0{\"a\":1}", 11), std::string_view("\0", 1),
                                std::string_view("[1,\0 2]", 7), std::string_view("\"a\0b\"", 5)}) {
    auto v = ParseJson(text);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(v.error().message.find("NUL"), std::string::npos);
  }
  EXPECT_EQ(*ParseJson(R"("\u0000")"), std::string(1, '\0'));  // an escaped NUL is fine
}

TEST(ParseJsonTest, ToleratesSurroundingWhitespace) {
  auto v = ParseJson(" \t\r\n{\"a\":1} \n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["a"], 1);
}

TEST(ParseJsonTest, ParsesAStringViewWithoutItsTerminator) {
  std::string text = "[1,2]garbage";
  auto v = ParseJson(std::string_view(text).substr(0, 5));
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->size(), 2u);
}

TEST(ParseJsonOrDiscardedTest, DiscardsEveryFailure) {
  EXPECT_TRUE(ParseJsonOrDiscarded("{").is_discarded());
  EXPECT_TRUE(ParseJsonOrDiscarded(Nested(129)).is_discarded());
  EXPECT_TRUE(ParseJsonOrDiscarded(Nested(3), 2).is_discarded());
  EXPECT_EQ(ParseJsonOrDiscarded(R"({"a":1})")["a"], 1);
}

TEST(ParseOrderedJsonTest, KeepsMemberOrderAndTheSameLimit) {
  auto v = ParseOrderedJson(R"({"z":1,"a":2,"m":3})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->dump(), R"({"z":1,"a":2,"m":3})");
  EXPECT_TRUE(ParseOrderedJson(Nested(128)).ok());
  auto deep = ParseOrderedJson(Nested(129));
  ASSERT_FALSE(deep.ok());
  EXPECT_TRUE(IsJsonTooDeep(deep.error()));
}

}  // namespace
}  // namespace lmcp
