#pragma once
// The per-request `_meta` of MCP 2026-07-28 (the stateless era): each request names its protocol version and
// the client's capabilities there, instead of an initialize handshake. Parsing and checking it, and the
// capability rules that go with it. Pure functions, safe from any thread.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "jsonrpc/message.h"
#include "mcp/tool_provider.h"

namespace lmcp::mcp {

inline constexpr char kMetaProtocolVersion[] = "io.modelcontextprotocol/protocolVersion";
inline constexpr char kMetaClientCapabilities[] = "io.modelcontextprotocol/clientCapabilities";
inline constexpr char kMetaClientInfo[] = "io.modelcontextprotocol/clientInfo";
inline constexpr char kMetaLogLevel[] = "io.modelcontextprotocol/logLevel";
inline constexpr char kMetaServerInfo[] = "io.modelcontextprotocol/serverInfo";
inline constexpr char kMetaSubscriptionId[] = "io.modelcontextprotocol/subscriptionId";

// A stateless-era request's `_meta`, checked.
struct RequestMeta {
  std::string protocol_version;         // a supported stateless version
  Json client_capabilities;             // an object
  std::string client_name = "unknown";  // clientInfo.name, for logs
  std::optional<LogLevel> log_level;    // none: no notifications/message for this request
};

// True when a request belongs to the stateless era: its params._meta names a protocol version or client
// capabilities, or its method exists only there (server/discover, subscriptions/listen).
bool IsStatelessRequest(const jsonrpc::Message& request);

// Reads and checks params._meta (leaving it in place): -32602 when _meta, its protocolVersion or its
// clientCapabilities is missing or mistyped (or logLevel is not a level); -32022 with the supported
// versions when the version is not a stateless one this server serves.
std::variant<RequestMeta, jsonrpc::RpcError> ReadRequestMeta(const Json& params);

// The capabilities of `required` ({"sampling": {}, ...}) that `declared` lacks, as an object; empty when
// none is missing.
Json MissingCapabilities(const Json& required, const Json& declared);

// The client capability an input request (MRTR) needs: elicitation/create → elicitation,
// sampling/createMessage → sampling, roots/list → roots; "" for any other method.
std::string CapabilityForInputRequest(std::string_view method);

}  // namespace lmcp::mcp
