#pragma once
// A small HTTP/1.1 server for the local endpoint: one thread per connection, keep-alive, Content-Length or
// chunked request bodies, `Expect: 100-continue`. Written here rather than on cpp-httplib so that fault
// injection can reset a connection at exact points (no response, after the headers, after the body).
// Framing (http_parser.h) is bounded while bytes arrive; a connection that is too slow is closed; past
// max_connections a new connection gets a 503 at once and is closed.
// Listen() once, then Start(); Stop() closes the listener and every open connection and joins all threads.
// The handler is called concurrently from connection threads.

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aws/http_types.h"
#include "common/result.h"
#include "emulator/http_parser.h"

namespace lmcp::emulator {

enum class Disconnect {
  kNone,
  kResetNoResponse,  // TCP reset without sending anything
  kResetBeforeBody,  // status line and headers sent, then a reset
  kResetAfterBody,   // the whole response sent, then a reset
};

struct ServerResponse {
  int status = 200;
  aws::Headers headers;
  std::string body;
  Disconnect disconnect = Disconnect::kNone;
};

struct HttpServerOptions {
  FramingLimits limits;
  // The whole request head must arrive within this, counted from accept() for a connection's first request
  // and from the first byte of each later one; then 408 and close (slowloris).
  std::chrono::milliseconds header_timeout{10'000};
  // Longest silence while a body arrives (then 408 and close), and between requests on a kept-alive
  // connection (then a quiet close).
  std::chrono::milliseconds idle_timeout{30'000};
  // Open connections served at once; one more gets an immediate 503 and is closed.
  int max_connections = 256;
};

class HttpServer {
 public:
  using Handler = std::function<ServerResponse(const ServerRequest&)>;

  explicit HttpServer(Handler handler, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 picks a free one). Returns the bound port. Fails when the open-file limit
  // cannot hold max_connections (it is raised up to the hard limit first).
  Result<int> Listen(const std::string& host, int port);
  void Start();  // accept loop on a background thread
  void Stop();
  int port() const { return port_; }
  // Connections being served now (not counting ones refused with 503).
  int active_connections() const { return active_.load(); }

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  enum class ReadOutcome { kRequest, kError, kClosed, kTimedOut };
  void AcceptLoop();
  void ServeConnection(Connection* conn);
  // Reads until `parser` has a whole request (or an error), the peer closes, or a deadline passes.
  ReadOutcome ReadRequest(int fd, RequestParser& parser, std::string& pending, bool first,
                          std::chrono::steady_clock::time_point& head_deadline);
  // Sends `res` as its Disconnect says; false when the connection must end (*reset: with a reset).
  bool Respond(int fd, const ServerResponse& res, bool keep_alive, bool* reset);
  void ReapFinished();

  Handler handler_;
  HttpServerOptions options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_;
};

// Percent-decodes (no '+' to space: AWS paths and queries never use it).
std::string PercentDecode(std::string_view s);
// Parses a query string into decoded key/value pairs, in order.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace lmcp::emulator
