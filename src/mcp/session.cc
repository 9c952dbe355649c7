#include <spdlog/spdlog.h>

#include <exception>
#include <utility>
#include <vector>

#include "common/log_text.h"
#include "common/version.h"
#include "jsonrpc/batch.h"
#include "jsonrpc/error_codes.h"
#include "mcp/protocol.h"
#include "mcp/session_impl.h"

namespace lmcp::mcp {

using jsonrpc::Message;
using jsonrpc::MessageKind;
using jsonrpc::Reply;
using jsonrpc::RpcError;

struct SessionImpl::PendingClientRequest {
  bool done = false;
  Json result;
  std::optional<RpcError> error;
};

namespace {

// Options whose identity is set and whose principal is its name.
SessionOptions WithIdentity(SessionOptions options) {
  if (options.identity) {
    options.principal = options.identity->name;
  } else {
    options.identity = std::make_shared<const Identity>(Identity{.name = options.principal});
  }
  return options;
}

}  // namespace

SessionImpl::SessionImpl(McpServer& server, MessageSink& sink, SessionOptions options)
    : server_(server),
      sink_(sink),
      options_(WithIdentity(std::move(options))),
      scheduler_key_(server.NewSessionKey()),
      log_level_(static_cast<int>(server.options().initial_log_level)) {
  RegisterHandlers();
  server_.Register(this);
}

SessionImpl::~SessionImpl() {
  server_.Unregister(this);
  Shutdown(std::chrono::milliseconds(0));
}

void SessionImpl::RegisterHandlers() {
  dispatcher_.OnRequest(kInitializeMethod, [this](Message& m, const auto&) { return Initialize(m); });
  dispatcher_.OnRequest("ping", [](const Message&, const auto&) { return Reply::Ok(Json::object()); });
  dispatcher_.OnRequest("tools/list", [this](const Message& m, const auto&) {
    return ListTools(m, protocol_version(), false);
  });
  dispatcher_.OnRequest("tools/call",
                        [this](Message& m, const jsonrpc::Responder& r) { return CallTool(m, r, nullptr); });
  dispatcher_.OnRequest("logging/setLevel", [this](const Message& m, const auto&) { return SetLevel(m); });
  dispatcher_.OnNotification("notifications/initialized", [this](const Message&) {
    std::lock_guard lock(mu_);
    if (!protocol_version_.empty()) {
      client_ready_ = true;
    }
  });
  dispatcher_.OnNotification("notifications/cancelled", [this](const Message& m) {
    if (m.params.is_object() && m.params.contains("requestId")) {
      Cancel(m.params["requestId"]);
    }
  });
  RegisterStatelessHandlers();
  RegisterTaskHandlers();
}

void SessionImpl::Send(const Json& message, const Json& related) { sink_.Send(message, related); }

std::string SessionImpl::protocol_version() const {
  std::lock_guard lock(mu_);
  return protocol_version_;
}

bool SessionImpl::initialized() const {
  std::lock_guard lock(mu_);
  return !protocol_version_.empty();
}

// ---- Input ----

void SessionImpl::HandleRaw(std::string_view text) {
  size_t limit = server_.options().max_message_bytes;
  if (text.size() > limit) {
    Send(jsonrpc::MakeError(nullptr, RpcError::MessageTooLarge(text.size(), limit)), nullptr);
    return;
  }
  auto parsed = jsonrpc::ParseJson(text);
  if (auto* bad = std::get_if<jsonrpc::Invalid>(&parsed)) {
    Send(jsonrpc::MakeError(nullptr, bad->error), nullptr);
    return;
  }
  HandleMessage(std::get<Json>(std::move(parsed)));
}

SessionImpl::Replier SessionImpl::DirectReplier() {
  return [this](const Json& id, std::optional<Json> response) {
    if (response) {
      Send(*response, id);
    }
    if (!id.is_null()) {
      sink_.RequestEnded(id);
    }
  };
}

void SessionImpl::HandleMessage(Json message) {
  if (message.is_array()) {
    HandleBatch(std::move(message));
    return;
  }
  HandleOne(jsonrpc::Classify(std::move(message)), DirectReplier());
}

void SessionImpl::HandleBatch(Json batch) {
  if (auto refused = jsonrpc::CheckBatch(batch.size(), BatchPolicyFor(protocol_version()))) {
    Send(jsonrpc::MakeError(nullptr, *refused), nullptr);
    return;
  }
  // Collects the batch's responses and sends them as one array once every request has answered. `pending`
  // starts at 1 so the array cannot go out before the loop below has handed out every request.
  struct Collector {
    std::mutex mu;
    int pending = 1;
    Json responses = Json::array();
    std::vector<Json> ids;
  };
  auto collector = std::make_shared<Collector>();
  auto finish_one = [this, collector](const Json& id, std::optional<Json> response) {
    std::unique_lock lock(collector->mu);
    if (response) {
      collector->responses.push_back(std::move(*response));
    }
    if (!id.is_null()) {
      collector->ids.push_back(id);
    }
    if (--collector->pending > 0) {
      return;
    }
    lock.unlock();
    if (!collector->responses.empty()) {
      Send(collector->responses, collector->ids.empty() ? Json() : collector->ids.front());
    }
    for (const Json& id : collector->ids) {
      sink_.RequestEnded(id);
    }
  };
  for (Json& element : batch) {
    // Valid notifications and client responses get no answer; everything else (requests, and elements
    // that are not valid messages) does. Each element is moved into its message, never copied.
    auto classified = jsonrpc::Classify(std::move(element));
    auto* m = std::get_if<Message>(&classified);
    if (m != nullptr && m->kind != MessageKind::kRequest) {
      HandleOne(std::move(classified), [](const Json&, std::optional<Json>) {});
      continue;
    }
    {
      std::lock_guard lock(collector->mu);
      ++collector->pending;
    }
    HandleOne(std::move(classified), finish_one);
  }
  finish_one(Json(), std::nullopt);
}

void SessionImpl::HandleOne(std::variant<Message, jsonrpc::Invalid> classified, const Replier& reply) {
  if (auto* bad = std::get_if<jsonrpc::Invalid>(&classified)) {
    reply(bad->id, jsonrpc::MakeError(bad->id, bad->error));
    return;
  }
  Message& m = std::get<Message>(classified);
  switch (m.kind) {
    case MessageKind::kResponse:
      HandleClientResponse(std::move(m));
      return;
    case MessageKind::kNotification:
      if (!dispatcher_.Notify(m)) {
        spdlog::warn("mcp: handler for notification {} failed", ForLog(m.method));
      }
      return;
    case MessageKind::kRequest:
      break;
  }
  if (options_.stateless_only || IsStatelessRequest(m)) {
    HandleStateless(std::move(m), reply);
    return;
  }
  if (m.method != kInitializeMethod && m.method != "ping" && !initialized()) {
    reply(m.id, jsonrpc::MakeError(m.id, RpcError::InvalidRequest(
                                             "Invalid Request: server not initialized; send initialize first "
                                             "(got " +
                                             m.method + ")")));
    return;
  }
  Json id = m.id;
  jsonrpc::Responder responder = [reply, id](std::optional<Json> response) {
    reply(id, std::move(response));
  };
  if (auto response = dispatcher_.Dispatch(std::move(m), responder)) {
    reply(id, std::move(*response));
  }
}

Status SessionImpl::Resume(const SessionTicket& ticket) {
  std::lock_guard lock(mu_);
  if (!protocol_version_.empty()) {
    return Error::FailedPrecondition("the session is already initialized");
  }
  protocol_version_ = ticket.protocol_version;
  client_capabilities_ = ticket.client_capabilities;
  client_ready_ = true;
  return Ok();
}

// ---- Methods ----

Reply SessionImpl::Initialize(Message& m) {
  if (!m.params.is_object()) {
    return RpcError::InvalidParams("Invalid params: initialize needs an object with protocolVersion");
  }
  auto requested = m.params.find("protocolVersion");
  if (requested == m.params.end() || !requested->is_string()) {
    return RpcError::InvalidParams("Invalid params: initialize needs a string protocolVersion");
  }
  auto caps = m.params.find("capabilities");
  if (caps != m.params.end() && !caps->is_object()) {
    return RpcError::InvalidParams("Invalid params: capabilities must be an object");
  }
  std::string version = NegotiateProtocolVersion(requested->get<std::string>());
  {
    std::lock_guard lock(mu_);
    if (!protocol_version_.empty()) {
      return RpcError::InvalidRequest("Invalid Request: the session is already initialized");
    }
    protocol_version_ = version;
    client_capabilities_ = caps != m.params.end() ? std::move(*caps) : Json::object();
  }
  std::string client = "unknown";
  if (auto info = m.params.find("clientInfo"); info != m.params.end() && info->is_object()) {
    if (auto name = info->find("name"); name != info->end() && name->is_string()) {
      client = name->get<std::string>();
    }
  }
  spdlog::info("mcp: session initialized (client {}, protocol {}, transport {})", ForLog(client),
               ForLog(version), options_.transport);
  Json server_info{{"name", kServerName}, {"version", kVersion}};
  if (HasStructuredContent(version)) {
    server_info["title"] = "Lambda MCP";
  }
  Json result{{"protocolVersion", version},
              {"capabilities", {{"tools", {{"listChanged", true}}}, {"logging", Json::object()}}},
              {"serverInfo", std::move(server_info)}};
  if (HasTasks(version) && server_.tasks().options().enabled) {
    result["capabilities"]["tasks"] = {{"list", Json::object()},
                                       {"cancel", Json::object()},
                                       {"requests", {{"tools", {{"call", Json::object()}}}}}};
  }
  if (!server_.options().instructions.empty()) {
    result["instructions"] = server_.options().instructions;
  }
  return Reply::Ok(std::move(result));
}

Reply SessionImpl::ListTools(const Message& m, const std::string& version, bool stateless) {
  size_t offset = 0;
  if (m.params.is_object()) {
    if (auto cursor = m.params.find("cursor"); cursor != m.params.end() && !cursor->is_null()) {
      std::optional<size_t> decoded;
      if (cursor->is_string()) {
        decoded = DecodeCursor(cursor->get<std::string>());
      }
      if (!decoded) {
        return RpcError::InvalidParams("Invalid params: unknown cursor");
      }
      offset = *decoded;
    }
  }
  auto tools = server_.provider().ListToolsFor(*options_.identity);
  if (!tools.ok()) {
    return RpcError::Internal("tools/list failed: " + tools.error().ToString());
  }
  const auto& list = **tools;
  if (offset > list.size() || (offset == list.size() && offset != 0)) {
    return RpcError::InvalidParams("Invalid params: cursor is past the end of the tool list");
  }
  size_t page = server_.options().page_size > 0 ? server_.options().page_size : list.size() + 1;
  size_t end = std::min(list.size(), offset + page);
  Json rendered = Json::array();
  for (size_t i = offset; i < end; ++i) {
    rendered.push_back(RenderTool(list[i], version));
  }
  Json result{{"tools", std::move(rendered)}};
  if (end < list.size()) {
    result["nextCursor"] = EncodeCursor(end);
  }
  if (stateless) {  // resultType: HandleStateless adds it to every synchronous result
    result["ttlMs"] = server_.options().list_ttl.count();
    result["cacheScope"] =
        server_.provider().ListsDifferPerPrincipal() ? "private" : server_.options().list_cache_scope;
  }
  return Reply::Ok(std::move(result));
}

Reply SessionImpl::SetLevel(const Message& m) {
  std::optional<LogLevel> level;
  if (m.params.is_object()) {
    if (auto it = m.params.find("level"); it != m.params.end() && it->is_string()) {
      level = ParseLogLevel(it->get<std::string>());
    }
  }
  if (!level) {
    return RpcError::InvalidParams(
        "Invalid params: level must be one of debug, info, notice, warning, error, critical, alert, "
        "emergency");
  }
  log_level_.store(static_cast<int>(*level));
  return Reply::Ok(Json::object());
}

Reply SessionImpl::CallTool(Message& m, const jsonrpc::Responder& responder,
                            std::shared_ptr<const RequestMeta> meta) {
  if (!m.params.is_object()) {
    return RpcError::InvalidParams("Invalid params: tools/call needs params with a tool name");
  }
  auto name = m.params.find("name");
  if (name == m.params.end() || !name->is_string() || name->get<std::string>().empty()) {
    return RpcError::InvalidParams("Invalid params: tools/call needs a string \"name\"");
  }
  Json arguments = Json::object();
  if (auto args = m.params.find("arguments"); args != m.params.end() && !args->is_null()) {
    if (!args->is_object()) {
      return RpcError::InvalidParams("Invalid params: tools/call \"arguments\" must be an object");
    }
    arguments = std::move(*args);  // client JSON of any size: moved, never copied
  }
  auto call = std::make_shared<Call>();
  call->id = m.id;
  call->name = name->get<std::string>();
  call->arguments = std::move(arguments);
  call->responder = responder;
  if (auto raw_meta = m.params.find("_meta"); raw_meta != m.params.end() && raw_meta->is_object()) {
    if (auto token = raw_meta->find("progressToken");
        token != raw_meta->end() && (token->is_string() || token->is_number_integer())) {
      call->progress_token = *token;
    }
    call->request_meta = std::move(*raw_meta);
  }
  // One lookup serves the stateless era's capability checks and the task decision; the list is the
  // caller's own, so a hidden tool is answered like an unknown one.
  auto tools = server_.provider().ListToolsFor(*options_.identity);
  const ToolDefinition* tool = tools.ok() ? FindTool(**tools, call->name) : nullptr;
  if (meta) {
    call->meta = std::move(meta);
    if (auto refused = AdmitStatelessCall(m, *call, tool)) {
      return std::move(*refused);
    }
  }
  if (auto task = RouteToTask(m, *call, tool)) {
    return std::move(*task);
  }
  std::string key = jsonrpc::IdKey(m.id);
  std::string refused;
  {
    std::lock_guard lock(mu_);
    if (!accepting_) {
      return RpcError::Internal("Internal error: the server is shutting down");
    }
    if (calls_.count(key) > 0) {
      return RpcError::InvalidRequest("Invalid Request: request id is already in use by a running call");
    }
    // Submitted under mu_ so that call->job is set before anyone can look the call up.
    auto job = server_.scheduler().Submit(
        scheduler_key_, options_.principal,
        {.expired = [this, call] { ExpireCall(call); },
         .start = [this, call](CallScheduler::Finished finished) { RunCall(call, std::move(finished)); }});
    if (job.ok()) {
      call->job = *job;
      calls_[key] = call;
      ++in_flight_;
      return Reply::Deferred();
    }
    refused = job.error().message;
  }
  NotInvoked(*call, ToolProvider::NotInvoked::kRefused, refused);
  return RpcError::Internal("Internal error: " + refused);
}

// ---- Server → client requests ----

bool SessionImpl::ClientHas(const std::string& capability) const {
  std::lock_guard lock(mu_);
  return client_capabilities_.contains(capability) && !client_capabilities_[capability].is_null();
}

Result<Json> SessionImpl::RequestClient(Call& call, const std::string& method, const Json& params) {
  std::string capability;
  if (method == "sampling/createMessage") {
    capability = "sampling";
  } else if (method == "elicitation/create") {
    capability = "elicitation";
  } else if (method == "roots/list") {
    capability = "roots";
  }
  if (!capability.empty() && !ClientHas(capability)) {
    return Error::FailedPrecondition("the client did not declare the '" + capability + "' capability");
  }
  auto pending = std::make_shared<PendingClientRequest>();
  Json id;
  std::string key;
  {
    std::lock_guard lock(pending_mu_);
    id = next_client_request_id_++;
    key = jsonrpc::IdKey(id);
    pending_[key] = pending;
  }
  {
    std::lock_guard lock(call.mu);
    if (call.done || call.stop.stop_requested() || call.fate.load() != CallFate::kDeliver) {
      std::lock_guard plock(pending_mu_);
      pending_.erase(key);
      return Error::Cancelled("the call was cancelled");
    }
    Send(jsonrpc::MakeRequest(id, method, params), call.id);
  }
  std::unique_lock lock(pending_mu_);
  auto deadline = std::chrono::steady_clock::now() + server_.options().client_request_timeout;
  bool answered =
      pending_cv_.wait_until(lock, call.stop.get_token(), deadline, [&] { return pending->done; });
  pending_.erase(key);
  lock.unlock();
  if (!answered) {
    bool cancelled = call.stop.stop_requested();
    Send(jsonrpc::MakeNotification(
             "notifications/cancelled",
             Json{{"requestId", id}, {"reason", cancelled ? "the tool call was cancelled" : "timed out"}}),
         call.id);
    if (cancelled) {
      return Error::Cancelled(method + " cancelled");
    }
    return Error::Timeout(method + ": the client did not answer in time");
  }
  if (pending->error) {
    return Error::Unavailable(method + " failed on the client: " + pending->error->message + " (" +
                              std::to_string(pending->error->code) + ")");
  }
  return std::move(pending->result);
}

void SessionImpl::HandleClientResponse(Message m) {
  std::lock_guard lock(pending_mu_);
  auto it = pending_.find(jsonrpc::IdKey(m.id));
  if (it == pending_.end()) {
    spdlog::debug("mcp: ignoring a response to unknown request id {}", ForLog(m.id.dump()));
    return;
  }
  it->second->done = true;
  it->second->result = std::move(m.result);
  it->second->error = std::move(m.error);
  pending_cv_.notify_all();
}

// ---- Lifecycle ----

void SessionImpl::SendListChanged() {
  bool initialized_client = false;
  {
    std::lock_guard lock(mu_);
    if (!accepting_) {
      return;
    }
    initialized_client = client_ready_;
    // Under mu_: never before a subscription's acknowledgement (Listen sends it under mu_ too).
    for (const auto& [key, subscription] : subscriptions_) {
      if (subscription.tools_list_changed) {
        Send(jsonrpc::MakeNotification("notifications/tools/list_changed",
                                       Json{{"_meta", {{kMetaSubscriptionId, subscription.id}}}}),
             subscription.id);
      }
    }
  }
  if (initialized_client) {
    Send(jsonrpc::MakeNotification("notifications/tools/list_changed"), nullptr);
  }
}

}  // namespace lmcp::mcp
