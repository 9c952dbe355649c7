#include "app/client_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace lmcp::app {
namespace {

using nlohmann::json;

ClientConfigRequest Request(std::string client) {
  ClientConfigRequest r;
  r.client = std::move(client);
  r.command = "/opt/lambda mcp/bin/lambda-mcp";
  r.env = {{"AWS_PROFILE", "dev"}, {"FUNCTION_PREFIX", "mcp-"}};
  return r;
}

TEST(ClientConfigTest, ClaudeDesktopAndCursorUseMcpServers) {
  for (const char* client : {"claude-desktop", "cursor"}) {
    auto text = RenderClientConfig(Request(client));
    ASSERT_TRUE(text.ok()) << client;
    json entry = json::parse(*text)["mcpServers"]["lambda-mcp"];
    EXPECT_EQ(entry["command"], "/opt/lambda mcp/bin/lambda-mcp");
    EXPECT_EQ(entry["args"], json::array({"serve"}));
    EXPECT_EQ(entry["env"]["FUNCTION_PREFIX"], "mcp-");
    EXPECT_FALSE(entry.contains("type"));
  }
}

TEST(ClientConfigTest, VsCodeUsesServersWithAType) {
  auto text = RenderClientConfig(Request("vscode"));
  ASSERT_TRUE(text.ok());
  json entry = json::parse(*text)["servers"]["lambda-mcp"];
  EXPECT_EQ(entry["type"], "stdio");
  EXPECT_EQ(entry["env"]["AWS_PROFILE"], "dev");
}

TEST(ClientConfigTest, ClaudeCodeIsAShellCommandWithQuotedWords) {
  ClientConfigRequest r = Request("claude-code");
  r.env["LAMBDA_MCP_AUDIT_LOG"] = "it's here";
  auto text = RenderClientConfig(r);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "claude mcp add lambda-mcp -e AWS_PROFILE=dev -e FUNCTION_PREFIX=mcp- -e "
            "'LAMBDA_MCP_AUDIT_LOG=it'\\''s here' -- '/opt/lambda mcp/bin/lambda-mcp' serve\n");
}

TEST(ClientConfigTest, UnknownClientSuggestsTheNearest) {
  auto text = RenderClientConfig(Request("claude-dekstop"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(
      text.error().message,
      "--client: unknown client 'claude-dekstop'; did you mean 'claude-desktop'? (known: claude-desktop, "
      "cursor, vscode, claude-code)");
}

TEST(ClientConfigTest, EnvironmentKeepsSettingsAndLeavesSecretsOut) {
  std::vector<std::string> skipped;
  auto env = ConfigEnvironment(
      {"PATH=/bin", "AWS_PROFILE=dev", "AWS_SECRET_ACCESS_KEY=s3cret", "AWS_ACCESS_KEY_ID=AKID",
       "AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:7300", "FUNCTION_LIST=a,b", "LAMBDA_MCP_AUTH_TOKEN=tok",
       "LAMBDA_MCP_STATE=redis://r:6379", "HOME=/root"},
      skipped);
  EXPECT_EQ(env, (std::map<std::string, std::string>{{"AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:7300"},
                                                     {"AWS_PROFILE", "dev"},
                                                     {"FUNCTION_LIST", "a,b"},
                                                     {"LAMBDA_MCP_STATE", "redis://r:6379"}}));
  EXPECT_EQ(skipped, (std::vector<std::string>{"AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
                                               "LAMBDA_MCP_AUTH_TOKEN"}));
}

}  // namespace
}  // namespace lmcp::app
