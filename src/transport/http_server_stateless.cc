// HttpServer's MCP 2026-07-28 half: a POST carrying the stateless era's _meta (or its version header) stands
// alone. It is checked against its headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name: -32020), served by
// an MCP session created for it alone, and answered as JSON with the era's status codes (400 for the new
// errors, 404 for an unknown method) or as a stream; closing that stream cancels the request.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/log_text.h"
#include "jsonrpc/error_codes.h"
#include "mcp/protocol.h"
#include "mcp/request_meta.h"
#include "mcp/x_mcp_header.h"
#include "transport/http_responses.h"
#include "transport/http_server.h"
#include "transport/http_server_post.h"

namespace lmcp::transport {
namespace {

const Json* Field(const Json& object, const char* key) {
  if (!object.is_object()) {
    return nullptr;
  }
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const Json* MetaField(const Json& message, const char* key) {
  const Json* params = Field(message, "params");
  const Json* meta = params != nullptr ? Field(*params, "_meta") : nullptr;
  return meta != nullptr ? Field(*meta, key) : nullptr;
}

// Where Mcp-Name's value comes from for a method, or nullptr when the method has none.
const char* NameField(const std::string& method) {
  if (method == "tools/call" || method == "prompts/get") {
    return "name";
  }
  if (method == "resources/read") {
    return "uri";
  }
  if (method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel") {
    return "taskId";  // the tasks extension: Mcp-Name routes a task's requests to the replica holding it
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> HttpServer::HeaderMismatch(const HttpHead& head, const Json& message) const {
  if (!head.HasHeader("MCP-Protocol-Version")) {
    return "Header mismatch: the MCP-Protocol-Version header is required";
  }
  std::string version = head.Header("MCP-Protocol-Version");
  if (const Json* body = MetaField(message, mcp::kMetaProtocolVersion);
      body != nullptr && body->is_string() && *body != version) {
    return "Header mismatch: MCP-Protocol-Version header '" + ForLog(version, 40) +
           "' does not match _meta's '" + ForLog(body->get<std::string>(), 40) + "'";
  }
  std::string method = message.value("method", "");
  if (!head.HasHeader("Mcp-Method")) {
    return "Header mismatch: the Mcp-Method header is required";
  }
  if (head.Header("Mcp-Method") != method) {
    return "Header mismatch: Mcp-Method header '" + ForLog(head.Header("Mcp-Method"), 80) +
           "' does not match the body's '" + ForLog(method, 80) + "'";
  }
  const char* name_field = NameField(method);
  if (name_field == nullptr) {
    return std::nullopt;
  }
  const Json* params = Field(message, "params");
  const Json* name = params != nullptr ? Field(*params, name_field) : nullptr;
  if (name == nullptr || !name->is_string()) {
    return std::nullopt;  // the body is wrong: the MCP core says how (-32602)
  }
  std::string mcp_name = head.Header("Mcp-Name");
  if (Status checked = mcp::CheckMcpNameHeader(head.HasHeader("Mcp-Name") ? &mcp_name : nullptr,
                                               name->get<std::string>(), name_field);
      !checked.ok()) {
    return checked.error().message;
  }
  if (method != "tools/call" || !deps_.input_schema || !head.identity) {
    return std::nullopt;
  }
  // x-mcp-header: the tool's annotated arguments must match their Mcp-Param-* headers.
  std::optional<Json> schema = deps_.input_schema(*head.identity, name->get<std::string>());
  if (!schema) {
    return std::nullopt;  // an unknown tool: the MCP core answers it
  }
  auto params_of_tool = mcp::ParseHeaderParams(*schema);
  if (!params_of_tool.ok() || params_of_tool->empty()) {
    return std::nullopt;  // the catalog publishes no invalid annotation; none to check
  }
  static const Json kNoArguments = Json::object();
  const Json* arguments = Field(*params, "arguments");
  if (Status checked =
          mcp::CheckHeaderParams(*params_of_tool, arguments ? *arguments : kNoArguments, head.headers);
      !checked.ok()) {
    return checked.error().message;
  }
  return std::nullopt;
}

namespace {

// The era's status for an answer given as JSON: 404 for an unknown method, 400 for a request the server
// refused as malformed or unsupported, 200 otherwise (tool failures are results).
int StatusFor(const Json& response) {
  const Json* error = Field(response, "error");
  if (error == nullptr) {
    return 200;
  }
  switch (error->value("code", 0)) {
    case jsonrpc::kMethodNotFound:
      return 404;
    case jsonrpc::kParseError:
    case jsonrpc::kInvalidRequest:
    case jsonrpc::kInvalidParams:
    case jsonrpc::kHeaderMismatch:
    case jsonrpc::kMissingClientCapability:
    case jsonrpc::kUnsupportedProtocolVersion:
      return 400;
    default:
      return 200;
  }
}

}  // namespace

bool HttpServer::IsStatelessPost(const HttpHead& head, const Post& post) {
  // An initialize carrying the new era's markers gets the new era's answer: -32601, 404.
  if (head.HasHeader("MCP-Protocol-Version")) {
    std::string version = head.Header("MCP-Protocol-Version");
    // A version this server does not know gets the new era's answer: -32022 with the versions it serves.
    if (mcp::IsStateless(version) || !mcp::IsSupportedProtocolVersion(version)) {
      return true;
    }
  }
  for (const Json& m : post.messages) {
    std::string method = m.value("method", "");
    if (method == "server/discover" || method == "subscriptions/listen" ||
        MetaField(m, mcp::kMetaProtocolVersion) != nullptr ||
        MetaField(m, mcp::kMetaClientCapabilities) != nullptr) {
      return true;
    }
  }
  return false;
}

HttpResponse HttpServer::HandleStatelessPost(const HttpHead& head, Post& post) {
  if (post.batch) {
    return JsonRpcError(400, RpcError::InvalidRequest("Invalid Request: MCP 2026-07-28 has no batches"));
  }
  Json& message = post.messages.front();
  if (!jsonrpc::IsRequest(message)) {
    if (jsonrpc::IsResponse(message)) {
      return JsonRpcError(400, RpcError::InvalidRequest("Invalid Request: MCP 2026-07-28 clients send no "
                                                        "responses (input comes with the retried request)"));
    }
    HttpResponse accepted;  // no client notification means anything in this era over HTTP
    accepted.status = 202;
    return accepted;
  }
  Json id = message["id"];
  if (auto mismatch = HeaderMismatch(head, message)) {
    return JsonRpcError(400, RpcError::HeaderMismatch(*mismatch), id);
  }
  auto session = std::make_shared<HttpSession>("stateless", head.principal, clock_);
  mcp::SessionOptions session_options;
  session_options.principal = head.principal;
  session_options.identity = head.identity;
  session_options.transport = "http";
  session_options.stateless_only = true;
  session->Attach(deps_.session_factory(*session, session_options));
  post.session = session;
  post.keys = {IdKey(id)};
  post.ids = {id};
  post.exchange = std::make_shared<Exchange>(post.keys);
  session->Register(post.keys, post.exchange);
  session->mcp().HandleMessage(std::move(message));
  post.messages.clear();
  Exchange::Decision decision = post.exchange->Decide();
  if (decision.json) {
    session->Unregister(post.keys, post.exchange.get());
    session->Close(std::chrono::milliseconds(0));  // nothing runs: it answered at once
    return JsonBody(StatusFor(decision.messages.front()), jsonrpc::Serialize(decision.messages.front()));
  }
  {
    std::lock_guard lock(state_mu_);
    stateless_.push_back(session);
  }
  // Closing the stream cancels the request (the era's rule): a queued call is never invoked, a running one
  // is stopped. The session is closed on the reaper thread, never on an I/O thread.
  return StreamResponse(decision.channel, [this, session, exchange = post.exchange, keys = post.keys, id] {
    bool dropped = !exchange->all_ended();
    exchange->Abandon();
    session->Unregister(keys, exchange.get());
    if (dropped && !session->closed()) {
      session->mcp().Cancel(id);
    }
    ForgetStatelessSession(session, dropped);
  });
}

void HttpServer::ForgetStatelessSession(const std::shared_ptr<HttpSession>& session, bool dropped) {
  {
    std::lock_guard lock(state_mu_);
    stateless_.erase(std::remove(stateless_.begin(), stateless_.end(), session), stateless_.end());
    if (stopping_) {
      return;  // Stop() closes it
    }
    if (dropped) {
      closing_.push_back(session);  // its cancelled call may take a moment to stop
    }
  }
  if (dropped) {
    state_cv_.notify_all();
    return;
  }
  session->Close(std::chrono::milliseconds(0));  // answered: nothing runs any more
}

}  // namespace lmcp::transport
