#include "transport/http_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/log_text.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "transport/http_responses.h"
#include "transport/http_session.h"

namespace lmcp::transport {
namespace {

std::string UrlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Quoted-string for WWW-Authenticate parameters (no quotes, backslashes or control characters inside).
std::string Quote(std::string s) {
  s.erase(
      std::remove_if(s.begin(), s.end(),
                     [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }),
      s.end());
  return "\"" + s + "\"";
}

}  // namespace

class HttpServer::Handler final : public HttpHandler {
 public:
  explicit Handler(HttpServer& server) : server_(server) {}
  std::optional<HttpResponse> OnHead(HttpHead& head) override { return server_.OnHead(head); }
  HttpResponse OnRequest(HttpRequest request) override { return server_.OnRequest(std::move(request)); }
  bool IsProbe(const HttpHead& head) const override {
    return head.method == "GET" && (head.path == "/healthz" || head.path == "/readyz");
  }

 private:
  HttpServer& server_;
};

HttpServer::HttpServer(HttpServerOptions options, HttpServerDeps deps)
    : options_(std::move(options)),
      deps_(std::move(deps)),
      clock_(deps_.clock ? *deps_.clock : Clock::System()),
      sessions_({.max_sessions = options_.max_sessions,
                 .max_per_principal = options_.max_sessions_per_principal,
                 .idle_timeout = options_.session_idle_timeout,
                 .unconfirmed_timeout = options_.unconfirmed_session_timeout},
                clock_) {}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServer::url() const {
  return "http://" + UrlHost(options_.host) + ":" + std::to_string(port_) + options_.path;
}

std::string HttpServer::PublicUrl() const {
  if (!options_.public_url.empty()) {
    return options_.public_url;
  }
  // The listener's port is set before its threads start, so request threads may read it.
  return "http://" + UrlHost(options_.host) + ":" + std::to_string(listener_->port());
}

std::string HttpServer::ResourceMetadataUrl() const {
  return PublicUrl() + "/.well-known/oauth-protected-resource" + options_.path;
}

size_t HttpServer::session_count() const { return sessions_.size(); }

Status HttpServer::Start() {
  if (!deps_.session_factory) {
    return Error::InvalidArgument("http: no session factory");
  }
  if (!IsLoopbackBindAddress(options_.host) && !deps_.authenticator) {
    if (!options_.allow_unauthenticated_remote) {
      return Error::FailedPrecondition(
          "refusing to serve " + options_.host +
          " without authentication: configure a token or OAuth, or bind 127.0.0.1");
    }
    spdlog::warn("http: serving {} WITHOUT authentication; anyone who can reach it can call every tool",
                 options_.host);
  }
  HttpListenerOptions wire;
  wire.host = options_.host;
  wire.port = options_.port;
  wire.max_connections = options_.max_connections;
  wire.max_connections_per_address = options_.max_connections_per_address;
  wire.max_connections_per_principal = options_.max_connections_per_principal;
  wire.max_header_bytes = options_.max_header_bytes;
  wire.max_header_count = options_.max_header_count;
  wire.max_body_bytes = options_.max_body_bytes;
  wire.header_timeout = options_.header_timeout;
  wire.write_timeout = options_.write_timeout;
  wire.stream_keepalive = options_.sse_keepalive;
  wire.io_threads = options_.io_threads;
  handler_ = std::make_unique<Handler>(*this);
  listener_ = std::make_unique<HttpListener>(wire, *handler_);
  if (Status started = listener_->Start(); !started.ok()) {
    return started;
  }
  port_ = listener_->port();
  {
    std::lock_guard lock(state_mu_);
    started_ = true;
  }
  reaper_ = std::thread([this] { ReaperLoop(); });
  return Ok();
}

void HttpServer::ReaperLoop() {
  std::unique_lock lock(state_mu_);
  auto next_reap = std::chrono::steady_clock::now() + options_.reap_interval;
  while (!stopped_ && !stopping_) {
    state_cv_.wait_until(lock, next_reap, [this] { return stopping_ || !closing_.empty(); });
    if (stopped_ || stopping_) {
      break;
    }
    std::vector<std::shared_ptr<HttpSession>> closing;
    closing.swap(closing_);
    lock.unlock();
    CloseSessions(std::move(closing), options_.shutdown_grace, "closed by its client", /*client_gone=*/true);
    if (std::chrono::steady_clock::now() >= next_reap) {
      ExpireIdleSessions();
      next_reap = std::chrono::steady_clock::now() + options_.reap_interval;
    }
    lock.lock();
  }
}

void HttpServer::CloseSessions(std::vector<std::shared_ptr<HttpSession>> sessions,
                               std::chrono::milliseconds grace, const char* why, bool client_gone) {
  // Each busy session gets the whole grace: they wait in parallel, so the total wait is one grace.
  std::vector<std::thread> waits;
  for (auto& s : sessions) {
    spdlog::info("http: session {}… of {} {}", s->id().substr(0, 8), ForLog(s->principal()), why);
    if (client_gone) {
      s->mcp().ClientGoneAll();
    }
    if (s->Busy()) {
      waits.emplace_back([s, grace] { s->Close(grace); });
    } else {
      s->Close(grace);
    }
  }
  for (auto& t : waits) {
    t.join();
  }
}

size_t HttpServer::ExpireIdleSessions() {
  auto expired = sessions_.TakeExpired();
  size_t n = expired.size();
  CloseSessions(std::move(expired), std::chrono::milliseconds(0), "expired (idle)", /*client_gone=*/true);
  return n;
}

void HttpServer::Drain() {
  if (!draining_.exchange(true)) {
    spdlog::info("http: draining: /readyz says 503 from now on; still serving");
  }
}

void HttpServer::Stop() {
  {
    std::lock_guard lock(state_mu_);
    if (!started_ || stopped_) {
      return;
    }
  }
  if (stopping_.exchange(true)) {
    Wait();
    return;
  }
  spdlog::info("http: shutting down (in-flight calls get up to {} ms)", options_.shutdown_grace.count());
  state_cv_.notify_all();
  listener_->StopAccepting();
  // Closing a session answers its pending requests (results within the grace, then -32603), and those
  // answers go out on their streams below.
  auto sessions = sessions_.TakeAll();
  {
    std::lock_guard lock(state_mu_);
    sessions.insert(sessions.end(), closing_.begin(), closing_.end());
    closing_.clear();
    sessions.insert(sessions.end(), stateless_.begin(), stateless_.end());
    stateless_.clear();
  }
  CloseSessions(std::move(sessions), options_.shutdown_grace, "closed: the server is stopping",
                /*client_gone=*/false);
  {
    std::unique_lock lock(state_mu_);
    state_cv_.wait_for(lock, std::chrono::seconds(2), [this] { return open_streams_.load() == 0; });
  }
  listener_->Stop();
  if (reaper_.joinable()) {
    reaper_.join();
  }
  {
    std::lock_guard lock(state_mu_);
    stopped_ = true;
  }
  state_cv_.notify_all();
  spdlog::info("http: stopped");
}

void HttpServer::Wait() {
  std::unique_lock lock(state_mu_);
  state_cv_.wait(lock, [this] { return stopped_; });
}

std::optional<HttpResponse> HttpServer::OnHead(HttpHead& head) {
  if (!IsAllowedHost(options_.origin_policy, head.Header("Host"))) {
    spdlog::warn("http: rejected Host '{}' from {}", ForLog(head.Header("Host"), 100), head.remote_addr);
    return JsonRpcError(403, RpcError::TransportError("Forbidden: invalid Host header"));
  }
  if (head.HasHeader("Origin") && !IsAllowedOrigin(options_.origin_policy, head.Header("Origin"))) {
    spdlog::warn("http: rejected Origin '{}' from {}", ForLog(head.Header("Origin"), 100), head.remote_addr);
    return JsonRpcError(403, RpcError::TransportError("Forbidden: Origin not allowed"));
  }
  if (head.path == "/metrics" && deps_.metrics) {
    return ServeMetrics(head);
  }
  if (head.path != options_.path) {
    return Route(head);
  }
  if (head.method != "POST" && head.method != "GET" && head.method != "DELETE") {
    HttpResponse res = JsonRpcError(405, RpcError::TransportError("Method not allowed."));
    res.SetHeader("Allow", "GET, POST, DELETE");
    return res;
  }
  if (stopping_) {
    return JsonRpcError(503, RpcError::TransportError("Server is shutting down"));
  }
  if (auto refused = Authenticate(head)) {
    return refused;
  }
  if (head.method == "POST") {
    std::string accept = head.Header("Accept");
    if (!AcceptsMediaType(accept, kJson) || !AcceptsMediaType(accept, kSse)) {
      return JsonRpcError(
          406, RpcError::TransportError(
                   "Not Acceptable: Client must accept both application/json and text/event-stream"));
    }
    if (!IsJsonContentType(head.Header("Content-Type"))) {
      return JsonRpcError(
          415, RpcError::TransportError("Unsupported Media Type: Content-Type must be application/json"));
    }
    std::string encoding = head.Header("Content-Encoding");
    if (!encoding.empty() && encoding != "identity") {
      return JsonRpcError(415, RpcError::TransportError("Unsupported Media Type: Content-Encoding is not "
                                                        "accepted; send the body uncompressed"));
    }
  }
  return std::nullopt;
}

std::optional<HttpResponse> HttpServer::Route(const HttpHead& head) {
  if (head.method == "GET" && head.path == "/healthz") {
    return JsonBody(200, R"({"status":"ok"})");
  }
  if (head.method == "GET" && head.path == "/readyz") {
    const bool draining = draining_ || stopping_;
    bool ready = !draining && (!deps_.ready || deps_.ready());
    Json body = deps_.ready_detail ? deps_.ready_detail() : Json::object();
    body["status"] = ready ? "ready" : draining ? "draining" : "not ready";
    return JsonBody(ready ? 200 : 503, jsonrpc::Serialize(body));
  }
  const std::string metadata = "/.well-known/oauth-protected-resource";
  bool oauth = deps_.authenticator && !deps_.authenticator->authorization_servers().empty();
  if (oauth && head.method == "GET" && (head.path == metadata || head.path == metadata + options_.path)) {
    Json body = {{"resource", PublicUrl() + options_.path},
                 {"authorization_servers", deps_.authenticator->authorization_servers()},
                 {"bearer_methods_supported", {"header"}},
                 {"resource_name", "lambda-mcp"}};
    auto scopes = deps_.authenticator->required_scopes();
    if (!scopes.empty()) {
      body["scopes_supported"] = scopes;
    }
    HttpResponse res = JsonBody(200, jsonrpc::Serialize(body));
    res.SetHeader("Cache-Control", "max-age=300");
    return res;
  }
  return JsonRpcError(404, RpcError::TransportError("Not Found"));
}

HttpResponse HttpServer::ServeMetrics(HttpHead& head) {
  if (head.method != "GET") {
    HttpResponse res = JsonRpcError(405, RpcError::TransportError("Method not allowed."));
    res.SetHeader("Allow", "GET");
    return res;
  }
  if (!options_.metrics_public) {
    if (auto refused = Authenticate(head)) {
      return *refused;
    }
  }
  HttpResponse res;
  res.body = deps_.metrics();
  res.content_type = metrics::kExpositionContentType;
  res.SetHeader("Cache-Control", "no-store");
  return res;
}

std::optional<HttpResponse> HttpServer::Authenticate(HttpHead& head) {
  if (!deps_.authenticator) {
    head.identity = std::make_shared<const mcp::Identity>(mcp::Identity{.name = "anonymous"});
    head.principal = head.identity->name;
    return std::nullopt;
  }
  auto identity = deps_.authenticator->Authenticate(head.Header("Authorization"));
  if (identity.ok()) {
    head.identity = std::make_shared<const mcp::Identity>(std::move(identity).value());
    head.principal = head.identity->name;
    return std::nullopt;
  }
  const Error& err = identity.error();
  bool oauth = !deps_.authenticator->authorization_servers().empty();
  std::string scope = Join(deps_.authenticator->required_scopes(), " ");
  std::string challenge = "Bearer realm=\"lambda-mcp\"";
  if (oauth) {
    challenge += ", resource_metadata=" + Quote(ResourceMetadataUrl());
  }
  if (!scope.empty()) {
    challenge += ", scope=" + Quote(scope);
  }
  spdlog::warn("http: authentication failed from {}: {}", head.remote_addr, ForLog(err.message));
  HttpResponse res;
  switch (err.code) {
    case ErrorCode::kPermissionDenied:
      res = JsonRpcError(403, RpcError::TransportError("Forbidden: insufficient scope"));
      res.SetHeader("WWW-Authenticate",
                    challenge + ", error=\"insufficient_scope\", error_description=" + Quote(err.message));
      break;
    case ErrorCode::kUnavailable:
      res = JsonRpcError(503, RpcError::TransportError("Authorization server keys unavailable"));
      res.SetHeader("Retry-After", "5");
      break;
    default:
      if (head.HasHeader("Authorization")) {
        challenge += ", error=\"invalid_token\", error_description=" + Quote(err.message);
      }
      res = JsonRpcError(401, RpcError::TransportError("Unauthorized"));
      res.SetHeader("WWW-Authenticate", challenge);
      break;
  }
  return res;
}

}  // namespace lmcp::transport
