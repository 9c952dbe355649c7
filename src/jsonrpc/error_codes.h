#pragma once
// The JSON-RPC 2.0 error codes the server sends, in one table. Constants only; safe everywhere.

namespace lmcp::jsonrpc {

enum ErrorCode : int {
  kParseError = -32700,  // not JSON at all; answered with id null
  kInvalidRequest =
      -32600,  // JSON, but not a valid request (no method, bad id, batch not allowed, too large)
  kMethodNotFound = -32601,  // unknown method (unknown notifications are ignored instead)
  kInvalidParams = -32602,   // params break the method's shape; unknown tool; invalid cursor
  kInternalError = -32603,   // a bug, a provider failure, or the server is shutting down
};

// "Parse error", "Invalid Request", ... (the spec's names), or "Server error" for other codes.
const char* ErrorCodeName(int code);

}  // namespace lmcp::jsonrpc
