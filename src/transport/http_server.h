#pragma once
// The MCP Streamable HTTP transport (MCP 2025-11-25, compatible back to 2025-03-26): POST/GET/DELETE on one
// endpoint, MCP sessions keyed by a random Mcp-Session-Id, per-POST SSE streams for a call's progress, logs,
// server→client requests and response, a GET stream for unsolicited messages, bearer/OAuth authentication,
// Host/Origin validation, size limits, idle-session expiry, /healthz, /readyz and RFC 9728 metadata.
//
// Library choice: cpp-httplib 0.11.4 (Debian's libcpp-httplib). It is blocking, one pool thread per
// connection, so every open SSE stream holds a thread: we size the pool ourselves (`worker_threads`,
// default 256) rather than httplib's 8, write SSE through its chunked content provider (which may block
// waiting for the next message and notices dead clients on write and via keep-alive comments), and bound
// slow clients with read/write timeouts, a body cap and a header cap. Boost.Beast would scale further
// with async I/O but is several times the code; for a per-team tools server (tens to a few hundred
// concurrent connections) a bounded thread-per-connection server is simpler to make correct. Only this
// file's .cc includes httplib; the MCP core never sees it.
//
// Thread safety: Start/Stop/Wait from one controlling thread; everything else is internal.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "mcp/session.h"
#include "transport/http_auth.h"
#include "transport/http_policy.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace lmcp::transport {

class HttpSession;
class HttplibServer;

// Creates the MCP session for a new Mcp-Session-Id. `sink` outlives the session.
using SessionFactory =
    std::function<std::unique_ptr<mcp::Session>(mcp::MessageSink& sink, const mcp::SessionOptions& options)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // bind address; anything but loopback requires authentication
  int port = 0;                    // 0 = any free port
  std::string path = "/mcp";
  OriginPolicy origin_policy;
  // Protocol versions accepted in the MCP-Protocol-Version header (a missing header means 2025-03-26).
  std::vector<std::string> protocol_versions = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05",
                                                "2024-10-07"};
  std::chrono::seconds session_idle_timeout{1800};
  std::chrono::seconds reap_interval{5};
  size_t max_sessions = 1000;
  size_t max_body_bytes = 4 * 1024 * 1024;  // 413 above
  size_t max_header_bytes = 32 * 1024;      // all header lines together; 431 above
  std::chrono::seconds read_timeout{10};    // per read: a slow or stalled client is dropped
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds keep_alive_timeout{5};
  size_t worker_threads = 256;                     // = max concurrent connections (each SSE stream holds one)
  std::chrono::milliseconds sse_keepalive{10000};  // comment line on idle streams; finds dead clients
  std::chrono::milliseconds shutdown_grace{10000};  // in-flight calls may finish within this on Stop()
  std::string public_url;  // scheme://host[:port] clients use; default http://<host>:<bound port>
  // Serve a non-loopback address without authentication anyway (logged as a warning).
  bool allow_unauthenticated_remote = false;
};

struct HttpServerDeps {
  SessionFactory session_factory;
  std::shared_ptr<Authenticator> authenticator;  // null = no authentication (loopback only)
  std::function<bool()> ready;                   // /readyz; null = always ready
  Clock* clock = nullptr;                        // null = Clock::System()
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

  // Graceful: new requests get 503, in-flight calls get `shutdown_grace` to finish and their responses are
  // flushed, then every stream and the listener close. Idempotent; blocks until done.
  void Stop();
  // Blocks until Stop() has finished (from another thread) or the listener died.
  void Wait();

  // Ends sessions idle longer than session_idle_timeout (by the injected clock); returns how many. The
  // background reaper calls this every reap_interval; tests call it directly with a FakeClock.
  size_t ExpireIdleSessions();
  size_t session_count() const;

 private:
  void Route();
  bool PreRoute(const httplib::Request& req, httplib::Response& res);
  // Authenticates; on failure fills res (401/403/503) and returns nullopt.
  std::optional<std::string> Authenticate(const httplib::Request& req, httplib::Response& res);
  void HandlePost(const httplib::Request& req, httplib::Response& res);
  void HandleGet(const httplib::Request& req, httplib::Response& res);
  void HandleDelete(const httplib::Request& req, httplib::Response& res);
  // Finds the request's session; on failure fills res (400/404) and returns null.
  std::shared_ptr<HttpSession> FindSession(const httplib::Request& req, httplib::Response& res,
                                           const std::string& principal);
  bool CheckProtocolVersion(const httplib::Request& req, httplib::Response& res);
  void StreamSse(httplib::Response& res, std::shared_ptr<class SseChannel> channel,
                 std::function<void()> on_finish);
  std::string ResourceMetadataUrl() const;
  void ReaperLoop();

  HttpServerOptions options_;
  HttpServerDeps deps_;
  Clock& clock_;
  std::unique_ptr<HttplibServer> server_;
  int port_ = 0;
  std::thread listener_;
  std::thread reaper_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_streams_{0};

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<HttpSession>> sessions_;

  std::mutex state_mu_;
  std::condition_variable state_cv_;
  bool stopped_ = false;
  bool started_ = false;
  bool listener_exited_ = false;
};

}  // namespace lmcp::transport
