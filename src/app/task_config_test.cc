#include "app/task_config.h"

#include <gtest/gtest.h>

#include "app/gateway_config.h"

namespace lmcp::app {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Result<GatewayConfig> Parse(const std::string& yaml) {
  return ParseGatewayConfig(yaml, "/etc/g.yaml", {.check_files = false});
}

std::string Problems(const std::string& yaml) {
  auto config = Parse(yaml);
  EXPECT_FALSE(config.ok()) << yaml;
  return config.ok() ? "" : config.error().message;
}

TEST(TaskConfigTest, NoSectionKeepsTheDefaults) {
  auto config = Parse("function_prefix: mcp-\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const mcp::TaskOptions defaults;
  EXPECT_TRUE(config->tasks.enabled);
  EXPECT_EQ(config->tasks.ttl, defaults.ttl);
  EXPECT_EQ(config->tasks.store.max_tasks, defaults.store.max_tasks);
  EXPECT_EQ(config->flat.count("LAMBDA_MCP_TASK_OPTIONAL_OVER_SECONDS"), 0u);
}

TEST(TaskConfigTest, ReadsEveryKey) {
  auto config = Parse(R"(
tasks:
  enabled: true
  ttl: 30s
  poll_interval: 250ms
  max_running: 16
  max_running_per_principal: 4
  max_tasks: 500
  max_tasks_per_principal: 50
  memory: 64MiB
  optional_over: 2m
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const mcp::TaskOptions& t = config->tasks;
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.ttl, seconds(30));
  EXPECT_EQ(t.min_ttl, seconds(30));  // a shorter TTL lowers the floor of a client's task.ttl with it
  EXPECT_EQ(t.poll_interval, milliseconds(250));
  EXPECT_EQ(t.max_running, 16);
  EXPECT_EQ(t.max_running_per_principal, 4);
  EXPECT_EQ(t.store.max_tasks, 500u);
  EXPECT_EQ(t.store.max_tasks_per_owner, 50u);
  EXPECT_EQ(t.store.max_bytes, 64u << 20);                                     // MiB
  EXPECT_EQ(config->flat.at("LAMBDA_MCP_TASK_OPTIONAL_OVER_SECONDS"), "120");  // the catalog's option

  auto off = Parse("tasks: {enabled: false, ttl: 2h}\n");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->tasks.enabled);
  EXPECT_EQ(off->tasks.ttl, hours(2));
  EXPECT_EQ(off->tasks.min_ttl, minutes(1));  // a longer TTL leaves the floor alone
}

TEST(TaskConfigTest, EveryProblemWithItsPath) {
  std::string p = Problems(R"(
tasks:
  enabled: maybe
  ttl: forever
  poll_interval: 10ms
  max_running: 0
  max_tasks: 10
  max_tasks_per_principal: 20
  memory: 256
  optional_over: 1h
  max_task: 3
)");
  for (const char* line : {
           "tasks.enabled: expected true or false, got 'maybe'",
           "tasks.ttl: expected a duration such as 90s, 15m or 1h, got 'forever'",
           "tasks.poll_interval: expected a duration from 100ms to 1h",
           "tasks.max_running: expected a whole number from 1 to 100000, got '0'",
           "tasks.max_tasks_per_principal: more than max_tasks (10)",
           "tasks.memory: expected a size from 1MiB to 1048576MiB such as 256MiB or 1GiB, got '256'",
           "tasks.optional_over: expected a duration from 0s to 900s",
           "tasks.max_task: unknown key; did you mean 'max_tasks'?",
       }) {
    EXPECT_NE(p.find(line), std::string::npos) << line << "\n" << p;
  }
  EXPECT_NE(Problems("tasks: [1]\n").find("tasks: expected a map with keys enabled, ttl"), std::string::npos);
  EXPECT_NE(Problems("task: {}\n").find("task: unknown key; did you mean 'tasks'?"), std::string::npos);
  EXPECT_NE(Problems("tasks: {optional_over: 1500ms}\n").find("tasks.optional_over: expected whole seconds"),
            std::string::npos);
  EXPECT_NE(Problems("lambda_mcp_task_optional_over_seconds: 30\ntasks: {optional_over: 60}\n")
                .find("tasks.optional_over: also set as the plain key"),
            std::string::npos);
}

// A target's tool overrides may set task support; a bad value is a problem with its path.
TEST(TaskConfigTest, ToolOverridesSetTaskSupport) {
  auto config = Parse(R"(
targets:
  - name: prod
    select: {prefix: mcp-}
    tools:
      - {function: "report-*", task_support: required}
      - {function: "*", title: Any}
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const auto& tools = config->targets.at(0).tools;
  EXPECT_EQ(tools.at(0).task_support, mcp::TaskSupport::kRequired);
  EXPECT_FALSE(tools.at(1).task_support.has_value());
  EXPECT_NE(Problems("targets:\n  - name: prod\n    select: {prefix: mcp-}\n    tools: [{function: x, "
                     "task_support: sometimes}]\n")
                .find("targets[0].tools[0].task_support: 'sometimes': forbidden, optional or required"),
            std::string::npos);
}

TEST(TaskConfigTest, FlagsBeatTheFile) {
  auto config = Parse("tasks: {ttl: 2h, enabled: true}\n");
  ASSERT_TRUE(config.ok());
  mcp::TaskOptions tasks = config->tasks;
  ApplyTaskFlags({.no_tasks = false, .ttl = "10m"}, tasks);
  EXPECT_EQ(tasks.ttl, minutes(10));
  EXPECT_TRUE(tasks.enabled);
  ApplyTaskFlags({.no_tasks = true, .ttl = ""}, tasks);
  EXPECT_FALSE(tasks.enabled);
  EXPECT_EQ(tasks.ttl, minutes(10));

  EXPECT_TRUE(TaskFlagProblems({.ttl = "90s"}).empty());
  auto problems = TaskFlagProblems({.ttl = "soon"});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("--task-ttl: expected a duration from 1s to 168h", 0), 0u) << problems[0];
  ServeConfig serve;
  serve.tasks.ttl = "0s";
  ASSERT_FALSE(serve.Validate().ok());
  EXPECT_NE(serve.Validate().error().message.find("--task-ttl"), std::string::npos);
}

}  // namespace
}  // namespace lmcp::app
