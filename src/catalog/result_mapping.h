#pragma once
// Invoke responses and invoke failures as MCP tool results, in lambda-mcp's own form and in the reference
// server's (compat) form. Pure functions.
//
// lambda-mcp's convention for a successful payload:
//  - a JSON object with a "content" array of MCP content blocks (each an object with a string "type")
//    passes through: its "content", "structuredContent" (object) and "isError" (bool) become the result,
//    so a function can return images ({"type":"image","data":<base64>,"mimeType":"image/png"});
//  - an API-Gateway-style object
//  {"isBase64Encoded":true,"body":<base64>,"headers":{"Content-Type":"image/…"}}
//    becomes an image block;
//  - other JSON → its text as a text block, plus structuredContent when it is an object and the negotiated
//    revision has structured content (mcp::HasStructuredContent);
//  - UTF-8 text that is not JSON → a text block; non-UTF-8 bytes → an image block for PNG/JPEG/GIF/WebP,
//    else an embedded resource with a base64 blob.
//  - an object whose "resultType" is "input_required" asks the client for input (catalog/input_required.h),
//    in both modes.
// Text longer than max_text_bytes is cut at a UTF-8 boundary and ends with a visible truncation notice.

#include <nlohmann/json.hpp>
#include <string>

#include "catalog/lambda_backend.h"
#include "common/base64.h"
#include "common/result.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

struct ResultContext {
  std::string tool;      // tool name
  std::string function;  // function name (what the reference texts name)
  std::string function_arn;
  std::string qualifier;
  std::string protocol_version;  // negotiated, e.g. "2025-06-18"
  bool stateless = false;        // the 2026-07-28 era: input-required results can reach the client
  std::size_t max_text_bytes = 1024 * 1024;
  bool compat_reference = false;
  int timeout_seconds = 0;  // the read timeout used, for the timeout message
};

// Takes the response so its payload moves into the result's text. A payload nested deeper than
// kMaxJsonDepth (common/json.h) becomes an isError result saying so; the deep value is never built.
mcp::ToolResult MapInvokeResponse(InvokeResponse response, const ResultContext& ctx);
mcp::ToolResult MapInvokeError(const Error& error, const ResultContext& ctx);
// An Event (asynchronous) invoke Lambda accepted: says so, with the request id (also as structuredContent
// {accepted, requestId, invocationType} where the revision has it); the function's result is never known.
mcp::ToolResult MapEventAccepted(const InvokeResponse& response, const ResultContext& ctx);
// Lambda throttled the call (TooManyRequestsException or another AWS throttling code, HTTP 429), as opposed
// to a request or response over a size limit: both arrive as kResourceExhausted ("<Code>: ...").
bool IsLambdaThrottle(const Error& error);

// Python's json.dumps(value, indent=2) (ensure_ascii, key order kept) of a JSON text; nullopt if not JSON.
std::optional<std::string> PythonJsonDumpsIndent2(const std::string& json_text);
// Python's repr() of a bytes object: b'...'.
std::string PythonBytesRepr(const std::string& bytes);
bool IsValidUtf8(const std::string& s);

}  // namespace lmcp::catalog
