#include "mcp/request_meta.h"

#include "mcp/protocol.h"

namespace lmcp::mcp {

using jsonrpc::RpcError;

bool IsStatelessRequest(const jsonrpc::Message& request) {
  if (request.method == "server/discover" || request.method == "subscriptions/listen") {
    return true;
  }
  if (!request.params.is_object()) {
    return false;
  }
  auto meta = request.params.find("_meta");
  return meta != request.params.end() && meta->is_object() &&
         (meta->contains(kMetaProtocolVersion) || meta->contains(kMetaClientCapabilities));
}

std::variant<RequestMeta, RpcError> ReadRequestMeta(const Json& params) {
  const std::string needed = std::string("params._meta with \"") + kMetaProtocolVersion + "\" and \"" +
                             kMetaClientCapabilities + "\"";
  if (!params.is_object() || !params.contains("_meta") || !params["_meta"].is_object()) {
    return RpcError::InvalidParams("Invalid params: MCP 2026-07-28 requests need " + needed);
  }
  RequestMeta out;
  const Json& meta = params["_meta"];
  auto version = meta.find(kMetaProtocolVersion);
  if (version == meta.end() || !version->is_string()) {
    return RpcError::InvalidParams(std::string("Invalid params: _meta needs a string \"") +
                                   kMetaProtocolVersion + "\"");
  }
  auto caps = meta.find(kMetaClientCapabilities);
  if (caps == meta.end() || !caps->is_object()) {
    return RpcError::InvalidParams(std::string("Invalid params: _meta needs an object \"") +
                                   kMetaClientCapabilities + "\" (empty when the client has none)");
  }
  out.protocol_version = version->get<std::string>();
  if (!IsStateless(out.protocol_version)) {
    return RpcError::UnsupportedProtocolVersion(StatelessProtocolVersions(), out.protocol_version);
  }
  out.client_capabilities = *caps;
  if (auto level = meta.find(kMetaLogLevel); level != meta.end()) {
    out.log_level = level->is_string() ? ParseLogLevel(level->get<std::string>()) : std::nullopt;
    if (!out.log_level) {
      return RpcError::InvalidParams(
          std::string("Invalid params: _meta \"") + kMetaLogLevel +
          "\" must be one of debug, info, notice, warning, error, critical, alert, emergency");
    }
  }
  if (auto info = meta.find(kMetaClientInfo); info != meta.end() && info->is_object()) {
    if (auto name = info->find("name"); name != info->end() && name->is_string()) {
      out.client_name = name->get<std::string>();
    }
  }
  return out;
}

Json MissingCapabilities(const Json& required, const Json& declared) {
  Json missing = Json::object();
  if (!required.is_object()) {
    return missing;
  }
  for (const auto& [name, value] : required.items()) {
    if (!declared.is_object() || !declared.contains(name) || declared[name].is_null()) {
      missing[name] = value.is_object() ? value : Json::object();
    }
  }
  return missing;
}

std::string CapabilityForInputRequest(std::string_view method) {
  if (method == "elicitation/create") {
    return "elicitation";
  }
  if (method == "sampling/createMessage") {
    return "sampling";
  }
  if (method == "roots/list") {
    return "roots";
  }
  return "";
}

}  // namespace lmcp::mcp
