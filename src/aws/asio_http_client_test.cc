#include "aws/asio_http_client.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/common/fake_clock.h"
#include "tests/support/loopback.h"

namespace lmcp::aws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using test_support::FreeLoopbackPort;
using LoopbackServer = test_support::HttplibOnLoopback;

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

// No proxy variables, whatever the environment running the tests holds.
AsioHttpClientOptions Direct(AsioHttpClientOptions o = {}) {
  if (!o.env) {
    o.env = Env({});
  }
  return o;
}

int ThreadCount() {
  int n = 0;
  DIR* d = opendir("/proc/self/task");
  while (dirent* e = readdir(d)) {
    n += e->d_name[0] != '.' ? 1 : 0;
  }
  closedir(d);
  return n;
}

// Collects SendAsync results; Wait blocks until `n` arrived.
class Results {
 public:
  AsioHttpClient::Done Add(int i) {
    return [this, i](HttpResult r) {
      std::lock_guard lock(mu_);
      results_.emplace(i, std::move(r));
      cv_.notify_all();
    };
  }
  void Wait(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return results_.size() >= n; });
  }
  HttpResult& operator[](int i) {
    std::lock_guard lock(mu_);
    return results_.at(i);
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return results_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, HttpResult> results_;
};

// An HTTP/1.1 keep-alive server on one Asio thread. Requests whose path starts with /hold get no response
// until Release(); every response's body is the request's path. Counts requests seen and open connections.
class HoldingServer {
 public:
  HoldingServer() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), gate_(io_) {
    gate_.expires_at(asio::steady_timer::time_point::max());
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~HoldingServer() {
    io_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void Release() {
    asio::post(io_, [this] {
      released_ = true;
      gate_.cancel();
    });
  }
  void WaitSeen(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return seen_ >= n; });
  }
  void WaitOpen(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_ == n; });
  }
  int accepted() {
    std::lock_guard lock(mu_);
    return accepted_;
  }

 private:
  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(kUse);
      if (ec) {
        co_return;
      }
      {
        std::lock_guard lock(mu_);
        ++accepted_;
        ++open_;
      }
      asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(socket, buffer, req, kUse);
      if (ec) {
        break;
      }
      {
        std::lock_guard lock(mu_);
        ++seen_;
      }
      cv_.notify_all();
      std::string path(req.target());
      if (path.starts_with("/hold") && !released_) {
        co_await gate_.async_wait(kUse);
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = path;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(socket, res, kUse);
      if (wec) {
        break;
      }
    }
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_all();
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer gate_;
  bool released_ = false;  // I/O thread only
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  int seen_ = 0, open_ = 0, accepted_ = 0;
  std::thread thread_;
};

// A raw TCP server that reads one request and closes the connection without answering.
class SilentCloser {
 public:
  SilentCloser() {
    thread_ = std::thread([this] {
      int c = accept(listener_.fd(), nullptr, nullptr);
      if (c < 0) {
        return;
      }
      char buf[4096];
      std::string got;
      while (got.find("\r\n\r\n") == std::string::npos) {
        auto n = read(c, buf, sizeof buf);
        if (n <= 0) {
          break;
        }
        got.append(buf, static_cast<std::size_t>(n));
      }
      close(c);
    });
  }
  ~SilentCloser() {
    listener_.StopAccepting();
    thread_.join();
  }
  int port() const { return listener_.port(); }

 private:
  test_support::LoopbackListener listener_;
  std::thread thread_;
};

// Answers the first request it reads with 200 (keep-alive), then drops every later connection after reading
// a full request, without a response byte. Counts the requests it read.
class AnswersOnceThenDrops {
 public:
  AnswersOnceThenDrops() {
    thread_ = std::thread([this] {
      while (true) {
        int c = accept(listener_.fd(), nullptr, nullptr);
        if (c < 0) {
          return;
        }
        Serve(c);
        close(c);
      }
    });
  }
  ~AnswersOnceThenDrops() {
    listener_.StopAccepting();
    thread_.join();
  }
  std::string url() const { return listener_.url("/invoke"); }
  int requests() const { return requests_; }

 private:
  void Serve(int c) {
    std::string got;
    char buf[4096];
    while (true) {
      auto end = got.find("\r\n\r\n");
      if (end != std::string::npos) {
        auto cl = got.find("Content-Length: ");
        std::size_t body = cl == std::string::npos ? 0 : std::stoul(got.substr(cl + 16));
        if (got.size() >= end + 4 + body) {
          got.erase(0, end + 4 + body);
          if (requests_++ > 0) {
            return;  // read, acted on, then dropped without answering
          }
          const char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";
          if (write(c, kOk, sizeof kOk - 1) < 0) {
            return;
          }
          continue;
        }
      }
      auto n = read(c, buf, sizeof buf);
      if (n <= 0) {
        return;
      }
      got.append(buf, static_cast<std::size_t>(n));
    }
  }

  test_support::LoopbackListener listener_;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

TEST(AsioHttpClient, SendsHeadersAndBodyAndReadsResponse) {
  httplib::Server server;
  std::mutex mu;
  httplib::Headers seen;
  std::string seen_body;
  server.Post("/echo", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen = req.headers;
    seen_body = req.body;
    res.status = 202;
    res.set_header("X-Amz-Executed-Version", "7");
    res.set_content("payload", "application/json");
  });
  LoopbackServer s(server);
  AsioHttpClient client(Direct());
  HttpRequest req{.method = "POST", .url = s.url("/echo?x=1"), .body = "{\"a\":1}"};
  req.headers = {{"X-Amz-Invocation-Type", "Event"}, {"Expect", "100-continue"}, {"Content-Length", "99"}};
  auto r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "payload");
  EXPECT_EQ(FindHeader(r->headers, "x-amz-executed-version"), "7");
  std::lock_guard lock(mu);
  EXPECT_EQ(seen_body, "{\"a\":1}");
  auto header = [&](const char* name) {
    auto it = seen.find(name);
    return it == seen.end() ? std::string("<absent>") : it->second;
  };
  EXPECT_EQ(header("X-Amz-Invocation-Type"), "Event");
  EXPECT_EQ(header("Content-Length"), "7");
  EXPECT_EQ(header("Expect"), "<absent>");
  EXPECT_EQ(header("Content-Type"), "<absent>");
  EXPECT_EQ(header("Accept"), "<absent>");
  EXPECT_EQ(header("User-Agent"), "lambda-mcp");
  EXPECT_EQ(header("Host"), "127.0.0.1:" + std::to_string(s.port()));
}

TEST(AsioHttpClient, ChunkedHeadAndNoContentResponses) {
  httplib::Server server;
  server.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      if (offset < 3000) {
        std::string part(1000, static_cast<char>('a' + offset / 1000));
        sink.write(part.data(), part.size());
      } else {
        sink.done();
      }
      return true;
    });
  });
  server.Get("/sized", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("twelve bytes", "text/plain");
  });
  server.Delete("/none", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  LoopbackServer s(server);
  AsioHttpClient client(Direct());
  auto chunked = client.Send(HttpRequest{.url = s.url("/chunked")});
  ASSERT_TRUE(chunked.ok()) << chunked.error().message;
  EXPECT_EQ(chunked->body, std::string(1000, 'a') + std::string(1000, 'b') + std::string(1000, 'c'));
  EXPECT_EQ(FindHeader(chunked->headers, "transfer-encoding"), "chunked");
  auto head = client.Send(HttpRequest{.method = "HEAD", .url = s.url("/sized")});
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(FindHeader(head->headers, "content-length"), "12");
  auto none = client.Send(HttpRequest{.method = "DELETE", .url = s.url("/none")});
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none->status, 204);
  auto sized = client.Send(HttpRequest{.url = s.url("/sized")});  // the connection is still in step
  ASSERT_TRUE(sized.ok()) << sized.error().message;
  EXPECT_EQ(sized->body, "twelve bytes");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(AsioHttpClient, ReusesConnectionsAcrossCallsAndThreads) {
  httplib::Server server;
  server.set_keep_alive_max_count(1000);
  server.Get("/ok",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  LoopbackServer s(server);
  AsioHttpClient client(Direct());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Send(HttpRequest{.url = s.url("/ok")}).ok());
  }
  EXPECT_EQ(client.connections_opened(), 1);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        ok += client.Send(HttpRequest{.url = s.url("/ok")}).ok() ? 1 : 0;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok, 20);
  EXPECT_LE(client.connections_opened(), 5);
}

TEST(AsioHttpClient, BoundsIdleConnections) {
  HoldingServer server;
  AsioHttpClient client(Direct({.max_idle_per_origin = 1}));
  Results results;
  for (int i = 0; i < 3; ++i) {
    client.SendAsync(HttpRequest{.url = server.url("/hold/" + std::to_string(i))}, {}, results.Add(i));
  }
  server.WaitSeen(3);
  server.Release();
  results.Wait(3);
  EXPECT_EQ(client.connections_opened(), 3);
  server.WaitOpen(1);  // the client closed the two connections beyond its idle bound
  ASSERT_TRUE(client.Send(HttpRequest{.url = server.url("/again")}).ok());
  EXPECT_EQ(client.connections_opened(), 3);
}

TEST(AsioHttpClient, IdleConnectionsExpire) {
  HoldingServer server;
  FakeClock clock;
  AsioHttpClient client(Direct({.idle_timeout = 30s, .clock = &clock}));
  ASSERT_TRUE(client.Send(HttpRequest{.url = server.url("/a")}).ok());
  clock.Advance(29s);
  ASSERT_TRUE(client.Send(HttpRequest{.url = server.url("/b")}).ok());
  EXPECT_EQ(client.connections_opened(), 1);
  clock.Advance(30s);
  ASSERT_TRUE(client.Send(HttpRequest{.url = server.url("/c")}).ok());
  EXPECT_EQ(client.connections_opened(), 2);
  server.WaitOpen(1);  // the expired one was closed
}

TEST(AsioHttpClient, DoesNotReuseAConnectionThePeerClosed) {
  httplib::Server server;
  server.set_keep_alive_max_count(1);  // httplib closes after each response, though it says keep-alive
  server.Get("/ok",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  LoopbackServer s(server);
  AsioHttpClient client(Direct());
  for (int i = 0; i < 3; ++i) {
    HttpRequest req{.method = "POST", .url = s.url("/ok")};
    req.method = "GET";
    req.idempotent = false;
    auto r = client.Send(req);
    ASSERT_TRUE(r.ok()) << i << ": " << r.error().message;
  }
}

TEST(AsioHttpClient, ConnectFailureWasNotSent) {
  AsioHttpClient client(Direct());
  auto r = client.Send(HttpRequest{.url = "http://127.0.0.1:" + std::to_string(FreeLoopbackPort()) + "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kConnectFailed) << r.error().message;
  EXPECT_FALSE(r.error().MayHaveReachedServer());
}

TEST(AsioHttpClient, ReadTimeoutAfterSendMayHaveReachedServer) {
  HoldingServer server;
  AsioHttpClient client(Direct());
  auto r = client.Send(HttpRequest{.url = server.url("/hold"), .read_timeout = 50ms});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kReadTimeout) << r.error().message;
  EXPECT_TRUE(r.error().MayHaveReachedServer());
  EXPECT_EQ(r.error().ToError().code, ErrorCode::kTimeout);
  server.Release();
}

TEST(AsioHttpClient, ResetAfterSendMayHaveReachedServer) {
  SilentCloser closer;
  AsioHttpClient client(Direct());
  auto r = client.Send(HttpRequest{
      .method = "POST", .url = "http://127.0.0.1:" + std::to_string(closer.port()) + "/x", .body = "{}"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kConnectionReset) << r.error().message;
  EXPECT_TRUE(r.error().MayHaveReachedServer());
}

TEST(AsioHttpClient, BoundsResponseSize) {
  httplib::Server server;
  server.Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(10000, 'x'), "text/plain");
  });
  server.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      if (offset < 10000) {
        std::string part(1000, 'y');
        sink.write(part.data(), part.size());
      } else {
        sink.done();
      }
      return true;
    });
  });
  LoopbackServer s(server);
  AsioHttpClient client(Direct());
  auto r = client.Send(HttpRequest{.url = s.url("/big"), .max_response_bytes = 1000});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kResponseTooLarge);
  auto chunked = client.Send(HttpRequest{.url = s.url("/chunked"), .max_response_bytes = 5000});
  ASSERT_FALSE(chunked.ok());
  EXPECT_EQ(chunked.error().kind, HttpErrorKind::kResponseTooLarge);
  auto fits = client.Send(HttpRequest{.url = s.url("/big"), .max_response_bytes = 10000});
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->body.size(), 10000u);
}

TEST(AsioHttpClient, CancelledFromAnotherThread) {
  HoldingServer server;
  AsioHttpClient client(Direct());
  std::stop_source stop;
  Results results;
  client.SendAsync(HttpRequest{.url = server.url("/hold")}, stop.get_token(), results.Add(0));
  server.WaitSeen(1);
  std::thread canceller([&] { stop.request_stop(); });
  canceller.join();
  results.Wait(1);
  ASSERT_FALSE(results[0].ok());
  EXPECT_EQ(results[0].error().kind, HttpErrorKind::kCancelled);
  EXPECT_TRUE(results[0].error().sent);
  server.Release();
  server.WaitOpen(0);  // the client closed its socket (the server sees it once it answers)

  std::stop_source early;
  early.request_stop();
  auto r = client.Send(HttpRequest{.url = server.url("/x")}, early.get_token());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kCancelled);
  EXPECT_FALSE(r.error().sent);
}

TEST(AsioHttpClient, RejectsNonHttpUrlsAndBadHeaders) {
  AsioHttpClient client(Direct());
  auto r = client.Send(HttpRequest{.url = "file:///etc/passwd"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kInvalidRequest);
  HttpRequest injected{.url = "http://127.0.0.1:1/"};
  injected.headers = {{"X-A", "1\r\nX-B: 2"}};
  r = client.Send(injected);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kInvalidRequest);
  EXPECT_FALSE(r.error().sent);
}

TEST(AsioHttpClient, NeverResendsNonIdempotentRequestOnDeadReusedConnection) {
  AnswersOnceThenDrops server;
  AsioHttpClient client(Direct());
  HttpRequest req{.method = "POST", .url = server.url(), .body = "{\"n\":1}"};
  req.idempotent = false;
  ASSERT_TRUE(client.Send(req).ok());
  auto r = client.Send(req);  // reuses the kept-alive connection; the server reads it and drops it
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kConnectionReset);
  EXPECT_TRUE(r.error().MayHaveReachedServer());
  EXPECT_NE(r.error().message.find("not re-sent"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.requests(), 2);
}

TEST(AsioHttpClient, IdempotentRequestMayBeResentOnFreshConnection) {
  AnswersOnceThenDrops server;
  AsioHttpClient client(Direct());
  HttpRequest req{.method = "POST", .url = server.url(), .body = "{}"};
  ASSERT_TRUE(client.Send(req).ok());
  EXPECT_FALSE(client.Send(req).ok());
  EXPECT_EQ(server.requests(), 3);  // one re-send on a fresh connection, also dropped
  EXPECT_EQ(client.connections_opened(), 2);
}

// The event-driven property: a thousand exchanges in flight, no thread each.
TEST(AsioHttpClient, ThousandPendingRequestsAddNoThreads) {
  constexpr int kCount = 1000;
  HoldingServer server;
  AsioHttpClient client(Direct());
  ASSERT_TRUE(client.Send(HttpRequest{.url = server.url("/warm")}).ok());
  const int threads_before = ThreadCount();
  Results results;
  for (int i = 0; i < kCount; ++i) {
    client.SendAsync(
        HttpRequest{.method = "POST", .url = server.url("/hold/" + std::to_string(i)), .body = "x"}, {},
        results.Add(i));
  }
  server.WaitSeen(kCount + 1);
  EXPECT_LE(ThreadCount(), threads_before);
  EXPECT_EQ(results.size(), 0u);
  server.Release();
  results.Wait(kCount);
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].error().message;
    EXPECT_EQ(results[i]->body, "/hold/" + std::to_string(i));
  }
}

TEST(AsioHttpClient, DestructorCancelsPendingRequests) {
  HoldingServer server;
  auto client = std::make_unique<AsioHttpClient>(Direct());
  Results results;
  for (int i = 0; i < 3; ++i) {
    client->SendAsync(HttpRequest{.url = server.url("/hold")}, {}, results.Add(i));
  }
  server.WaitSeen(3);
  client.reset();
  ASSERT_EQ(results.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(results[i].ok());
    EXPECT_EQ(results[i].error().kind, HttpErrorKind::kCancelled);
    EXPECT_TRUE(results[i].error().sent);
  }
  server.Release();
}

TEST(AsioHttpClient, SendFromInsideDoneDoesNotDeadlock) {
  HoldingServer server;
  AsioHttpClient client(Direct());
  Results results;
  client.SendAsync(HttpRequest{.url = server.url("/first")}, {}, [&](HttpResult first) {
    ASSERT_TRUE(first.ok());
    results.Add(0)(client.Send(HttpRequest{.url = server.url("/second")}));
  });
  results.Wait(1);
  ASSERT_TRUE(results[0].ok());
  EXPECT_EQ(results[0]->body, "/second");
}

// ---- TLS and proxies ----

// A throw-away CA and a server certificate for "localhost" only (no IP SAN), made with the openssl CLI.
class TestPki {
 public:
  TestPki() {
    dir_ = std::filesystem::temp_directory_path() / ("lmcp-pki-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "ext.cnf") << "subjectAltName=DNS:localhost\n";
    std::string d = dir_.string();
    std::string cmd = "cd '" + d +
                      "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                      "-keyout ca.key -out ca.pem -days 2 -subj /CN=lmcp-test-ca "
                      "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
                      "&& openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                      "-keyout server.key -out server.csr -subj /CN=localhost "
                      "&& openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                      "-out server.pem -days 2 -extfile ext.cnf) >/dev/null 2>&1";
    cmd = "(" + cmd;
    ok_ = std::system(cmd.c_str()) == 0;
  }
  ~TestPki() { std::filesystem::remove_all(dir_); }
  bool ok() const { return ok_; }
  std::string file(const char* name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
  bool ok_ = false;
};

// HTTPS on 127.0.0.1 (one Asio thread): answers every request with 200 "tls ok".
class TlsServer {
 public:
  explicit TlsServer(const TestPki& pki)
      : ctx_(ssl::context::tls_server), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain_file(pki.file("server.pem"));
    ctx_.use_private_key_file(pki.file("server.key"), ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsServer() {
    io_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(kUse);
      if (ec) {
        co_return;
      }
      asio::co_spawn(io_, Serve(ssl::stream<tcp::socket>(std::move(socket), ctx_)), asio::detached);
    }
  }
  asio::awaitable<void> Serve(ssl::stream<tcp::socket> stream) {
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, kUse);
    if (hec) {
      co_return;
    }
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(stream, buffer, req, kUse);
      if (ec) {
        co_return;
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "tls ok";
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, kUse);
      if (wec) {
        co_return;
      }
    }
  }

  asio::io_context io_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::thread thread_;
};

// A forward proxy on one Asio thread: CONNECT opens a tunnel to the target; an absolute-form request is
// answered by the proxy itself with 200 "proxied <target>". Records each request line and
// Proxy-Authorization.
class TestProxy {
 public:
  TestProxy() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestProxy() {
    io_.stop();
    thread_.join();
  }
  std::string url(const std::string& userinfo = "") const {
    return "http://" + userinfo + "127.0.0.1:" + std::to_string(port_);
  }
  std::vector<std::string> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(kUse);
      if (ec) {
        co_return;
      }
      asio::co_spawn(io_, Serve(std::make_shared<tcp::socket>(std::move(socket))), asio::detached);
    }
  }
  static asio::awaitable<void> Pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
    char data[4096];
    while (true) {
      auto [ec, n] = co_await from->async_read_some(asio::buffer(data), kUse);
      if (ec) {
        beast::error_code ignored;
        to->shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
      auto [wec, wn] = co_await asio::async_write(*to, asio::buffer(data, n), kUse);
      if (wec) {
        co_return;
      }
    }
  }
  asio::awaitable<void> Serve(std::shared_ptr<tcp::socket> client) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(*client, buffer, req, kUse);
      if (ec) {
        co_return;
      }
      {
        std::lock_guard lock(mu_);
        seen_.push_back(std::string(req.method_string()) + " " + std::string(req.target()) +
                        " auth=" + std::string(req[http::field::proxy_authorization]));
      }
      if (req.method() == http::verb::connect) {
        std::string target(req.target());
        auto colon = target.rfind(':');
        tcp::resolver resolver(io_);
        auto [rec, results] =
            co_await resolver.async_resolve(target.substr(0, colon), target.substr(colon + 1), kUse);
        auto upstream = std::make_shared<tcp::socket>(io_);
        beast::error_code cec = rec;
        if (!rec) {
          auto [e, ep] = co_await asio::async_connect(*upstream, results, kUse);
          cec = e;
        }
        std::string answer = cec ? "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
                                 : "HTTP/1.1 200 Connection established\r\n\r\n";
        auto [wec, wn] = co_await asio::async_write(*client, asio::buffer(answer), kUse);
        if (cec || wec) {
          co_return;
        }
        asio::co_spawn(io_, Pipe(upstream, client), asio::detached);
        co_await Pipe(client, upstream);
        co_return;
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "proxied " + std::string(req.target());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(*client, res, kUse);
      if (wec) {
        co_return;
      }
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::string> seen_;
  std::thread thread_;
};

class AsioHttpClientTls : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.ok()) << "openssl CLI failed (apt-get install openssl)"; }
  std::string Url(const std::string& host) {
    return "https://" + host + ":" + std::to_string(server_.port()) + "/";
  }

  TestPki pki_;
  TlsServer server_{pki_};
};

TEST_F(AsioHttpClientTls, VerifiesAgainstTheGivenCaBundle) {
  AsioHttpClient client(Direct({.ca_bundle = pki_.file("ca.pem")}));
  auto r = client.Send(HttpRequest{.url = Url("localhost")});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "tls ok");
  ASSERT_TRUE(client.Send(HttpRequest{.url = Url("localhost")}).ok());
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(AsioHttpClientTls, FailsAgainstTheSystemStore) {
  AsioHttpClient client(Direct());
  auto r = client.Send(HttpRequest{.url = Url("localhost")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kConnectFailed) << r.error().message;
  EXPECT_FALSE(r.error().sent);
}

TEST_F(AsioHttpClientTls, FailsOnHostNameMismatch) {
  AsioHttpClient client(Direct({.ca_bundle = pki_.file("ca.pem")}));
  auto r = client.Send(HttpRequest{.url = Url("127.0.0.1")});  // the certificate names localhost only
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kConnectFailed) << r.error().message;
  EXPECT_FALSE(r.error().sent);
}

TEST_F(AsioHttpClientTls, FailsAgainstAMissingCaBundle) {
  AsioHttpClient client(Direct({.ca_bundle = "/nonexistent/ca.pem"}));
  auto r = client.Send(HttpRequest{.url = Url("localhost")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kConnectFailed);
  EXPECT_FALSE(r.error().sent);
  EXPECT_NE(r.error().message.find("/nonexistent/ca.pem"), std::string::npos) << r.error().message;
}

TEST_F(AsioHttpClientTls, TunnelsThroughHttpsProxyWithCredentials) {
  TestProxy proxy;
  AsioHttpClient client(
      {.ca_bundle = pki_.file("ca.pem"), .env = Env({{"HTTPS_PROXY", proxy.url("user:pass@")}})});
  auto r = client.Send(HttpRequest{.url = Url("localhost")});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "tls ok");
  ASSERT_TRUE(client.Send(HttpRequest{.url = Url("localhost")}).ok());  // the tunnel is reused
  std::vector<std::string> want = {"CONNECT localhost:" + std::to_string(server_.port()) +
                                   " auth=Basic dXNlcjpwYXNz"};
  EXPECT_EQ(proxy.seen(), want);
}

TEST(AsioHttpClientProxy, HttpProxyGetsAbsoluteFormRequests) {
  TestProxy proxy;
  AsioHttpClient client({.env = Env({{"http_proxy", proxy.url()}})});
  auto r = client.Send(HttpRequest{.url = "http://lambda.example:8080/path?q=1"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "proxied http://lambda.example:8080/path?q=1");
  EXPECT_EQ(proxy.seen(), std::vector<std::string>{"GET http://lambda.example:8080/path?q=1 auth="});
}

TEST(AsioHttpClientProxy, NoProxyAndUpperCaseHttpProxyGoDirect) {
  TestProxy proxy;
  HoldingServer server;
  AsioHttpClient exempt({.env = Env({{"http_proxy", proxy.url()}, {"NO_PROXY", "example.com, 127.0.0.1"}})});
  auto r = exempt.Send(HttpRequest{.url = server.url("/direct")});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "/direct");
  AsioHttpClient upper({.env = Env({{"HTTP_PROXY", proxy.url()}})});
  r = upper.Send(HttpRequest{.url = server.url("/direct")});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(proxy.seen().empty());
  AsioHttpClient proxied({.env = Env({{"http_proxy", proxy.url()}, {"no_proxy", "localhost"}})});
  r = proxied.Send(HttpRequest{.url = server.url("/direct")});  // loopback is not special
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "proxied " + server.url("/direct"));
}

TEST(AsioHttpClientProxy, UnusableProxySettingIsAnError) {
  AsioHttpClient client({.env = Env({{"https_proxy", "socks5://127.0.0.1:1"}})});
  auto r = client.Send(HttpRequest{.url = "https://lambda.us-east-1.amazonaws.com/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kInvalidRequest);
}

}  // namespace
}  // namespace lmcp::aws
