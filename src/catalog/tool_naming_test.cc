#include "catalog/tool_naming.h"

#include <gtest/gtest.h>

#include <set>

namespace lmcp::catalog {
namespace {

TEST(ToolNamingTest, ReferenceRules) {
  EXPECT_EQ(ReferenceToolName("mcp-echo", ""), "mcp_echo");
  EXPECT_EQ(ReferenceToolName("mcp-echo", "mcp-"), "echo");
  EXPECT_EQ(ReferenceToolName("2fa-verify", ""), "_2fa_verify");
  EXPECT_EQ(ReferenceToolName("2fa-verify", "mcp-"), "_2fa_verify");
  EXPECT_EQ(ReferenceToolName("mcp-2fa", "mcp-"), "_2fa");
  EXPECT_EQ(ReferenceToolName("MCP-echo", "mcp-"), "MCP_echo");
  EXPECT_EQ(ReferenceToolName("a.b c", ""), "a_b_c");
}

TEST(ToolNamingTest, FunctionNamedLikePrefixGetsItsFullName) {
  auto a = AssignToolNames({"mcp-", "mcp-echo"}, "mcp-");
  EXPECT_EQ(a.names, (std::vector<std::string>{"mcp_", "echo"}));
  EXPECT_EQ(a.notes.size(), 1u);
}

TEST(ToolNamingTest, CollisionsAreDeterministicAndLogged) {
  auto a = AssignToolNames({"my-func", "my_func"}, "");
  auto b = AssignToolNames({"my_func", "my-func"}, "");
  // my_func (the exact spelling) keeps the name in both orders; my-func gets a stable suffix.
  EXPECT_EQ(a.names[1], "my_func");
  EXPECT_EQ(b.names[0], "my_func");
  EXPECT_EQ(a.names[0], b.names[1]);
  EXPECT_EQ(a.names[0], "my_func_" + ShortHash("my-func"));
  ASSERT_EQ(a.notes.size(), 1u);
  EXPECT_NE(a.notes[0].find("my-func"), std::string::npos);
}

TEST(ToolNamingTest, CollisionWithoutExactSpellingPicksSmallestName) {
  auto a = AssignToolNames({"x.y", "x-y"}, "");
  EXPECT_EQ(a.names[1], "x_y");  // "x-y" < "x.y"
  EXPECT_EQ(a.names[0], "x_y_" + ShortHash("x.y"));
}

TEST(ToolNamingTest, LongNamesAreCutTo64AndStayUnique) {
  std::string long1 = "9" + std::string(63, 'a');  // reference gives 65 characters
  std::string long2 = std::string(70, 'b') + "-one";
  std::string long3 = std::string(70, 'b') + "-two";
  auto a = AssignToolNames({long1, long2, long3}, "");
  std::set<std::string> unique(a.names.begin(), a.names.end());
  EXPECT_EQ(unique.size(), 3u);
  for (const auto& n : a.names) {
    EXPECT_LE(n.size(), kMaxToolNameLength) << n;
  }
  EXPECT_EQ(a.names[0][0], '_');
  EXPECT_EQ(a.notes.size(), 3u);
}

TEST(ToolNamingTest, ManyCollisionsAllUnique) {
  std::vector<std::string> fns;
  for (int i = 0; i < 50; ++i) {
    fns.push_back(std::string(i % 2 ? "f-" : "f.") + std::to_string(i / 2));
  }
  fns.push_back("f_0");
  auto a = AssignToolNames(fns, "");
  std::set<std::string> unique(a.names.begin(), a.names.end());
  EXPECT_EQ(unique.size(), fns.size());
}

}  // namespace
}  // namespace lmcp::catalog
