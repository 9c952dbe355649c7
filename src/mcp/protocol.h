#pragma once
// MCP protocol revisions and how each shapes what the server sends: negotiation, and rendering tool
// definitions and call results for a negotiated version (dropping fields that version lacks). Pure functions,
// safe from any thread.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jsonrpc/batch.h"
#include "mcp/tool_provider.h"

namespace lmcp::mcp {

inline constexpr const char* kLatestProtocolVersion = "2025-11-25";
// Newest first.
const std::vector<std::string>& SupportedProtocolVersions();
bool IsSupportedProtocolVersion(std::string_view version);
// Echoes a supported requested version, else answers with the latest (the client then decides).
std::string NegotiateProtocolVersion(std::string_view requested);

// Feature gates by negotiated version (revisions are ISO dates, so they compare as strings). Batches are
// defined once, in jsonrpc/batch.h (AllowsBatches, and CheckBatch with the length cap).
using jsonrpc::AllowsBatches;
bool HasAudio(std::string_view version);              // 2025-03-26+
bool HasToolAnnotations(std::string_view version);    // 2025-03-26+
bool HasProgressMessage(std::string_view version);    // 2025-03-26+
bool HasStructuredContent(std::string_view version);  // 2025-06-18+: structuredContent, outputSchema, title
bool HasResourceLinks(std::string_view version);      // 2025-06-18+
bool HasIcons(std::string_view version);              // 2025-11-25+

Json RenderTool(const ToolDefinition& tool, std::string_view version);
// Takes the result so its content moves into the rendered JSON (a function's result can be megabytes).
Json RenderToolResult(ToolResult result, std::string_view version);

// tools/list cursors: opaque strings that encode a list offset.
std::string EncodeCursor(size_t offset);
std::optional<size_t> DecodeCursor(std::string_view cursor);

}  // namespace lmcp::mcp
