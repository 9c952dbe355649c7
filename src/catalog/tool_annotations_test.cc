#include "catalog/tool_annotations.h"

#include <gtest/gtest.h>

namespace lmcp::catalog {
namespace {

TEST(ToolAnnotationsTest, NothingSetLeavesThemOut) {
  mcp::ToolDefinition d;
  std::vector<std::string> warnings;
  ApplyToolAnnotations(TargetOptions{}, "f", {{"team", "crm"}}, d, warnings);
  EXPECT_TRUE(d.title.empty());
  EXPECT_TRUE(d.annotations.is_null());
  EXPECT_TRUE(warnings.empty());
}

// Tags win over the first matching override, hint by hint; a hint neither sets is left out.
TEST(ToolAnnotationsTest, TagsWinOverOverridesHintByHint) {
  TargetOptions t;
  t.tools.push_back(ToolOverride{.function = "delete-*", .title = "Delete", .destructive = true});
  t.tools.push_back(ToolOverride{.function = "*", .title = "Any", .read_only = true, .open_world = false});
  mcp::ToolDefinition d;
  std::vector<std::string> warnings;
  ApplyToolAnnotations(t, "delete-user", {{kReadOnlyTag, "FALSE"}, {kIdempotentTag, " true "}}, d, warnings);
  EXPECT_EQ(d.title, "Delete");
  EXPECT_EQ(d.annotations, (mcp::Json{{"title", "Delete"},
                                      {"readOnlyHint", false},
                                      {"destructiveHint", true},
                                      {"idempotentHint", true},
                                      {"openWorldHint", false}}));

  mcp::ToolDefinition tagged;
  ApplyToolAnnotations(t, "get-user", {{kTitleTag, "Get a user"}, {kDestructiveTag, "maybe"}}, tagged,
                       warnings);
  EXPECT_EQ(tagged.title, "Get a user");
  EXPECT_EQ(tagged.annotations,
            (mcp::Json{{"title", "Get a user"}, {"readOnlyHint", true}, {"openWorldHint", false}}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("mcp:destructive=\"maybe\""), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace lmcp::catalog
