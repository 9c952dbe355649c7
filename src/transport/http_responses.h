#pragma once
// The Streamable HTTP transport's own answers (not the MCP core's): media types, the JSON-RPC error codes it
// answers with (as the TypeScript SDK does) and the JSON bodies. Internal to transport/http_server*.cc.

#include <string>

#include "transport/http_listener.h"
#include "transport/http_session.h"

namespace lmcp::transport {

inline constexpr char kJson[] = "application/json";
inline constexpr char kSse[] = "text/event-stream";

// JSON-RPC error codes the transport itself answers with (as the TypeScript SDK does).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kTransportError = -32000;
inline constexpr int kSessionNotFound = -32001;

inline HttpResponse JsonRpcError(int status, int code, const std::string& message) {
  HttpResponse res;
  res.status = status;
  Json body = {{"jsonrpc", "2.0"}, {"error", {{"code", code}, {"message", message}}}, {"id", nullptr}};
  res.body = DumpJson(body);
  res.content_type = kJson;
  return res;
}

inline HttpResponse JsonBody(int status, std::string body) {
  HttpResponse res;
  res.status = status;
  res.body = std::move(body);
  res.content_type = kJson;
  return res;
}

}  // namespace lmcp::transport
