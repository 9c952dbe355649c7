#pragma once
// A bounded HTTP/1.1 server (Boost.Asio + Beast, C++20 coroutines) that knows nothing of MCP. Every limit is
// enforced while the bytes arrive, before any work is done for them:
// - the request head (request line + headers) must arrive whole within `header_timeout` (slowloris) and fit
//   in `max_header_bytes` and `max_header_count` (431 otherwise);
// - the handler sees the head first (HttpHandler::OnHead: authentication, policy, routing) and decides
// whether
//   the body is read at all; a body, Content-Length or chunked, is cut at `max_body_bytes` (413);
// - open connections are capped in total, per client address and per principal; a connection over a cap gets
// a
//   fast 503 and is closed, except that health probes (HttpHandler::IsProbe) are still answered from a small
//   reserve of extra slots;
// - a second listener on the same port fails to bind (no SO_REUSEPORT).
// Responses are either whole (Content-Length) or a stream of SSE frames from an SseChannel (chunked), which
// ends when the channel closes or the client goes away. Either way the connection then serves the client's
// next request (HTTP/1.1 keep-alive), unless the client or the response asked to close it. Handlers run on a
// small thread pool, never on the I/O threads.
//
// Thread safety: Start/StopAccepting/Stop from one controlling thread; counters from any thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "mcp/identity.h"
#include "transport/http_session.h"

namespace lmcp::transport {

class ConnectionServer;

// A request head as received. Header names keep their case; lookups ignore it.
struct HttpHead {
  std::string method;  // "POST"
  std::string target;  // "/mcp?x=1"
  std::string path;    // "/mcp"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string remote_addr;
  bool has_body = false;  // Content-Length > 0 or chunked
  std::optional<uint64_t> content_length;
  std::string principal;  // set by OnHead once authenticated; counts toward the per-principal cap
  std::shared_ptr<const mcp::Identity> identity;  // set with principal (its name): who is calling

  // The first value of header `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct HttpRequest {
  HttpHead head;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;  // "" = no Content-Type
  std::string body;
  // When set, the body is this stream of SSE frames (chunked), and `on_stream_end` runs once when it ends:
  // the channel closed and was drained, the client went away, or the server stopped.
  std::shared_ptr<SseChannel> stream;
  std::function<void()> on_stream_end;
  bool close = false;  // close the connection after this response

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Called once the head has arrived, before any byte of the body is read. A response ends the request there
  // (the body is not read; the connection closes if one was announced); nullopt reads the body and then calls
  // OnRequest. May set head.principal. Runs on the handler pool and may block briefly (a key fetch).
  virtual std::optional<HttpResponse> OnHead(HttpHead& head) = 0;
  virtual HttpResponse OnRequest(HttpRequest request) = 0;
  // A health probe, answered even when every connection slot is taken. Called on an I/O thread: no blocking.
  virtual bool IsProbe(const HttpHead& /*head*/) const { return false; }
};

struct HttpListenerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  size_t max_connections = 1024;
  size_t max_connections_per_address = 512;
  size_t max_connections_per_principal = 512;
  size_t probe_reserve = 32;  // extra slots that only answer health probes once the server is full
  size_t max_header_bytes = 32 * 1024;
  size_t max_header_count = 100;
  size_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10000};    // the whole head, from the first wait for it
  std::chrono::milliseconds body_timeout{60000};      // the whole body
  std::chrono::milliseconds write_timeout{30000};     // one write
  std::chrono::milliseconds stream_keepalive{10000};  // SSE comment on an idle stream
  int io_threads = 2;
  int handler_threads = 4;
};

class HttpListener {
 public:
  HttpListener(HttpListenerOptions options, HttpHandler& handler);
  ~HttpListener();  // Stop()s
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Checks the fd limit against the connection caps (raising the soft limit when it can), binds and starts
  // the threads. Fails with a clear message on a port in use, a bad address or too few file descriptors.
  Status Start();
  int port() const { return port_; }
  // No new connections; open ones continue.
  void StopAccepting();
  // Closes every connection (streams end, their on_stream_end runs) and joins the threads. Idempotent.
  void Stop();

  struct Counters {
    std::atomic<uint64_t> accepted{0};
    std::atomic<uint64_t> rejected_full{0};     // 503: over the total, address or principal cap
    std::atomic<uint64_t> header_timeouts{0};   // head not complete within header_timeout
    std::atomic<uint64_t> header_too_large{0};  // 431
    std::atomic<uint64_t> body_too_large{0};    // 413
    std::atomic<uint64_t> bad_requests{0};      // 400: malformed framing
    std::atomic<size_t> open{0};
  };
  const Counters& counters() const { return counters_; }

  // The file descriptors `max_connections` needs (connections, probe reserve, and a margin for everything
  // else).
  static size_t FdsNeeded(const HttpListenerOptions& options);

 private:
  struct Impl;
  friend class ConnectionServer;
  HttpListenerOptions options_;
  HttpHandler& handler_;
  Counters counters_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace lmcp::transport
