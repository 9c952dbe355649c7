#pragma once
// JSON-RPC 2.0 messages: parsing raw text, classifying a parsed value as request, notification or response,
// and building replies. Ids are kept as JSON so they echo back with their exact type. Pure functions; no I/O,
// safe from any thread. This file is the layer's single place where nlohmann exceptions become values.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lmcp::jsonrpc {

using Json = nlohmann::json;

struct RpcError {
  int code = 0;
  std::string message;
  Json data;  // null = omitted

  static RpcError ParseError(std::string m);
  static RpcError InvalidRequest(std::string m);
  static RpcError MethodNotFound(std::string m);
  static RpcError InvalidParams(std::string m);
  static RpcError Internal(std::string m);
  static RpcError TransportError(std::string m);
  // With the code's default message, "Session not found".
  static RpcError SessionNotFound();
  // MCP 2026-07-28: -32020; -32021 with data {requiredCapabilities: {name: {}}}; -32022 with data
  // {supported, requested}.
  static RpcError HeaderMismatch(std::string m);
  static RpcError MissingClientCapability(Json required);
  static RpcError UnsupportedProtocolVersion(const std::vector<std::string>& supported,
                                             const std::string& requested);
  // -32600 for a raw message of `bytes` over the `limit` (stdio line, HTTP session input).
  static RpcError MessageTooLarge(std::size_t bytes, std::size_t limit);
};

enum class MessageKind { kRequest, kNotification, kResponse };

// One classified message. Requests have `id` and `method`; notifications only `method`; responses `id`
// and either `result` or `error`.
struct Message {
  MessageKind kind = MessageKind::kRequest;
  Json id;                        // string or integer for requests and responses; null for notifications
  std::string method;             // requests and notifications
  Json params;                    // object, array or null (absent)
  Json result;                    // responses: the result, when no error
  std::optional<RpcError> error;  // responses: the error member
};

// A parse or shape failure, with the id to answer under (null when it cannot be known).
struct Invalid {
  RpcError error;
  Json id;
};

// Parses raw text with common/json.h's depth limit (kMaxJsonDepth). A syntax error, invalid UTF-8 or
// nesting deeper than the limit gives a -32700 Invalid; the over-deep value is never built.
std::variant<Json, Invalid> ParseJson(std::string_view text);

// Checks one parsed element (not a batch array) against the JSON-RPC 2.0 shapes. Takes the value so the
// message's params and result are moved out of it, not copied: pass std::move(value) when it is not needed
// afterwards (client JSON can be megabytes).
std::variant<Message, Invalid> Classify(Json value);

// True for a valid id: a string or an integer.
bool IsValidId(const Json& id);

// The envelope alone, as a transport checks a message before routing it (the MCP TypeScript SDK's
// JSONRPCMessageSchema): an object with "jsonrpc":"2.0", a valid id if it has one, and either a string
// "method" or an id with "result" or "error". Classify checks the rest ("params" an object or array, exactly
// one of "result" and "error") and says what is wrong.
bool IsEnvelope(const Json& message);
// On an envelope (or a message the core built): a request has a method and an id; a response an id and a
// result or an error; a success response a result.
bool IsRequest(const Json& message);
bool IsResponse(const Json& message);
bool IsSuccessResponse(const Json& message);

Json MakeResult(const Json& id, Json result);
Json MakeError(const Json& id, const RpcError& error);
Json MakeNotification(std::string_view method, Json params = nullptr);
Json MakeRequest(const Json& id, std::string_view method, Json params = nullptr);

// Compact one-line JSON; invalid UTF-8 in strings is replaced instead of throwing.
std::string Serialize(const Json& message);

// The key for maps keyed by request id (calls in flight, HTTP routes). Keeps the id's type: the string id
// "1" and the integer id 1 are different requests ("s:1" and "i:1").
std::string IdKey(const Json& id);

}  // namespace lmcp::jsonrpc
