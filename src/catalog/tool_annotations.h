#pragma once
// What a tool says about itself: its title and the MCP annotations readOnlyHint, destructiveHint,
// idempotentHint and openWorldHint. Each comes from the function's tag (mcp:title, mcp:read-only,
// mcp:destructive, mcp:idempotent, mcp:open-world; the hints "true" or "false"), else from the first of the
// target's ToolOverrides whose function glob matches the function's name and that sets it; unset ones are
// left out, so clients apply MCP's defaults. Pure functions.

#include <string>
#include <vector>

#include "catalog/lambda_backend.h"
#include "catalog/target_options.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

inline constexpr char kTitleTag[] = "mcp:title";
inline constexpr char kReadOnlyTag[] = "mcp:read-only";
inline constexpr char kDestructiveTag[] = "mcp:destructive";
inline constexpr char kIdempotentTag[] = "mcp:idempotent";
inline constexpr char kOpenWorldTag[] = "mcp:open-world";

// Sets definition.title and definition.annotations (null when nothing is set; "title" is repeated there for
// clients of revisions before 2025-06-18). A hint tag that is not true/false is ignored with a warning.
void ApplyToolAnnotations(const TargetOptions& target, const std::string& function_name, const Tags& tags,
                          mcp::ToolDefinition& definition, std::vector<std::string>& warnings);

}  // namespace lmcp::catalog
