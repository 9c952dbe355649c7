#pragma once
// The Streamable HTTP transport's own answers (not the MCP core's): media types and the JSON-RPC error bodies
// it answers with, whose codes are jsonrpc/error_codes.h's. Internal to transport/http_server*.cc.

#include <string>

#include "jsonrpc/message.h"
#include "transport/http_listener.h"

namespace lmcp::transport {

using jsonrpc::RpcError;

inline constexpr char kJson[] = "application/json";
inline constexpr char kSse[] = "text/event-stream";

// A JSON-RPC error as the body of an HTTP `status` answer: id null unless the request's is known.
inline HttpResponse JsonRpcError(int status, const RpcError& error, const jsonrpc::Json& id = nullptr) {
  HttpResponse res;
  res.status = status;
  res.body = jsonrpc::Serialize(jsonrpc::MakeError(id, error));
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
