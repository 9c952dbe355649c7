#pragma once
// The MCP Streamable HTTP transport of both eras on one endpoint: MCP 2026-07-28 (stateless: every POST
// stands alone) and 2025-11-25 back to 2025-03-26: POST/GET/DELETE, MCP sessions keyed by a random
// Mcp-Session-Id, per-POST SSE streams for a call's progress, logs, server→client requests and response, a
// GET stream for unsolicited messages, bearer/OAuth authentication, Host/Origin validation, size limits,
// idle-session expiry, /healthz, /readyz and RFC 9728 metadata.
//
// The wire (framing, limits, connection slots, streaming) is HttpListener's (Boost.Beast, asynchronous: an
// open SSE stream costs a socket and a few KB, not a thread). This class is the MCP part: routes, Host/Origin
// checks, authentication before any body byte is read, sessions (SessionRegistry: caps, eviction, expiry) and
// the mapping of JSON-RPC messages to JSON answers or SSE streams. Only the .cc files include Boost; the MCP
// core never sees it.
//
// Thread safety: Start/Stop/Wait from one controlling thread; everything else is internal.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "mcp/protocol.h"
#include "mcp/session.h"
#include "transport/http_auth.h"
#include "transport/http_listener.h"
#include "transport/http_policy.h"
#include "transport/http_session.h"
#include "transport/session_registry.h"

namespace lmcp::transport {

// Creates the MCP session for a new Mcp-Session-Id. `sink` outlives the session.
using SessionFactory =
    std::function<std::unique_ptr<mcp::Session>(mcp::MessageSink& sink, const mcp::SessionOptions& options)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // bind address; anything but loopback requires authentication
  int port = 0;                    // 0 = any free port
  std::string path = "/mcp";
  OriginPolicy origin_policy;
  // Protocol versions accepted in the MCP-Protocol-Version header (a missing header means 2025-03-26).
  std::vector<std::string> protocol_versions = mcp::SupportedProtocolVersions();
  std::chrono::seconds session_idle_timeout{1800};
  std::chrono::seconds unconfirmed_session_timeout{60};  // sessions that sent nothing after initialize
  std::chrono::seconds reap_interval{5};
  size_t max_sessions = 1000;  // beyond, the oldest idle session is evicted (503 if none is idle)
  size_t max_sessions_per_principal = 100;
  size_t max_body_bytes = 4 * 1024 * 1024;  // 413 above, Content-Length or chunked
  size_t max_header_bytes = 32 * 1024;      // request line and all header lines together; 431 above
  size_t max_header_count = 100;
  std::chrono::milliseconds header_timeout{10000};  // the whole request head (slowloris)
  std::chrono::seconds write_timeout{30};
  size_t max_connections = 1024;  // beyond, a fast 503 (health probes are still answered)
  size_t max_connections_per_address = 256;
  size_t max_connections_per_principal = 256;
  int io_threads = 2;
  std::chrono::milliseconds sse_keepalive{10000};   // comment line on idle streams; finds dead clients
  std::chrono::milliseconds shutdown_grace{10000};  // in-flight calls may finish within this on Stop()
  std::string public_url;  // scheme://host[:port] clients use; default http://<host>:<bound port>
  // Serve a non-loopback address without authentication anyway (logged as a warning).
  bool allow_unauthenticated_remote = false;
  // GET /metrics without authentication (otherwise it takes the same credentials as /mcp).
  bool metrics_public = false;
};

struct HttpServerDeps {
  SessionFactory session_factory;
  std::shared_ptr<Authenticator> authenticator;  // null = no authentication (loopback only)
  std::function<bool()> ready;                   // /readyz; null = always ready
  // Members added to /readyz's JSON body (the catalog's per-target status); null = none.
  std::function<Json()> ready_detail;
  Clock* clock = nullptr;  // null = Clock::System()
  // The inputSchema of a tool the caller may call, for checking a stateless tools/call's Mcp-Param-* headers
  // against its arguments (x-mcp-header); nullopt for a tool unknown or hidden to that caller (the MCP core
  // answers it). Null = no tool declares any.
  std::function<std::optional<Json>(const mcp::Identity& caller, const std::string& tool)> input_schema;
  // The body of GET /metrics (Prometheus text exposition, common/metrics.h); null = no /metrics route.
  std::function<std::string()> metrics;
  // 2025-era session ids as sealed tickets (mcp/session_ticket.h), so that every replica sharing the key
  // serves every session; null = random ids, a session lives on this process only.
  const mcp::SessionTickets* session_tickets = nullptr;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpServerDeps deps);
  ~HttpServer();  // Stop()s if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on background threads. Fails on a bad bind, or on a non-loopback address
  // without authentication (unless allowed).
  Status Start();
  int port() const { return port_; }
  // "http://127.0.0.1:PORT/mcp"
  std::string url() const;

  // The first step of a graceful stop behind a load balancer: /readyz answers 503 {"status":"draining"} so
  // the balancer's health check takes this replica out, while everything else is served as before. Stop()
  // next.
  void Drain();
  bool draining() const { return draining_.load(); }
  // Graceful: new requests get 503, in-flight calls get `shutdown_grace` to finish and their responses are
  // flushed, then every stream and the listener close. Idempotent; blocks until done.
  void Stop();
  // Blocks until Stop() has finished (from another thread).
  void Wait();

  // Ends sessions idle longer than their timeout (by the injected clock); returns how many. The background
  // reaper calls this every reap_interval (and closes sessions ended by DELETE); tests call it directly.
  size_t ExpireIdleSessions();
  size_t session_count() const;

 private:
  class Handler;
  // Each returns the response to send; a stream response carries its channel.
  std::optional<HttpResponse> OnHead(HttpHead& head);
  HttpResponse OnRequest(HttpRequest request);
  std::optional<HttpResponse> Route(const HttpHead& head);
  // GET /metrics: authenticated like /mcp unless metrics_public.
  HttpResponse ServeMetrics(HttpHead& head);
  // Authenticates; on failure the 401/403/503 response.
  std::optional<HttpResponse> Authenticate(HttpHead& head);
  // POST, in steps: ReadPost checks the body before any session is looked up (as the MCP TypeScript SDK
  // does); NewSession (initialize) or PostSession (any later message) finds the session; HandlePost hands
  // the messages over, AdmitSession keeps a session whose initialize succeeded, AnswerPost answers.
  struct Post;
  HttpResponse HandlePost(HttpRequest& request);
  // Parses the body (which it frees) and checks it: JSON, batch size, every element a JSON-RPC envelope, an
  // initialize request alone. The refusal is a 400.
  static std::variant<Post, HttpResponse> ReadPost(std::string& body_text);
  // A new, unregistered session for an initialize; a 400 when the request names a live session of its own.
  std::variant<std::shared_ptr<HttpSession>, HttpResponse> NewSession(const HttpHead& head, const Post& post);
  // An HTTP session with `id` for the request's principal, its MCP session attached; not registered.
  std::shared_ptr<HttpSession> MakeSession(const HttpHead& head, std::string id);
  // The id of a new session: a ticket for the initialize's negotiated version and capabilities, or random.
  std::string NewSessionIdFor(const HttpHead& head, const Post& post) const;
  // A session this process does not hold, resumed from its ticket and registered; null when `id` is no
  // valid ticket of the caller's, was deleted here, or there is no room.
  std::shared_ptr<HttpSession> ResumeSession(const HttpHead& head, const std::string& id);
  // The request's session, checked: known (400/404), MCP-Protocol-Version, a batch allowed by its revision.
  std::variant<std::shared_ptr<HttpSession>, HttpResponse> PostSession(const HttpHead& head,
                                                                       const Post& post);
  // Registers the new session (evicting idle ones if needed), or the 503 when there is no room.
  std::optional<HttpResponse> AdmitSession(const HttpHead& head, Post& post);
  // The answer once the session has every message: a JSON body, or the stream the answers go on.
  HttpResponse AnswerPost(Post& post, Exchange::Decision decision, HttpResponse res);
  // MCP 2026-07-28 (http_server_stateless.cc): a POST that carries the stateless era's _meta or version
  // header is served by a session of its own, created for it and closed after it: no Mcp-Session-Id, the
  // era's header checks (-32020) and status codes (400, 404), and a dropped stream cancels the request.
  static bool IsStatelessPost(const HttpHead& head, const Post& post);
  // The -32020 reason when the request's headers do not match its body, or nullopt.
  std::optional<std::string> HeaderMismatch(const HttpHead& head, const Json& message) const;
  HttpResponse HandleStatelessPost(const HttpHead& head, Post& post);
  void ForgetStatelessSession(const std::shared_ptr<HttpSession>& session, bool dropped);
  HttpResponse HandleGet(const HttpHead& head);
  HttpResponse HandleDelete(const HttpHead& head);
  // The request's session, or the 400/404 response (400 too for an MCP-Protocol-Version it does not accept).
  std::variant<std::shared_ptr<HttpSession>, HttpResponse> FindSession(const HttpHead& head);
  std::optional<HttpResponse> CheckProtocolVersion(const HttpHead& head);
  HttpResponse StreamResponse(std::shared_ptr<SseChannel> channel, std::function<void()> on_finish);
  std::string PublicUrl() const;
  std::string ResourceMetadataUrl() const;
  void ReaperLoop();
  // Closes `sessions` (busy ones in parallel, each with `grace`). `client_gone`: nobody will read their
  // answers (DELETE, expiry, eviction), so queued calls are dropped without invoking.
  void CloseSessions(std::vector<std::shared_ptr<HttpSession>> sessions, std::chrono::milliseconds grace,
                     const char* why, bool client_gone);

  HttpServerOptions options_;
  HttpServerDeps deps_;
  Clock& clock_;
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<HttpListener> listener_;
  SessionRegistry sessions_;
  int port_ = 0;
  std::thread reaper_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::atomic<int> open_streams_{0};

  std::mutex state_mu_;
  std::condition_variable state_cv_;
  std::vector<std::shared_ptr<HttpSession>> closing_;    // ended by DELETE, closed on the reaper thread
  std::vector<std::shared_ptr<HttpSession>> stateless_;  // per-request sessions with an open stream
  static constexpr size_t kMaxDeletedTickets = 100'000;
  std::mutex resume_mu_;           // one resume of an id at a time
  std::set<std::string> deleted_;  // tickets ended by DELETE here, until they expire
  std::deque<std::pair<Clock::SteadyTime, std::string>> deleted_order_;
  bool stopped_ = false;
  bool started_ = false;
};

}  // namespace lmcp::transport
