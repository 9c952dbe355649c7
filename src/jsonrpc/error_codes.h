#pragma once
// Every JSON-RPC 2.0 error code lambda-mcp sends, MCP core and transports alike, in one table: no other file
// spells a code as a number. Constants only; safe everywhere.

namespace lmcp::jsonrpc {

enum ErrorCode : int {
  // The JSON-RPC 2.0 codes.
  kParseError = -32700,      // not JSON at all, or (HTTP) not a JSON-RPC envelope; answered with id null
  kInvalidRequest = -32600,  // JSON, but not a valid request (no method, bad id, batch refused, too large)
  kMethodNotFound = -32601,  // unknown method (unknown notifications are ignored instead)
  kInvalidParams = -32602,   // params break the method's shape; unknown tool; invalid cursor
  kInternalError = -32603,   // a bug, a provider failure, or the server is shutting down
  // Implementation-defined server errors (-32000 to -32099), answered by the Streamable HTTP transport with
  // the codes the MCP TypeScript SDK uses, so clients written against it read them alike.
  kTransportError = -32000,   // refused before the MCP core saw the message: headers, auth, routing, limits
  kSessionNotFound = -32001,  // an unknown, expired or foreign Mcp-Session-Id (HTTP 404)
  // MCP 2026-07-28's own codes (-32020 to -32099 are reserved for the MCP specification); HTTP 400 each.
  kHeaderMismatch = -32020,              // MCP-Protocol-Version/Mcp-Method/Mcp-Name/Mcp-Param-* vs the body
  kMissingClientCapability = -32021,     // the request needs a client capability it did not declare
  kUnsupportedProtocolVersion = -32022,  // the request's _meta names a version the server does not serve
};

// The default message for a code: "Parse error", "Invalid Request", ... (the spec's names), "Server error"
// for kTransportError and any other code in -32000..-32099 or outside the table, "Session not found" for
// kSessionNotFound, and the MCP names for -32020..-32022.
const char* ErrorCodeName(int code);

}  // namespace lmcp::jsonrpc
