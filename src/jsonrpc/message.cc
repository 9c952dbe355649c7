#include "jsonrpc/message.h"

#include <utility>

#include "common/json.h"
#include "common/strings.h"
#include "jsonrpc/error_codes.h"

namespace lmcp::jsonrpc {

const char* ErrorCodeName(int code) {
  switch (code) {
    case kParseError:
      return "Parse error";
    case kInvalidRequest:
      return "Invalid Request";
    case kMethodNotFound:
      return "Method not found";
    case kInvalidParams:
      return "Invalid params";
    case kInternalError:
      return "Internal error";
    case kSessionNotFound:
      return "Session not found";
    case kHeaderMismatch:
      return "Header mismatch";
    case kMissingClientCapability:
      return "Missing required client capability";
    case kUnsupportedProtocolVersion:
      return "Unsupported protocol version";
    case kTransportError:
    default:
      return "Server error";
  }
}

RpcError RpcError::ParseError(std::string m) { return {kParseError, std::move(m), nullptr}; }
RpcError RpcError::InvalidRequest(std::string m) { return {kInvalidRequest, std::move(m), nullptr}; }
RpcError RpcError::MethodNotFound(std::string m) { return {kMethodNotFound, std::move(m), nullptr}; }
RpcError RpcError::InvalidParams(std::string m) { return {kInvalidParams, std::move(m), nullptr}; }
RpcError RpcError::Internal(std::string m) { return {kInternalError, std::move(m), nullptr}; }
RpcError RpcError::TransportError(std::string m) { return {kTransportError, std::move(m), nullptr}; }
RpcError RpcError::SessionNotFound() { return {kSessionNotFound, ErrorCodeName(kSessionNotFound), nullptr}; }

RpcError RpcError::HeaderMismatch(std::string m) { return {kHeaderMismatch, std::move(m), nullptr}; }

RpcError RpcError::MissingClientCapability(Json required) {
  std::vector<std::string> names;
  for (const auto& [name, value] : required.items()) {
    names.push_back(name);
  }
  return {kMissingClientCapability,
          "Missing required client capability: this request needs the client to declare " + Join(names, ", "),
          Json{{"requiredCapabilities", std::move(required)}}};
}

RpcError RpcError::UnsupportedProtocolVersion(const std::vector<std::string>& supported,
                                              const std::string& requested) {
  return {kUnsupportedProtocolVersion,
          "Unsupported protocol version (supported versions: " + Join(supported, ", ") + ")",
          Json{{"supported", supported}, {"requested", requested}}};
}

RpcError RpcError::MessageTooLarge(std::size_t bytes, std::size_t limit) {
  return InvalidRequest("Invalid Request: message of " + std::to_string(bytes) +
                        " bytes exceeds the limit of " + std::to_string(limit) + " bytes");
}

std::variant<Json, Invalid> ParseJson(std::string_view text) {
  Result<Json> parsed = lmcp::ParseJson(text, kMaxJsonDepth);
  if (!parsed.ok()) {
    return Invalid{RpcError::ParseError("Parse error: " + parsed.error().message), nullptr};
  }
  return std::move(parsed).value();
}

bool IsValidId(const Json& id) { return id.is_string() || id.is_number_integer(); }

bool IsEnvelope(const Json& message) {
  if (!message.is_object()) {
    return false;
  }
  auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0") {
    return false;
  }
  auto id = message.find("id");
  if (id != message.end() && !IsValidId(*id)) {
    return false;
  }
  if (auto method = message.find("method"); method != message.end()) {
    return method->is_string();
  }
  return id != message.end() && (message.contains("result") || message.contains("error"));
}

bool IsRequest(const Json& message) {
  return message.is_object() && message.contains("method") && message.contains("id");
}

bool IsResponse(const Json& message) {
  return message.is_object() && message.contains("id") &&
         (message.contains("result") || message.contains("error"));
}

bool IsSuccessResponse(const Json& message) { return IsResponse(message) && message.contains("result"); }

namespace {

Invalid Bad(std::string message, Json id = nullptr) {
  return Invalid{RpcError::InvalidRequest(std::move(message)), std::move(id)};
}

// A response's "error" member, leniently: what is missing or of the wrong type stays empty.
RpcError ErrorMember(Json& e) {
  RpcError err;
  if (!e.is_object()) {
    return err;
  }
  if (auto code = e.find("code"); code != e.end() && code->is_number_integer()) {
    err.code = code->get<int>();
  }
  if (auto msg = e.find("message"); msg != e.end() && msg->is_string()) {
    err.message = msg->get<std::string>();
  }
  if (auto data = e.find("data"); data != e.end()) {
    err.data = std::move(*data);
  }
  return err;
}

}  // namespace

std::variant<Message, Invalid> Classify(Json value) {
  if (!value.is_object()) {
    return Bad("Invalid Request: a JSON-RPC message must be an object");
  }
  // The id to answer under, when it is usable at all.
  Json reply_id = nullptr;
  auto id_it = value.find("id");
  bool has_id = id_it != value.end();
  if (has_id && IsValidId(*id_it)) {
    reply_id = *id_it;
  }
  auto version = value.find("jsonrpc");
  if (version == value.end() || *version != "2.0") {
    return Bad("Invalid Request: \"jsonrpc\" must be \"2.0\"", reply_id);
  }
  if (has_id && !IsValidId(*id_it)) {
    return Bad("Invalid Request: \"id\" must be a string or an integer");
  }
  auto method = value.find("method");
  bool has_result = value.contains("result");
  bool has_error = value.contains("error");
  Message m;
  if (method == value.end()) {
    if (has_result || has_error) {
      if (!has_id) {
        return Bad("Invalid Request: a response needs an \"id\"");
      }
      if (has_result == has_error) {
        return Bad("Invalid Request: a response has exactly one of \"result\" and \"error\"", reply_id);
      }
      m.kind = MessageKind::kResponse;
      m.id = *id_it;
      if (has_result) {
        m.result = std::move(value["result"]);
      } else {
        m.error = ErrorMember(value["error"]);
      }
      return m;
    }
    return Bad("Invalid Request: missing \"method\"", reply_id);
  }
  if (!method->is_string()) {
    return Bad("Invalid Request: \"method\" must be a string", reply_id);
  }
  if (auto params = value.find("params"); params != value.end()) {
    if (!params->is_object() && !params->is_array()) {
      return Bad("Invalid Request: \"params\" must be an object or an array", reply_id);
    }
    m.params = std::move(*params);
  }
  m.method = method->get<std::string>();
  if (has_id) {
    m.kind = MessageKind::kRequest;
    m.id = *id_it;
  } else {
    m.kind = MessageKind::kNotification;
  }
  return m;
}

Json MakeResult(const Json& id, Json result) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

Json MakeError(const Json& id, const RpcError& error) {
  Json err{{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) {
    err["data"] = error.data;
  }
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(err)}};
}

Json MakeNotification(std::string_view method, Json params) {
  Json n{{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) {
    n["params"] = std::move(params);
  }
  return n;
}

Json MakeRequest(const Json& id, std::string_view method, Json params) {
  Json r{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) {
    r["params"] = std::move(params);
  }
  return r;
}

std::string Serialize(const Json& message) {
  return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string IdKey(const Json& id) {
  if (id.is_string()) {
    return "s:" + id.get<std::string>();
  }
  return "i:" + id.dump();
}

}  // namespace lmcp::jsonrpc
