// The stateless era of MCP (2026-07-28): requests that carry their protocol version and client capabilities
// in _meta, served without initialize: server/discover, tools/list with caching hints, tools/call with
// multi round-trip requests (input-required results with a sealed requestState), and subscriptions/listen.

#include <spdlog/spdlog.h>

#include <utility>

#include "common/log_text.h"
#include "common/version.h"
#include "jsonrpc/error_codes.h"
#include "mcp/protocol.h"
#include "mcp/request_state.h"
#include "mcp/session_impl.h"
#include "mcp/task_wire.h"

namespace lmcp::mcp {

using jsonrpc::Message;
using jsonrpc::Reply;
using jsonrpc::RpcError;

void SessionImpl::RegisterStatelessHandlers() {
  stateless_dispatcher_.OnRequest("server/discover",
                                  [this](const Message&, const auto&) { return Discover(); });
  stateless_dispatcher_.OnRequest("tools/list", [this](const Message& m, const auto&) {
    return ListTools(m, std::get<RequestMeta>(ReadRequestMeta(m.params)).protocol_version, true);
  });
  stateless_dispatcher_.OnRequest("tools/call", [this](Message& m, const jsonrpc::Responder& r) {
    auto meta = std::make_shared<const RequestMeta>(std::get<RequestMeta>(ReadRequestMeta(m.params)));
    return CallTool(m, r, std::move(meta));
  });
  stateless_dispatcher_.OnRequest(
      "subscriptions/listen", [this](const Message& m, const jsonrpc::Responder& r) { return Listen(m, r); });
}

void SessionImpl::HandleStateless(Message m, const Replier& reply) {
  Json id = m.id;
  // The _meta is checked once here; the handlers read it again knowing it is valid.
  auto meta = ReadRequestMeta(m.params);
  if (auto* refused = std::get_if<RpcError>(&meta)) {
    reply(id, jsonrpc::MakeError(id, *refused));
    return;
  }
  if (!stateless_dispatcher_.HasMethod(m.method)) {
    // initialize, ping and logging/setLevel do not exist in this era.
    reply(id, jsonrpc::MakeError(id, RpcError::MethodNotFound("Method not found: " + ForLog(m.method, 80))));
    return;
  }
  jsonrpc::Responder responder = [reply, id](std::optional<Json> response) {
    reply(id, std::move(response));
  };
  if (auto response = stateless_dispatcher_.Dispatch(std::move(m), responder)) {
    if (jsonrpc::IsSuccessResponse(*response) && !(*response)["result"].contains("resultType")) {
      (*response)["result"]["resultType"] = "complete";
    }
    reply(id, std::move(*response));
  }
}

Reply SessionImpl::Discover() {
  const ServerOptions& options = server_.options();
  Json result{
      {"supportedVersions", StatelessProtocolVersions()},
      {"capabilities", {{"tools", {{"listChanged", true}}}, {"logging", Json::object()}}},
      {"_meta", {{kMetaServerInfo, {{"name", kServerName}, {"title", "Lambda MCP"}, {"version", kVersion}}}}},
      {"ttlMs", options.list_ttl.count()},
      {"cacheScope", options.list_cache_scope}};
  if (!options.instructions.empty()) {
    result["instructions"] = options.instructions;
  }
  if (server_.tasks().options().enabled) {
    result["capabilities"]["extensions"][kTasksExtension] = Json::object();
  }
  return Reply::Ok(std::move(result));
}

// ---- tools/call: admission and MRTR ----

std::optional<RpcError> SessionImpl::AdmitStatelessCall(const Message& m, Call& call,
                                                        const ToolDefinition* tool) {
  if (tool != nullptr) {  // an unknown tool, or a failed listing, is the provider's to report
    Json missing = MissingCapabilities(tool->required_client_capabilities, call.meta->client_capabilities);
    if (!missing.empty()) {
      return RpcError::MissingClientCapability(std::move(missing));
    }
  }
  if (auto responses = m.params.find("inputResponses");
      responses != m.params.end() && !responses->is_null()) {
    if (!responses->is_object()) {
      return RpcError::InvalidParams("Invalid params: inputResponses must be an object");
    }
    call.input_responses = *responses;
  }
  call.arguments_digest = ArgumentsDigest(call.arguments);
  auto state = m.params.find("requestState");
  if (state == m.params.end() || state->is_null()) {
    return std::nullopt;
  }
  if (!state->is_string()) {
    return RpcError::InvalidParams("Invalid params: requestState must be the string the server sent");
  }
  auto opened = server_.sealer().Open({options_.principal, call.name, call.arguments_digest},
                                      state->get<std::string>());
  if (!opened.ok()) {
    spdlog::warn("mcp: refused a requestState for tool {} from {}: {}", ForLog(call.name),
                 ForLog(options_.principal), opened.error().message);
    return RpcError::InvalidParams("Invalid params: " + opened.error().message);
  }
  call.request_state = std::move(*opened);
  return std::nullopt;
}

Json SessionImpl::StatelessResponse(const Call& call, ToolResult result) {
  if (!result.input_required) {
    Json rendered = RenderToolResult(std::move(result), call.meta->protocol_version);
    rendered["resultType"] = "complete";
    return jsonrpc::MakeResult(call.id, std::move(rendered));
  }
  InputRequired& input = *result.input_required;
  Json required = Json::object();
  for (const auto& [key, request] : input.input_requests.items()) {
    std::string capability = CapabilityForInputRequest(request.value("method", ""));
    if (capability.empty()) {
      return jsonrpc::MakeError(call.id, RpcError::Internal("Internal error: tool " + call.name +
                                                            " asked for input with an unknown method"));
    }
    required[capability] = Json::object();
  }
  if (Json missing = MissingCapabilities(required, call.meta->client_capabilities); !missing.empty()) {
    return jsonrpc::MakeError(call.id, RpcError::MissingClientCapability(std::move(missing)));
  }
  Json out{{"resultType", "input_required"}};
  // At least one of inputRequests and requestState: with no requests, the (possibly null) state goes back.
  bool seal = !input.state.is_null() || input.input_requests.empty();
  if (!input.input_requests.empty()) {
    out["inputRequests"] = std::move(input.input_requests);
  }
  if (seal) {
    auto sealed = server_.sealer().Seal({options_.principal, call.name, call.arguments_digest}, input.state);
    if (!sealed.ok()) {
      return jsonrpc::MakeError(call.id, RpcError::Internal("Internal error: " + sealed.error().message));
    }
    out["requestState"] = std::move(*sealed);
  }
  return jsonrpc::MakeResult(call.id, std::move(out));
}

// ---- subscriptions/listen ----

Reply SessionImpl::Listen(const Message& m, const jsonrpc::Responder& responder) {
  bool tools = false;
  if (auto filter = m.params.find("notifications"); filter != m.params.end() && !filter->is_null()) {
    if (!filter->is_object()) {
      return RpcError::InvalidParams("Invalid params: notifications must be an object");
    }
    tools = filter->value("toolsListChanged", false) == true;
  }
  Json acknowledged = Json::object();
  if (tools) {
    acknowledged["toolsListChanged"] = true;
  }
  Subscription subscription{m.id, tools, responder, nullptr};
  if (auto filter = m.params.find("notifications"); filter != m.params.end() && filter->is_object()) {
    if (auto refused = WatchTasks(m, *filter, subscription, acknowledged)) {
      return std::move(*refused);
    }
  }
  std::shared_ptr<TaskFeed> feed = subscription.tasks;
  std::string key = jsonrpc::IdKey(m.id);
  {
    std::lock_guard lock(mu_);
    if (!accepting_ || subscriptions_.count(key) > 0 || calls_.count(key) > 0 || task_waits_.count(key) > 0) {
      if (feed) {
        server_.tasks().Unwatch(feed->watch);
      }
      if (!accepting_) {
        return RpcError::Internal("Internal error: the server is shutting down");
      }
      return RpcError::InvalidRequest("Invalid Request: request id is already in use");
    }
    // Under mu_, so no list change can go out on this stream before its acknowledgement.
    Send(jsonrpc::MakeNotification(
             "notifications/subscriptions/acknowledged",
             Json{{"_meta", {{kMetaSubscriptionId, m.id}}}, {"notifications", acknowledged}}),
         m.id);
    subscriptions_[key] = std::move(subscription);
  }
  if (feed) {
    std::lock_guard lock(feed->mu);
    feed->open = feed->session != nullptr;  // after the acknowledgement, unless EndSubscription closed it
  }
  return Reply::Deferred();
}

bool SessionImpl::EndSubscription(const std::string& key, std::optional<Json> response) {
  Subscription ended;
  {
    std::lock_guard lock(mu_);
    auto it = subscriptions_.find(key);
    if (it == subscriptions_.end()) {
      return false;
    }
    ended = std::move(it->second);
    subscriptions_.erase(it);
  }
  if (ended.tasks) {
    server_.tasks().Unwatch(ended.tasks->watch);
    std::lock_guard lock(ended.tasks->mu);
    ended.tasks->open = false;
    ended.tasks->session = nullptr;
  }
  ended.responder(std::move(response));
  return true;
}

}  // namespace lmcp::mcp
