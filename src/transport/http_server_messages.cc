// HttpServer's MCP endpoint: POST (JSON-RPC messages answered as JSON or an SSE stream), GET (the session's
// stream of unsolicited messages) and DELETE (end of session). The server's lifecycle, routing and
// authentication are in http_server.cc.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/json.h"
#include "common/log_text.h"
#include "jsonrpc/batch.h"
#include "transport/http_responses.h"
#include "transport/http_server.h"
#include "transport/http_session.h"

namespace lmcp::transport {
namespace {

using Json = nlohmann::json;

bool IsJsonRpcMessage(const Json& m) {
  if (!m.is_object() || !m.contains("jsonrpc") || m["jsonrpc"] != "2.0") {
    return false;
  }
  if (m.contains("id") && !(m["id"].is_string() || m["id"].is_number_integer())) {
    return false;
  }
  if (m.contains("method")) {
    return m["method"].is_string();
  }
  return m.contains("id") && (m.contains("result") || m.contains("error"));
}

bool IsRequest(const Json& m) { return m.contains("method") && m.contains("id"); }
bool IsInitialize(const Json& m) { return IsRequest(m) && m["method"] == "initialize"; }

}  // namespace

HttpResponse HttpServer::OnRequest(HttpRequest request) {
  if (stopping_) {
    return JsonRpcError(503, kTransportError, "Server is shutting down");
  }
  if (request.head.method == "POST") {
    return HandlePost(request);
  }
  if (request.head.method == "GET") {
    return HandleGet(request.head);
  }
  return HandleDelete(request.head);
}

std::variant<std::shared_ptr<HttpSession>, HttpResponse> HttpServer::FindSession(const HttpHead& head) {
  std::string id = head.Header("Mcp-Session-Id");
  if (id.empty()) {
    return JsonRpcError(400, kTransportError, "Bad Request: Mcp-Session-Id header is required");
  }
  std::shared_ptr<HttpSession> session = IsValidSessionIdSyntax(id) ? sessions_.Find(id) : nullptr;
  // Another principal's session is reported as unknown, revealing nothing.
  if (!session || session->closed() || session->principal() != head.principal) {
    return JsonRpcError(404, kSessionNotFound, "Session not found");
  }
  session->Touch();
  return session;
}

std::optional<HttpResponse> HttpServer::CheckProtocolVersion(const HttpHead& head) {
  if (!head.HasHeader("MCP-Protocol-Version")) {
    return std::nullopt;  // 2025-03-26 assumed
  }
  std::string version = head.Header("MCP-Protocol-Version");
  const auto& ok = options_.protocol_versions;
  if (std::find(ok.begin(), ok.end(), version) != ok.end()) {
    return std::nullopt;
  }
  std::string list;
  for (const auto& v : ok) {
    list += (list.empty() ? "" : ", ") + v;
  }
  return JsonRpcError(400, kTransportError,
                      "Bad Request: Unsupported protocol version: " + ForLog(version, 40) +
                          " (supported versions: " + list + ")");
}

HttpResponse HttpServer::StreamResponse(std::shared_ptr<SseChannel> channel,
                                        std::function<void()> on_finish) {
  HttpResponse res;
  res.status = 200;
  res.content_type = kSse;
  res.SetHeader("Cache-Control", "no-cache, no-transform");
  res.SetHeader("X-Accel-Buffering", "no");
  res.stream = std::move(channel);
  open_streams_++;
  res.on_stream_end = [this, on_finish = std::move(on_finish)] {
    if (on_finish) {
      on_finish();
    }
    {
      std::lock_guard lock(state_mu_);
      open_streams_--;
    }
    state_cv_.notify_all();
  };
  return res;
}

HttpResponse HttpServer::HandlePost(HttpRequest& request) {
  const HttpHead& head = request.head;
  auto parsed = ParseJson(request.body);
  std::string().swap(request.body);
  if (!parsed.ok()) {
    return JsonRpcError(400, kParseError,
                        IsJsonTooDeep(parsed.error()) ? "Parse error: JSON is nested deeper than " +
                                                            std::to_string(kMaxJsonDepth) + " levels"
                                                      : "Parse error: Invalid JSON");
  }
  Json body = std::move(parsed).value();
  bool batch = body.is_array();
  std::vector<Json> messages;
  if (batch) {
    if (body.size() > jsonrpc::kMaxBatchLength) {
      return JsonRpcError(400, kInvalidRequest,
                          "Invalid Request: a batch may hold at most " +
                              std::to_string(jsonrpc::kMaxBatchLength) + " messages");
    }
    messages.reserve(body.size());
    for (auto& m : body) {
      messages.push_back(std::move(m));
    }
  } else {
    messages.push_back(std::move(body));
  }
  if (messages.empty()) {
    return JsonRpcError(400, kInvalidRequest, "Invalid Request: empty batch");
  }
  for (const auto& m : messages) {
    if (!IsJsonRpcMessage(m)) {
      return JsonRpcError(400, kParseError, "Parse error: Invalid JSON-RPC message");
    }
  }
  bool has_init = std::any_of(messages.begin(), messages.end(), IsInitialize);
  if (has_init && messages.size() > 1) {
    return JsonRpcError(400, kInvalidRequest, "Invalid Request: Only one initialization request is allowed");
  }

  std::shared_ptr<HttpSession> session;
  bool new_session = false;
  if (has_init) {
    std::string existing = head.Header("Mcp-Session-Id");
    if (!existing.empty()) {
      auto found = sessions_.Find(existing);
      if (found && found->principal() == head.principal) {
        return JsonRpcError(400, kInvalidRequest, "Invalid Request: Server already initialized");
      }
    }
    session = std::make_shared<HttpSession>(NewSessionId(), head.principal, clock_);
    mcp::SessionOptions session_options;
    session_options.principal = head.principal;
    session_options.transport = "http";
    session->Attach(deps_.session_factory(*session, session_options));
    new_session = true;
  } else {
    auto found = FindSession(head);
    if (auto* refused = std::get_if<HttpResponse>(&found)) {
      return std::move(*refused);
    }
    session = std::get<std::shared_ptr<HttpSession>>(found);
    if (auto refused = CheckProtocolVersion(head)) {
      return std::move(*refused);
    }
    if (batch && !jsonrpc::AllowsBatches(session->mcp().protocol_version())) {
      return JsonRpcError(400, kInvalidRequest,
                          "Invalid Request: batches are not supported in protocol version " +
                              session->mcp().protocol_version());
    }
  }

  std::vector<std::string> keys;
  std::vector<Json> ids;
  for (const auto& m : messages) {
    if (IsRequest(m)) {
      keys.push_back(IdKey(m["id"]));
      ids.push_back(m["id"]);
    }
  }
  if (keys.empty()) {  // only notifications and responses
    for (auto& m : messages) {
      session->mcp().HandleMessage(std::move(m));
    }
    HttpResponse res;
    res.status = 202;
    return res;
  }
  auto exchange = std::make_shared<Exchange>(keys);
  if (std::set<std::string>(keys.begin(), keys.end()).size() != keys.size() ||
      !session->Register(keys, exchange)) {
    return JsonRpcError(400, kInvalidRequest, "Invalid Request: request id already in flight");
  }
  for (auto& m : messages) {
    session->mcp().HandleMessage(std::move(m));
  }
  messages.clear();
  messages.shrink_to_fit();
  Exchange::Decision decision = exchange->Decide();

  HttpResponse res;
  if (new_session) {
    bool ok = !decision.json || (decision.messages.size() == 1 && decision.messages[0].contains("result"));
    auto added =
        ok ? sessions_.Add(session)
           : Result<std::vector<std::shared_ptr<HttpSession>>>(Error::InvalidArgument("initialize failed"));
    if (added.ok()) {
      res.SetHeader("Mcp-Session-Id", session->id());
      spdlog::info("http: session {}… opened by {} from {}", session->id().substr(0, 8),
                   ForLog(head.principal), head.remote_addr);
      CloseSessions(std::move(*added), std::chrono::milliseconds(0), "evicted to make room for a new one",
                    /*client_gone=*/true);
    } else {
      session->Unregister(keys, exchange.get());
      session->Close(std::chrono::milliseconds(0));
      if (ok) {
        spdlog::warn("http: refused a new session for {}: {}", ForLog(head.principal), added.error().message);
        HttpResponse full = JsonRpcError(503, kTransportError, "Too many sessions: " + added.error().message);
        full.SetHeader("Retry-After", "5");
        return full;
      }
    }
  }

  if (decision.json) {
    session->Unregister(keys, exchange.get());
    res.status = 200;
    res.content_type = kJson;
    res.body = batch ? DumpJson(Json(std::move(decision.messages))) : DumpJson(decision.messages.front());
    return res;
  }
  // A stream that ends before its requests did means the client went away: calls not started yet are dropped
  // (never invoked), running ones go on without a reader.
  HttpResponse stream = StreamResponse(decision.channel, [session, exchange, keys, ids = std::move(ids)] {
    bool dropped = !exchange->all_ended();
    exchange->Abandon();
    session->Unregister(keys, exchange.get());
    if (dropped && !session->closed()) {
      for (const Json& id : ids) {
        session->mcp().ClientGone(id);
      }
    }
  });
  for (auto& h : res.headers) {
    stream.headers.push_back(std::move(h));
  }
  return stream;
}

HttpResponse HttpServer::HandleGet(const HttpHead& head) {
  if (!AcceptsMediaType(head.Header("Accept"), kSse)) {
    return JsonRpcError(406, kTransportError, "Not Acceptable: Client must accept text/event-stream");
  }
  auto found = FindSession(head);
  if (auto* refused = std::get_if<HttpResponse>(&found)) {
    return std::move(*refused);
  }
  auto session = std::get<std::shared_ptr<HttpSession>>(found);
  if (auto refused = CheckProtocolVersion(head)) {
    return std::move(*refused);
  }
  auto channel = std::make_shared<SseChannel>();
  session->OpenGetStream(channel);
  return StreamResponse(channel, [session, raw = channel.get()] { session->CloseGetStream(raw); });
}

HttpResponse HttpServer::HandleDelete(const HttpHead& head) {
  auto found = FindSession(head);
  if (auto* refused = std::get_if<HttpResponse>(&found)) {
    return std::move(*refused);
  }
  auto session = std::get<std::shared_ptr<HttpSession>>(found);
  if (auto refused = CheckProtocolVersion(head)) {
    return std::move(*refused);
  }
  // Its in-flight calls get the grace on the reaper thread; no request thread waits for them.
  sessions_.Remove(session->id());
  {
    std::lock_guard lock(state_mu_);
    closing_.push_back(std::move(session));
  }
  state_cv_.notify_all();
  HttpResponse res;
  res.status = 200;
  return res;
}

}  // namespace lmcp::transport
