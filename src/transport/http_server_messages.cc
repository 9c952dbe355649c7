// HttpServer's MCP endpoint: POST (JSON-RPC messages answered as JSON or an SSE stream), GET (the session's
// stream of unsolicited messages) and DELETE (end of session). The server's lifecycle, routing and
// authentication are in http_server.cc.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/log_text.h"
#include "common/strings.h"
#include "jsonrpc/batch.h"
#include "jsonrpc/message.h"
#include "mcp/protocol.h"
#include "transport/http_responses.h"
#include "transport/http_server.h"
#include "transport/http_server_post.h"
#include "transport/http_session.h"
#include "transport/trace_headers.h"

namespace lmcp::transport {

HttpResponse HttpServer::OnRequest(HttpRequest request) {
  if (stopping_) {
    return JsonRpcError(503, RpcError::TransportError("Server is shutting down"));
  }
  if (request.head.method == "POST") {
    return HandlePost(request);
  }
  if (mcp::IsStateless(request.head.Header("MCP-Protocol-Version"))) {
    // The stateless era has no GET stream and no session to DELETE (list changes: subscriptions/listen).
    HttpResponse res = JsonRpcError(
        405, RpcError::TransportError("Method not allowed: MCP " +
                                      request.head.Header("MCP-Protocol-Version") + " has only POST"));
    res.SetHeader("Allow", "POST");
    return res;
  }
  if (request.head.method == "GET") {
    return HandleGet(request.head);
  }
  return HandleDelete(request.head);
}

std::variant<std::shared_ptr<HttpSession>, HttpResponse> HttpServer::FindSession(const HttpHead& head) {
  std::string id = head.Header("Mcp-Session-Id");
  if (id.empty()) {
    return JsonRpcError(400, RpcError::TransportError("Bad Request: Mcp-Session-Id header is required"));
  }
  std::shared_ptr<HttpSession> session = IsValidSessionIdSyntax(id) ? sessions_.Find(id) : nullptr;
  if (!session && deps_.session_tickets != nullptr && IsValidSessionIdSyntax(id)) {
    session = ResumeSession(head, id);
  }
  // Another principal's session is reported as unknown, revealing nothing.
  if (!session || session->closed() || session->principal() != head.principal) {
    return JsonRpcError(404, RpcError::SessionNotFound());
  }
  session->Touch();
  if (auto refused = CheckProtocolVersion(head)) {
    return std::move(*refused);
  }
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
  return JsonRpcError(
      400, RpcError::TransportError("Bad Request: Unsupported protocol version: " + ForLog(version, 40) +
                                    " (supported versions: " + Join(ok, ", ") + ")"));
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

std::variant<HttpServer::Post, HttpResponse> HttpServer::ReadPost(std::string& body_text) {
  auto parsed = jsonrpc::ParseJson(body_text);
  std::string().swap(body_text);  // the DOM holds the message now
  if (auto* invalid = std::get_if<jsonrpc::Invalid>(&parsed)) {
    return JsonRpcError(400, invalid->error);
  }
  Json body = std::move(std::get<Json>(parsed));
  Post post;
  post.batch = body.is_array();
  if (post.batch) {
    if (auto refused = jsonrpc::CheckBatchSize(body.size())) {
      return JsonRpcError(400, *refused);
    }
    post.messages.reserve(body.size());
    for (auto& m : body) {
      post.messages.push_back(std::move(m));
    }
  } else {
    post.messages.push_back(std::move(body));
  }
  for (const auto& m : post.messages) {
    if (!jsonrpc::IsEnvelope(m)) {
      return JsonRpcError(400, RpcError::ParseError("Parse error: Invalid JSON-RPC message"));
    }
  }
  post.initialize = std::any_of(post.messages.begin(), post.messages.end(), mcp::IsInitializeRequest);
  if (post.initialize && post.messages.size() > 1) {
    return JsonRpcError(
        400, RpcError::InvalidRequest("Invalid Request: Only one initialization request is allowed"));
  }
  return post;
}

std::shared_ptr<HttpSession> HttpServer::MakeSession(const HttpHead& head, std::string id) {
  auto session = std::make_shared<HttpSession>(std::move(id), head.principal, clock_);
  mcp::SessionOptions session_options;
  session_options.principal = head.principal;
  session_options.identity = head.identity;
  session_options.transport = "http";
  session->Attach(deps_.session_factory(*session, session_options));
  return session;
}

std::shared_ptr<HttpSession> HttpServer::ResumeSession(const HttpHead& head, const std::string& id) {
  auto ticket = deps_.session_tickets->Open(head.principal, id);
  if (!ticket.ok()) {
    return nullptr;  // not ours, another principal's or expired: unknown, as any other id
  }
  std::lock_guard lock(resume_mu_);
  if (deleted_.count(id) != 0) {
    return nullptr;
  }
  if (auto raced = sessions_.Find(id)) {
    return raced;  // another request resumed it meanwhile
  }
  auto session = MakeSession(head, id);
  if (Status resumed = session->mcp().Resume(*ticket); !resumed.ok()) {
    return nullptr;
  }
  auto added = sessions_.Add(session);
  if (!added.ok()) {
    spdlog::warn("http: could not resume a session for {}: {}", ForLog(head.principal),
                 added.error().message);
    session->Close(std::chrono::milliseconds(0));
    return nullptr;
  }
  spdlog::info("http: session {}… resumed from its ticket for {} (client {}, protocol {})", id.substr(0, 12),
               ForLog(head.principal), ForLog(ticket->client_name), ForLog(ticket->protocol_version));
  CloseSessions(std::move(*added), std::chrono::milliseconds(0), "evicted to make room for a resumed one",
                /*client_gone=*/true);
  return session;
}

std::string HttpServer::NewSessionIdFor(const HttpHead& head, const Post& post) const {
  if (deps_.session_tickets == nullptr) {
    return NewSessionId();
  }
  const Json& params = post.messages.front().contains("params") ? post.messages.front()["params"] : Json();
  if (!params.is_object() || !params.contains("protocolVersion") || !params["protocolVersion"].is_string()) {
    return NewSessionId();  // the initialize fails, and its session is never kept
  }
  mcp::SessionTicket ticket;
  ticket.protocol_version = mcp::NegotiateProtocolVersion(params["protocolVersion"].get<std::string>());
  if (auto caps = params.find("capabilities"); caps != params.end() && caps->is_object()) {
    ticket.client_capabilities = *caps;
  }
  if (auto info = params.find("clientInfo"); info != params.end() && info->is_object()) {
    if (auto name = info->find("name"); name != info->end() && name->is_string()) {
      ticket.client_name = name->get<std::string>();
    }
  }
  auto issued = deps_.session_tickets->Issue(head.principal, ticket);
  if (!issued) {
    spdlog::info("http: the client's capabilities make a session ticket too long; this session stays here");
    return NewSessionId();
  }
  return *issued;
}

std::variant<std::shared_ptr<HttpSession>, HttpResponse> HttpServer::NewSession(const HttpHead& head,
                                                                                const Post& post) {
  std::string existing = head.Header("Mcp-Session-Id");
  if (!existing.empty()) {
    auto found = sessions_.Find(existing);
    if (found && found->principal() == head.principal) {
      return JsonRpcError(400, RpcError::InvalidRequest("Invalid Request: Server already initialized"));
    }
  }
  return MakeSession(head, NewSessionIdFor(head, post));
}

std::variant<std::shared_ptr<HttpSession>, HttpResponse> HttpServer::PostSession(const HttpHead& head,
                                                                                 const Post& post) {
  auto found = FindSession(head);
  if (auto* refused = std::get_if<HttpResponse>(&found)) {
    return std::move(*refused);
  }
  auto& session = std::get<std::shared_ptr<HttpSession>>(found);
  if (post.batch) {
    if (auto refused = jsonrpc::CheckBatch(post.messages.size(),
                                           mcp::BatchPolicyFor(session->mcp().protocol_version()))) {
      return JsonRpcError(400, *refused);
    }
  }
  return found;
}

std::optional<HttpResponse> HttpServer::AdmitSession(const HttpHead& head, Post& post) {
  auto added = sessions_.Add(post.session);
  if (!added.ok()) {
    spdlog::warn("http: refused a new session for {}: {}", ForLog(head.principal), added.error().message);
    HttpResponse full =
        JsonRpcError(503, RpcError::TransportError("Too many sessions: " + added.error().message));
    full.SetHeader("Retry-After", "5");
    return full;
  }
  spdlog::info("http: session {}… opened by {} from {}", post.session->id().substr(0, 8),
               ForLog(head.principal), head.remote_addr);
  CloseSessions(std::move(*added), std::chrono::milliseconds(0), "evicted to make room for a new one",
                /*client_gone=*/true);
  return std::nullopt;
}

HttpResponse HttpServer::HandlePost(HttpRequest& request) {
  const HttpHead& head = request.head;
  auto read = ReadPost(request.body);
  if (auto* refused = std::get_if<HttpResponse>(&read)) {
    return std::move(*refused);
  }
  Post& post = std::get<Post>(read);
  for (auto& m : post.messages) {
    CopyTraceHeaders(head, m);  // the HTTP traceparent/tracestate reach the tools through _meta
  }
  if (IsStatelessPost(head, post)) {
    return HandleStatelessPost(head, post);
  }
  auto found = post.initialize ? NewSession(head, post) : PostSession(head, post);
  if (auto* refused = std::get_if<HttpResponse>(&found)) {
    return std::move(*refused);
  }
  post.session = std::move(std::get<std::shared_ptr<HttpSession>>(found));

  for (const auto& m : post.messages) {
    if (jsonrpc::IsRequest(m)) {
      post.keys.push_back(IdKey(m["id"]));
      post.ids.push_back(m["id"]);
    }
  }
  if (post.keys.empty()) {  // only notifications and responses
    for (auto& m : post.messages) {
      post.session->mcp().HandleMessage(std::move(m));
    }
    HttpResponse res;
    res.status = 202;
    return res;
  }
  post.exchange = std::make_shared<Exchange>(post.keys);
  if (std::set<std::string>(post.keys.begin(), post.keys.end()).size() != post.keys.size() ||
      !post.session->Register(post.keys, post.exchange)) {
    return JsonRpcError(400, RpcError::InvalidRequest("Invalid Request: request id already in flight"));
  }
  for (auto& m : post.messages) {
    post.session->mcp().HandleMessage(std::move(m));
  }
  post.messages.clear();
  post.messages.shrink_to_fit();
  Exchange::Decision decision = post.exchange->Decide();

  HttpResponse res;
  if (post.initialize) {
    // A session is kept only once its initialize succeeded (or is still answering on a stream).
    bool initialized =
        !decision.json || (decision.messages.size() == 1 && jsonrpc::IsSuccessResponse(decision.messages[0]));
    std::optional<HttpResponse> refused = initialized ? AdmitSession(head, post) : std::nullopt;
    if (!initialized || refused) {
      post.session->Unregister(post.keys, post.exchange.get());
      post.session->Close(std::chrono::milliseconds(0));
    }
    if (refused) {
      return std::move(*refused);
    }
    if (initialized) {
      res.SetHeader("Mcp-Session-Id", post.session->id());
    }
  }
  return AnswerPost(post, std::move(decision), std::move(res));
}

HttpResponse HttpServer::AnswerPost(Post& post, Exchange::Decision decision, HttpResponse res) {
  if (decision.json) {
    post.session->Unregister(post.keys, post.exchange.get());
    res.status = 200;
    res.content_type = kJson;
    res.body = post.batch ? jsonrpc::Serialize(Json(std::move(decision.messages)))
                          : jsonrpc::Serialize(decision.messages.front());
    return res;
  }
  // A stream that ends before its requests did means the client went away: calls not started yet are dropped
  // (never invoked), running ones go on without a reader.
  HttpResponse stream = StreamResponse(
      decision.channel, [session = post.session, exchange = post.exchange, keys = post.keys, ids = post.ids] {
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
    return JsonRpcError(406,
                        RpcError::TransportError("Not Acceptable: Client must accept text/event-stream"));
  }
  auto found = FindSession(head);
  if (auto* refused = std::get_if<HttpResponse>(&found)) {
    return std::move(*refused);
  }
  auto session = std::get<std::shared_ptr<HttpSession>>(found);
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
  // Its in-flight calls get the grace on the reaper thread; no request thread waits for them.
  sessions_.Remove(session->id());
  if (deps_.session_tickets != nullptr) {
    // Its ticket stays valid elsewhere (no shared store), but this process never resumes it again.
    std::lock_guard lock(resume_mu_);
    const Clock::SteadyTime now = clock_.Steady();
    while (!deleted_order_.empty() &&
           (deleted_order_.front().first + deps_.session_tickets->max_age() < now ||
            deleted_order_.size() >= kMaxDeletedTickets)) {
      deleted_.erase(deleted_order_.front().second);
      deleted_order_.pop_front();
    }
    if (deleted_.insert(session->id()).second) {
      deleted_order_.emplace_back(now, session->id());
    }
  }
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
