#include "mcp/tool_provider.h"

#include <array>
#include <utility>

namespace lmcp::mcp {

namespace {
constexpr std::array<const char*, 8> kLevelNames = {"debug", "info",     "notice", "warning",
                                                    "error", "critical", "alert",  "emergency"};
}  // namespace

const char* LogLevelName(LogLevel level) { return kLevelNames[static_cast<size_t>(level)]; }

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (name == kLevelNames[i]) {
      return static_cast<LogLevel>(i);
    }
  }
  return std::nullopt;
}

namespace {
constexpr std::array<const char*, 3> kTaskSupportNames = {"forbidden", "optional", "required"};
}  // namespace

const char* TaskSupportName(TaskSupport support) { return kTaskSupportNames[static_cast<size_t>(support)]; }

std::optional<TaskSupport> ParseTaskSupport(std::string_view name) {
  for (size_t i = 0; i < kTaskSupportNames.size(); ++i) {
    if (name == kTaskSupportNames[i]) {
      return static_cast<TaskSupport>(i);
    }
  }
  return std::nullopt;
}

const ToolDefinition* FindTool(const std::vector<ToolDefinition>& tools, const std::string& name) {
  for (const ToolDefinition& tool : tools) {
    if (tool.name == name) {
      return &tool;
    }
  }
  return nullptr;
}

ToolResult ToolResult::Text(std::string text, bool is_error) {
  ToolResult result;
  result.content = Json::array({Json{{"type", "text"}, {"text", std::move(text)}}});
  result.is_error = is_error;
  return result;
}

}  // namespace lmcp::mcp
