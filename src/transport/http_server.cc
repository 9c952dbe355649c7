#include "transport/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>

#include "transport/http_session.h"

namespace lmcp::transport {
namespace {

using Json = nlohmann::json;

constexpr char kJson[] = "application/json";
constexpr char kSse[] = "text/event-stream";

// JSON-RPC error codes the transport itself answers with (as the TypeScript SDK does).
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kTransportError = -32000;
constexpr int kSessionNotFound = -32001;

void JsonRpcError(httplib::Response& res, int status, int code, const std::string& message) {
  res.status = status;
  Json body = {{"jsonrpc", "2.0"}, {"error", {{"code", code}, {"message", message}}}, {"id", nullptr}};
  res.set_content(DumpJson(body), kJson);
}

bool IsJsonRpcMessage(const Json& m) {
  if (!m.is_object() || !m.contains("jsonrpc") || m["jsonrpc"] != "2.0") return false;
  if (m.contains("id") && !(m["id"].is_string() || m["id"].is_number_integer())) return false;
  if (m.contains("method")) return m["method"].is_string();
  return m.contains("id") && (m.contains("result") || m.contains("error"));
}

bool IsRequest(const Json& m) { return m.contains("method") && m.contains("id"); }
bool IsInitialize(const Json& m) { return IsRequest(m) && m["method"] == "initialize"; }

bool IsLoopbackBindAddress(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string UrlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

// Quoted-string for WWW-Authenticate parameters (no quotes or backslashes inside).
std::string Quote(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '"' || c == '\\' || c < 0x20; }),
          s.end());
  return "\"" + s + "\"";
}

}  // namespace

// httplib::Server with access to its listening socket: Debian's build listens with a backlog of 5, which
// makes bursts of new connections wait for SYN retransmits (1 s). We re-listen with SOMAXCONN.
class HttplibServer final : public httplib::Server {
 public:
  void RaiseBacklog() {
    socket_t fd = svr_sock_;
    if (fd != INVALID_SOCKET && ::listen(fd, SOMAXCONN) != 0)
      spdlog::warn("http: cannot raise listen backlog");
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpServerDeps deps)
    : options_(std::move(options)),
      deps_(std::move(deps)),
      clock_(deps_.clock ? *deps_.clock : Clock::System()) {}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServer::url() const {
  return "http://" + UrlHost(options_.host) + ":" + std::to_string(port_) + options_.path;
}

std::string HttpServer::ResourceMetadataUrl() const {
  return options_.public_url + "/.well-known/oauth-protected-resource" + options_.path;
}

size_t HttpServer::session_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

Status HttpServer::Start() {
  if (!deps_.session_factory) return Error::InvalidArgument("http: no session factory");
  if (!IsLoopbackBindAddress(options_.host) && !deps_.authenticator) {
    if (!options_.allow_unauthenticated_remote) {
      return Error::FailedPrecondition(
          "refusing to serve " + options_.host +
          " without authentication: configure a token or OAuth, or bind 127.0.0.1");
    }
    spdlog::warn("http: serving {} WITHOUT authentication; anyone who can reach it can call every tool",
                 options_.host);
  }
  server_ = std::make_unique<HttplibServer>();
  size_t threads = std::max<size_t>(options_.worker_threads, 4);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_read_timeout(options_.read_timeout);
  server_->set_write_timeout(options_.write_timeout);
  server_->set_keep_alive_timeout(options_.keep_alive_timeout.count());
  server_->set_keep_alive_max_count(10000);
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_tcp_nodelay(true);
  server_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "non-standard exception";
    }
    spdlog::error("http: handler failed: {}", what);
    JsonRpcError(res, 500, -32603, "Internal error");
  });
  Route();

  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else {
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0)
    return Error::Unavailable("http: cannot bind " + options_.host + ":" + std::to_string(options_.port));
  server_->RaiseBacklog();
  if (options_.public_url.empty()) {
    options_.public_url = "http://" + UrlHost(options_.host) + ":" + std::to_string(port_);
  }
  {
    std::lock_guard lock(state_mu_);
    started_ = true;
  }
  listener_ = std::thread([this] {
    if (!server_->listen_after_bind() && !stopping_) spdlog::error("http: listener stopped unexpectedly");
    std::lock_guard lock(state_mu_);
    listener_exited_ = true;
    state_cv_.notify_all();
  });
  reaper_ = std::thread([this] { ReaperLoop(); });
  // httplib's stop() is a no-op until the accept loop runs: wait for it so Stop() cannot hang.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::unique_lock lock(state_mu_);
    if (listener_exited_) break;
    state_cv_.wait_for(lock, std::chrono::milliseconds(1));
  }
  return Ok();
}

void HttpServer::ReaperLoop() {
  std::unique_lock lock(state_mu_);
  while (!stopped_ && !stopping_) {
    state_cv_.wait_for(lock, options_.reap_interval);
    if (stopped_ || stopping_) break;
    lock.unlock();
    ExpireIdleSessions();
    lock.lock();
  }
}

size_t HttpServer::ExpireIdleSessions() {
  auto now = clock_.Steady();
  std::vector<std::shared_ptr<HttpSession>> expired;
  {
    std::lock_guard lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (now - it->second->LastActive() >= options_.session_idle_timeout) {
        expired.push_back(it->second);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& s : expired) {
    spdlog::info("http: session {}… of {} expired after {} s idle", s->id().substr(0, 8), s->principal(),
                 options_.session_idle_timeout.count());
    s->Close(std::chrono::milliseconds(0));
  }
  return expired.size();
}

void HttpServer::Stop() {
  {
    std::lock_guard lock(state_mu_);
    if (!started_ || stopped_) return;
  }
  if (stopping_.exchange(true)) {
    Wait();
    return;
  }
  spdlog::info("http: shutting down (in-flight calls get up to {} ms)", options_.shutdown_grace.count());
  state_cv_.notify_all();
  std::map<std::string, std::shared_ptr<HttpSession>> sessions;
  {
    std::lock_guard lock(mu_);
    sessions.swap(sessions_);
  }
  // In-flight calls of all sessions run concurrently, so one shared deadline bounds the total wait.
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  for (auto& [id, session] : sessions) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    session->Close(std::max(left, std::chrono::milliseconds(0)));
  }
  // Let the stream writers flush the last responses (bounded).
  {
    std::unique_lock lock(state_mu_);
    state_cv_.wait_for(lock, std::chrono::seconds(2), [this] { return open_streams_.load() == 0; });
  }
  server_->stop();
  if (listener_.joinable()) listener_.join();
  if (reaper_.joinable()) reaper_.join();
  sessions.clear();
  {
    std::lock_guard lock(state_mu_);
    stopped_ = true;
  }
  state_cv_.notify_all();
  spdlog::info("http: stopped");
}

void HttpServer::Wait() {
  std::unique_lock lock(state_mu_);
  state_cv_.wait(lock, [this] { return stopped_ || (listener_exited_ && !stopping_); });
}

void HttpServer::Route() {
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return PreRoute(req, res) ? httplib::Server::HandlerResponse::Handled
                              : httplib::Server::HandlerResponse::Unhandled;
  });
  const std::string& path = options_.path;
  server_->Post(path, [this](const httplib::Request& req, httplib::Response& res) { HandlePost(req, res); });
  server_->Get(path, [this](const httplib::Request& req, httplib::Response& res) { HandleGet(req, res); });
  server_->Delete(path,
                  [this](const httplib::Request& req, httplib::Response& res) { HandleDelete(req, res); });
  auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
    JsonRpcError(res, 405, kTransportError, "Method not allowed.");
    res.set_header("Allow", "GET, POST, DELETE");
  };
  server_->Put(path, not_allowed);
  server_->Patch(path, not_allowed);
  server_->Options(path, not_allowed);

  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", kJson);
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    bool ready = !stopping_ && (!deps_.ready || deps_.ready());
    res.status = ready ? 200 : 503;
    res.set_content(ready ? R"({"status":"ready"})" : R"({"status":"not ready"})", kJson);
  });
  if (deps_.authenticator && !deps_.authenticator->authorization_servers().empty()) {
    auto metadata = [this](const httplib::Request&, httplib::Response& res) {
      Json body = {{"resource", options_.public_url + options_.path},
                   {"authorization_servers", deps_.authenticator->authorization_servers()},
                   {"bearer_methods_supported", {"header"}},
                   {"resource_name", "lambda-mcp"}};
      auto scopes = deps_.authenticator->required_scopes();
      if (!scopes.empty()) body["scopes_supported"] = scopes;
      res.set_header("Cache-Control", "max-age=300");
      res.set_content(DumpJson(body), kJson);
    };
    server_->Get("/.well-known/oauth-protected-resource", metadata);
    server_->Get("/.well-known/oauth-protected-resource" + path, metadata);
  }
}

bool HttpServer::PreRoute(const httplib::Request& req, httplib::Response& res) {
  size_t header_bytes = 0;
  for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size() + 4;
  if (header_bytes > options_.max_header_bytes) {
    JsonRpcError(res, 431, kTransportError, "Request header fields too large");
    return true;
  }
  if (!IsAllowedHost(options_.origin_policy, req.get_header_value("Host"))) {
    spdlog::warn("http: rejected Host '{}' from {}", req.get_header_value("Host").substr(0, 100),
                 req.remote_addr);
    JsonRpcError(res, 403, kTransportError, "Forbidden: invalid Host header");
    return true;
  }
  if (req.has_header("Origin") && !IsAllowedOrigin(options_.origin_policy, req.get_header_value("Origin"))) {
    spdlog::warn("http: rejected Origin '{}' from {}", req.get_header_value("Origin").substr(0, 100),
                 req.remote_addr);
    JsonRpcError(res, 403, kTransportError, "Forbidden: Origin not allowed");
    return true;
  }
  return false;
}

std::optional<std::string> HttpServer::Authenticate(const httplib::Request& req, httplib::Response& res) {
  if (!deps_.authenticator) return std::string("anonymous");
  auto principal = deps_.authenticator->Authenticate(req.get_header_value("Authorization"));
  if (principal.ok()) return *principal;
  const Error& err = principal.error();
  bool oauth = !deps_.authenticator->authorization_servers().empty();
  std::string scope = JoinScopes(deps_.authenticator->required_scopes());
  std::string challenge = "Bearer realm=\"lambda-mcp\"";
  if (oauth) challenge += ", resource_metadata=" + Quote(ResourceMetadataUrl());
  if (!scope.empty()) challenge += ", scope=" + Quote(scope);
  spdlog::warn("http: authentication failed from {}: {}", req.remote_addr, err.message);
  switch (err.code) {
    case ErrorCode::kPermissionDenied:
      res.set_header("WWW-Authenticate",
                     challenge + ", error=\"insufficient_scope\", error_description=" + Quote(err.message));
      JsonRpcError(res, 403, kTransportError, "Forbidden: insufficient scope");
      break;
    case ErrorCode::kUnavailable:
      JsonRpcError(res, 503, kTransportError, "Authorization server keys unavailable");
      res.set_header("Retry-After", "5");
      break;
    default:
      if (req.has_header("Authorization")) {
        challenge += ", error=\"invalid_token\", error_description=" + Quote(err.message);
      }
      res.set_header("WWW-Authenticate", challenge);
      JsonRpcError(res, 401, kTransportError, "Unauthorized");
      break;
  }
  return std::nullopt;
}

std::shared_ptr<HttpSession> HttpServer::FindSession(const httplib::Request& req, httplib::Response& res,
                                                     const std::string& principal) {
  std::string id = req.get_header_value("Mcp-Session-Id");
  if (id.empty()) {
    JsonRpcError(res, 400, kTransportError, "Bad Request: Mcp-Session-Id header is required");
    return nullptr;
  }
  std::shared_ptr<HttpSession> session;
  if (IsValidSessionIdSyntax(id)) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it != sessions_.end()) session = it->second;
  }
  // Another principal's session is reported as unknown, revealing nothing.
  if (!session || session->closed() || session->principal() != principal) {
    JsonRpcError(res, 404, kSessionNotFound, "Session not found");
    return nullptr;
  }
  session->Touch();
  return session;
}

bool HttpServer::CheckProtocolVersion(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header("MCP-Protocol-Version")) return true;  // 2025-03-26 assumed
  std::string version = req.get_header_value("MCP-Protocol-Version");
  const auto& ok = options_.protocol_versions;
  if (std::find(ok.begin(), ok.end(), version) != ok.end()) return true;
  std::string list;
  for (const auto& v : ok) list += (list.empty() ? "" : ", ") + v;
  JsonRpcError(res, 400, kTransportError,
               "Bad Request: Unsupported protocol version: " + version.substr(0, 40) +
                   " (supported versions: " + list + ")");
  return false;
}

void HttpServer::StreamSse(httplib::Response& res, std::shared_ptr<SseChannel> channel,
                           std::function<void()> on_finish) {
  res.status = 200;
  res.set_header("Cache-Control", "no-cache, no-transform");
  res.set_header("X-Accel-Buffering", "no");
  open_streams_++;
  auto keepalive = options_.sse_keepalive;
  res.set_chunked_content_provider(
      kSse,
      [channel, keepalive](size_t, httplib::DataSink& sink) {
        std::string frame;
        switch (channel->Pop(&frame, keepalive)) {
          case SseChannel::Next::kFrame:
            return sink.write(frame.data(), frame.size());
          case SseChannel::Next::kIdle: {
            static constexpr std::string_view kKeepAlive = ": keepalive\n\n";
            return sink.write(kKeepAlive.data(), kKeepAlive.size());
          }
          case SseChannel::Next::kClosed:
            sink.done();
            return true;
        }
        return false;
      },
      [this, channel, on_finish = std::move(on_finish)](bool) {
        channel->Abandon();
        if (on_finish) on_finish();
        {
          std::lock_guard lock(state_mu_);
          open_streams_--;
        }
        state_cv_.notify_all();
      });
}

void HttpServer::HandlePost(const httplib::Request& req, httplib::Response& res) {
  if (stopping_) return JsonRpcError(res, 503, kTransportError, "Server is shutting down");
  auto principal = Authenticate(req, res);
  if (!principal) return;
  std::string accept = req.get_header_value("Accept");
  if (!AcceptsMediaType(accept, kJson) || !AcceptsMediaType(accept, kSse)) {
    return JsonRpcError(res, 406, kTransportError,
                        "Not Acceptable: Client must accept both application/json and text/event-stream");
  }
  if (!IsJsonContentType(req.get_header_value("Content-Type"))) {
    return JsonRpcError(res, 415, kTransportError,
                        "Unsupported Media Type: Content-Type must be application/json");
  }
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return JsonRpcError(res, 400, kParseError, "Parse error: Invalid JSON");
  bool batch = body.is_array();
  std::vector<Json> messages;
  if (batch) {
    for (auto& m : body) messages.push_back(std::move(m));
  } else {
    messages.push_back(std::move(body));
  }
  if (messages.empty()) return JsonRpcError(res, 400, kInvalidRequest, "Invalid Request: empty batch");
  for (const auto& m : messages) {
    if (!IsJsonRpcMessage(m))
      return JsonRpcError(res, 400, kParseError, "Parse error: Invalid JSON-RPC message");
  }
  bool has_init = std::any_of(messages.begin(), messages.end(), IsInitialize);
  if (has_init && messages.size() > 1) {
    return JsonRpcError(res, 400, kInvalidRequest,
                        "Invalid Request: Only one initialization request is allowed");
  }

  std::shared_ptr<HttpSession> session;
  bool new_session = false;
  if (has_init) {
    std::string existing = req.get_header_value("Mcp-Session-Id");
    if (!existing.empty()) {
      std::lock_guard lock(mu_);
      auto it = sessions_.find(existing);
      if (it != sessions_.end() && it->second->principal() == *principal) {
        return JsonRpcError(res, 400, kInvalidRequest, "Invalid Request: Server already initialized");
      }
    }
    {
      std::lock_guard lock(mu_);
      if (sessions_.size() >= options_.max_sessions) {
        return JsonRpcError(res, 503, kTransportError, "Too many sessions");
      }
    }
    session = std::make_shared<HttpSession>(NewSessionId(), *principal, clock_);
    mcp::SessionOptions session_options;
    session_options.principal = *principal;
    session_options.transport = "http";
    session->Attach(deps_.session_factory(*session, session_options));
    new_session = true;
  } else {
    session = FindSession(req, res, *principal);
    if (!session) return;
    if (!CheckProtocolVersion(req, res)) return;
  }

  std::vector<std::string> keys;
  for (const auto& m : messages) {
    if (IsRequest(m)) keys.push_back(IdKey(m["id"]));
  }
  if (keys.empty()) {  // only notifications and responses
    for (const auto& m : messages) session->mcp().HandleMessage(m);
    res.status = 202;
    return;
  }
  auto exchange = std::make_shared<Exchange>(keys);
  if (std::set<std::string>(keys.begin(), keys.end()).size() != keys.size() ||
      !session->Register(keys, exchange)) {
    return JsonRpcError(res, 400, kInvalidRequest, "Invalid Request: request id already in flight");
  }
  for (const auto& m : messages) session->mcp().HandleMessage(m);
  Exchange::Decision decision = exchange->Decide();

  if (new_session) {
    bool ok = !decision.json || (decision.messages.size() == 1 && decision.messages[0].contains("result"));
    if (ok) {
      {
        std::lock_guard lock(mu_);
        sessions_[session->id()] = session;
      }
      res.set_header("Mcp-Session-Id", session->id());
      spdlog::info("http: session {}… opened by {} from {}", session->id().substr(0, 8), *principal,
                   req.remote_addr);
    } else {
      session->Unregister(keys, exchange.get());
      session->Close(std::chrono::milliseconds(0));
    }
  }

  if (decision.json) {
    session->Unregister(keys, exchange.get());
    res.status = 200;
    if (batch) {
      res.set_content(DumpJson(Json(decision.messages)), kJson);
    } else {
      res.set_content(DumpJson(decision.messages.front()), kJson);
    }
    return;
  }
  StreamSse(res, decision.channel, [session, exchange, keys] {
    exchange->Abandon();
    session->Unregister(keys, exchange.get());
  });
}

void HttpServer::HandleGet(const httplib::Request& req, httplib::Response& res) {
  if (stopping_) return JsonRpcError(res, 503, kTransportError, "Server is shutting down");
  auto principal = Authenticate(req, res);
  if (!principal) return;
  if (!AcceptsMediaType(req.get_header_value("Accept"), kSse)) {
    return JsonRpcError(res, 406, kTransportError, "Not Acceptable: Client must accept text/event-stream");
  }
  auto session = FindSession(req, res, *principal);
  if (!session) return;
  if (!CheckProtocolVersion(req, res)) return;
  auto channel = std::make_shared<SseChannel>();
  session->OpenGetStream(channel);
  StreamSse(res, channel, [session, raw = channel.get()] { session->CloseGetStream(raw); });
}

void HttpServer::HandleDelete(const httplib::Request& req, httplib::Response& res) {
  if (stopping_) return JsonRpcError(res, 503, kTransportError, "Server is shutting down");
  auto principal = Authenticate(req, res);
  if (!principal) return;
  auto session = FindSession(req, res, *principal);
  if (!session) return;
  if (!CheckProtocolVersion(req, res)) return;
  {
    std::lock_guard lock(mu_);
    sessions_.erase(session->id());
  }
  spdlog::info("http: session {}… closed by {}", session->id().substr(0, 8), *principal);
  session->Close(options_.shutdown_grace);
  res.status = 200;
}

}  // namespace lmcp::transport
