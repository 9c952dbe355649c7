#pragma once
// A ToolProvider serving the MCP conformance suite's fixture tools (test_simple_text, test_image_content,
// ..., json_schema_2020_12_tool, and the 2026-07-28 ones of conformance_fixtures_2026.h: input-required
// results, x-mcp-header parameters, test_missing_capability ...) with their exact names and outputs, for
// `lambda-mcp serve --conformance-fixtures`. Every fixture is listed in both eras; sampling and elicitation
// go through RequestClient in the 2025 era and through input-required results in the stateless era. With
// `hidden_test_tools`, also answers the unlisted `test_slow` (sleeps until cancelled or `ms` elapse,
// reporting progress) that the e2e tests use for cancellation. Thread-safe.

#include <functional>
#include <mutex>

#include "mcp/tool_provider.h"

namespace lmcp::mcp {

class ConformanceFixtures final : public ToolProvider {
 public:
  explicit ConformanceFixtures(bool hidden_test_tools = true);

  Result<ToolList> ListTools() override;
  Result<ToolResult> CallTool(const std::string& name, Json arguments, CallContext& ctx) override;
  void SetListChangedCallback(std::function<void()> callback) override;

  static const char* kPngBase64;  // a valid 1×1 PNG
  static const char* kWavBase64;  // a valid 8 kHz mono 16-bit WAV of 16 silent samples

 private:
  ToolList tools_;
  bool hidden_test_tools_;
  std::mutex mu_;
  std::function<void()> list_changed_;
};

}  // namespace lmcp::mcp
