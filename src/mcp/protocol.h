#pragma once
// MCP protocol revisions, held once here (kRevisions), and how each shapes what the server sends:
// negotiation, feature gates, and rendering tool definitions and call results for a negotiated version
// (dropping fields that version lacks). Nothing else in src/ compares version strings. Pure functions, safe
// from any thread.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jsonrpc/batch.h"
#include "jsonrpc/message.h"
#include "mcp/tool_provider.h"

namespace lmcp::mcp {

// What one MCP revision carries, as far as this server's output depends on it.
struct Revision {
  std::string_view version;         // the revision's date, as negotiated ("2025-06-18")
  bool batches = false;             // JSON-RPC batches (only 2025-03-26: added there, removed in 2025-06-18)
  bool audio = false;               // audio content blocks
  bool tool_annotations = false;    // Tool.annotations
  bool progress_message = false;    // "message" in notifications/progress
  bool structured_content = false;  // structuredContent, Tool.outputSchema, titles, Tool._meta
  bool resource_links = false;      // resource_link content blocks
  bool icons = false;               // Tool.icons
  // 2025-11-25's experimental tasks: the `tasks` capability, params.task on tools/call, tasks/get|result|
  // list|cancel, Tool.execution.taskSupport. The stateless era replaced them with the tasks extension.
  bool tasks = false;
  // The stateless era (2026-07-28 on): every request carries its version and client capabilities in
  // `_meta`, there is no initialize and no session; results carry resultType, list results caching hints;
  // server→client requests become input-required results (MRTR). Never negotiated through initialize.
  bool stateless = false;
};

// Every revision the server speaks, newest first: the one place that knows them. Supporting a new revision is
// adding its row here (and, for a feature no row had before, a field above and its use in rendering).
// clang-format off
inline constexpr Revision kRevisions[] = {
    {.version = "2026-07-28",                 .audio = true, .tool_annotations = true, .progress_message = true,
     .structured_content = true, .resource_links = true, .icons = true, .stateless = true},
    {.version = "2025-11-25",                 .audio = true, .tool_annotations = true, .progress_message = true,
     .structured_content = true, .resource_links = true, .icons = true, .tasks = true},
    {.version = "2025-06-18",                 .audio = true, .tool_annotations = true, .progress_message = true,
     .structured_content = true, .resource_links = true},
    {.version = "2025-03-26", .batches = true, .audio = true, .tool_annotations = true, .progress_message = true},
    {.version = "2024-11-05"},
};
// clang-format on
// The newest revision initialize negotiates (stateless revisions are never negotiated that way).
inline constexpr std::string_view kLatestProtocolVersion = kRevisions[1].version;
static_assert(!kRevisions[1].stateless && kRevisions[0].stateless);

// The request that opens a session (the only one allowed before it, with ping).
inline constexpr char kInitializeMethod[] = "initialize";
// True for an initialize request envelope (a method and an id).
bool IsInitializeRequest(const Json& message);

// The row of a supported revision; nullptr for any other string (and for "", before initialize).
const Revision* FindRevision(std::string_view version);
// The versions of kRevisions, newest first: both eras.
const std::vector<std::string>& SupportedProtocolVersions();
bool IsSupportedProtocolVersion(std::string_view version);
// The stateless-era versions, newest first (server/discover's supportedVersions).
const std::vector<std::string>& StatelessProtocolVersions();
// True for a supported stateless-era version.
bool IsStateless(std::string_view version);
// For initialize: echoes a supported session-era version, else answers with kLatestProtocolVersion (the
// client then decides). A stateless version asked through initialize gets kLatestProtocolVersion too.
std::string NegotiateProtocolVersion(std::string_view requested);

// Feature gates by negotiated version, read from kRevisions; false for an unsupported or empty version.
bool AllowsBatches(std::string_view version);
bool HasAudio(std::string_view version);
bool HasToolAnnotations(std::string_view version);
bool HasProgressMessage(std::string_view version);
bool HasStructuredContent(std::string_view version);  // structuredContent, outputSchema, titles, Tool._meta
bool HasResourceLinks(std::string_view version);
bool HasIcons(std::string_view version);
bool HasTasks(std::string_view version);  // 2025-11-25's tasks (not the stateless era's extension)
// The batch rule of a version, for jsonrpc::CheckBatch.
jsonrpc::BatchPolicy BatchPolicyFor(std::string_view version);

Json RenderTool(const ToolDefinition& tool, std::string_view version);
// The JSON-RPC error for a tools/call whose provider failed: kNotFound → -32602 unknown tool,
// kInvalidArgument → -32602, anything else → -32603 naming the tool and the cause.
jsonrpc::RpcError ToolCallError(const std::string& tool, const Error& error);
// Takes the result so its content moves into the rendered JSON (a function's result can be megabytes).
Json RenderToolResult(ToolResult result, std::string_view version);

// tools/list cursors: opaque strings that encode a list offset.
std::string EncodeCursor(size_t offset);
std::optional<size_t> DecodeCursor(std::string_view cursor);

}  // namespace lmcp::mcp
