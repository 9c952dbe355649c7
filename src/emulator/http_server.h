#pragma once
// A small HTTP/1.1 server for the local endpoint: one thread per connection, keep-alive, Content-Length or
// chunked request bodies, `Expect: 100-continue`. Written here rather than on cpp-httplib so that fault
// injection can reset a connection at exact points (no response, after the headers, after the body).
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

#include "aws/http_types.h"
#include "common/result.h"

namespace lmcp::emulator {

struct ServerRequest {
  std::string method;
  std::string target;  // as received: path[?query], still percent-encoded
  std::string path;    // target before '?', still percent-encoded
  std::string query;   // after '?', still percent-encoded
  aws::Headers headers;
  std::string body;
};

enum class Disconnect {
  kNone,
  kResetNoResponse,    // TCP reset without sending anything
  kResetBeforeBody,    // status line and headers sent, then a reset
  kResetAfterBody,     // the whole response sent, then a reset
};

struct ServerResponse {
  int status = 200;
  aws::Headers headers;
  std::string body;
  Disconnect disconnect = Disconnect::kNone;
};

class HttpServer {
 public:
  using Handler = std::function<ServerResponse(const ServerRequest&)>;

  explicit HttpServer(Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 picks a free one). Returns the bound port.
  Result<int> Listen(const std::string& host, int port);
  void Start();  // accept loop on a background thread
  void Stop();
  int port() const { return port_; }

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  void AcceptLoop();
  void ServeConnection(Connection* conn);
  void ReapFinished();

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::list<std::unique_ptr<Connection>> connections_;
};

// Lower-case-insensitive header lookup; empty when absent.
std::string HeaderValue(const aws::Headers& headers, std::string_view name);
// Percent-decodes (no '+' to space: AWS paths and queries never use it).
std::string PercentDecode(std::string_view s);
// Parses a query string into decoded key/value pairs, in order.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace lmcp::emulator
