#include "catalog/tool_execution.h"

#include <gtest/gtest.h>

namespace lmcp::catalog {
namespace {

using mcp::TaskSupport;
using std::chrono::seconds;

ToolEntry Entry(int timeout_seconds, Tags tags = {}, const std::string& name = "report") {
  ToolEntry e;
  e.function.name = name;
  e.function.timeout_seconds = timeout_seconds;
  e.tags = std::move(tags);
  return e;
}

struct Applied {
  ToolEntry entry;
  std::vector<std::string> warnings;
};

Applied Apply(ToolEntry e, const TargetOptions& target = {}, seconds over = kDefaultTaskOptionalOver) {
  Applied out{std::move(e), {}};
  ApplyToolExecution(target, over, out.entry, out.warnings);
  return out;
}

TEST(ToolExecutionTest, TimeoutOverTheThresholdMakesATaskOptional) {
  EXPECT_EQ(Apply(Entry(3)).entry.definition.task_support, TaskSupport::kForbidden);
  EXPECT_EQ(Apply(Entry(60)).entry.definition.task_support, TaskSupport::kForbidden);  // not over
  EXPECT_EQ(Apply(Entry(61)).entry.definition.task_support, TaskSupport::kOptional);
  EXPECT_EQ(Apply(Entry(900)).entry.definition.task_support, TaskSupport::kOptional);
  // The threshold is configurable: 900 (Lambda's maximum Timeout) turns the default off.
  EXPECT_EQ(Apply(Entry(30), {}, seconds(10)).entry.definition.task_support, TaskSupport::kOptional);
  EXPECT_EQ(Apply(Entry(900), {}, seconds(900)).entry.definition.task_support, TaskSupport::kForbidden);
  auto plain = Apply(Entry(120));
  EXPECT_EQ(plain.entry.invocation_type, InvocationType::kRequestResponse);
  EXPECT_FALSE(plain.entry.definition.input_before_task);
  EXPECT_TRUE(plain.warnings.empty());
}

TEST(ToolExecutionTest, TagWinsOverTimeoutAndOverride) {
  TargetOptions t;
  t.tools.push_back(ToolOverride{.function = "rep*", .task_support = TaskSupport::kRequired});
  EXPECT_EQ(Apply(Entry(3, {{kTaskSupportTag, "optional"}})).entry.definition.task_support,
            TaskSupport::kOptional);
  EXPECT_EQ(Apply(Entry(600, {{kTaskSupportTag, " Forbidden "}})).entry.definition.task_support,
            TaskSupport::kForbidden);
  EXPECT_EQ(Apply(Entry(3), t).entry.definition.task_support, TaskSupport::kRequired);  // override
  EXPECT_EQ(Apply(Entry(3, {}, "other"), t).entry.definition.task_support, TaskSupport::kForbidden);
  EXPECT_EQ(Apply(Entry(3, {{kTaskSupportTag, "forbidden"}}), t).entry.definition.task_support,
            TaskSupport::kForbidden);  // the tag wins over the override
}

TEST(ToolExecutionTest, BadTaskTagsWarnAndAreIgnored) {
  auto bad = Apply(Entry(120, {{kTaskSupportTag, "sometimes"}, {kTaskAfterInputTag, "yes"}}));
  EXPECT_EQ(bad.entry.definition.task_support, TaskSupport::kOptional);  // by the Timeout
  EXPECT_FALSE(bad.entry.definition.input_before_task);
  ASSERT_EQ(bad.warnings.size(), 2u);
  EXPECT_EQ(bad.warnings[0],
            "function report: tag mcp:task-support=\"sometimes\" is not forbidden, optional or required; "
            "ignored");
  EXPECT_NE(bad.warnings[1].find("mcp:task-after-input=\"yes\" is not true or false"), std::string::npos)
      << bad.warnings[1];
}

TEST(ToolExecutionTest, TaskAfterInputSetsInputBeforeTask) {
  auto tagged = Apply(Entry(300, {{kTaskAfterInputTag, "TRUE"}}));
  EXPECT_TRUE(tagged.entry.definition.input_before_task);
  EXPECT_EQ(tagged.entry.definition.task_support, TaskSupport::kOptional);
  EXPECT_FALSE(Apply(Entry(300, {{kTaskAfterInputTag, "false"}})).entry.definition.input_before_task);
}

TEST(ToolExecutionTest, EventToolsAreNeverTasks) {
  auto event = Apply(Entry(900, {{kInvocationTypeTag, "Event"}}));
  EXPECT_EQ(event.entry.invocation_type, InvocationType::kEvent);
  EXPECT_EQ(event.entry.definition.task_support, TaskSupport::kForbidden);
  EXPECT_TRUE(event.warnings.empty());

  TargetOptions t;
  t.tools.push_back(ToolOverride{.function = "*", .task_support = TaskSupport::kRequired});
  auto tagged = Apply(
      Entry(900,
            {{kInvocationTypeTag, "Event"}, {kTaskSupportTag, "required"}, {kTaskAfterInputTag, "true"}}),
      t);
  EXPECT_EQ(tagged.entry.definition.task_support, TaskSupport::kForbidden);
  EXPECT_FALSE(tagged.entry.definition.input_before_task);
  ASSERT_EQ(tagged.warnings.size(), 2u);
  EXPECT_NE(tagged.warnings[0].find("tag mcp:task-support ignored: with mcp:invocation-type=Event"),
            std::string::npos)
      << tagged.warnings[0];
}

TEST(ToolExecutionTest, InvocationTypeAsAwsSpellsIt) {
  EXPECT_EQ(Apply(Entry(3, {{kInvocationTypeTag, "RequestResponse"}})).entry.invocation_type,
            InvocationType::kRequestResponse);
  EXPECT_EQ(Apply(Entry(3, {{kInvocationTypeTag, " Event "}})).entry.invocation_type, InvocationType::kEvent);
  for (const char* bad : {"event", "DryRun", "async", ""}) {
    auto applied = Apply(Entry(3, {{kInvocationTypeTag, bad}}));
    EXPECT_EQ(applied.entry.invocation_type, InvocationType::kRequestResponse) << bad;
    ASSERT_EQ(applied.warnings.size(), 1u) << bad;
    EXPECT_NE(applied.warnings[0].find("is not Event or RequestResponse (as AWS spells them); ignored"),
              std::string::npos)
        << applied.warnings[0];
  }
}

}  // namespace
}  // namespace lmcp::catalog
