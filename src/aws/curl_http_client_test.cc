#include "aws/curl_http_client.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "tests/support/loopback.h"

namespace lmcp::aws {
namespace {

using namespace std::chrono_literals;

using test_support::FreeLoopbackPort;
using LoopbackServer = test_support::HttplibOnLoopback;

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

// A raw HTTP/1.1 server that answers the first request it reads with 200 (keep-alive) and then drops every
// later connection after reading a full request, without a response byte. Counts the requests it read.
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

TEST(CurlHttpClient, SendsHeadersAndBodyAndReadsResponse) {
  httplib::Server server;
  std::mutex mu;  // the handler thread writes, the test reads; the socket is no happens-before edge for TSan
  std::string seen_content_type = "unset", seen_accept = "unset", seen_body, seen_custom;
  server.Post("/echo", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen_content_type = req.has_header("Content-Type") ? req.get_header_value("Content-Type") : "";
    seen_accept = req.has_header("Accept") ? req.get_header_value("Accept") : "";
    seen_custom = req.get_header_value("X-Amz-Invocation-Type");
    seen_body = req.body;
    res.status = 202;
    res.set_header("X-Amz-Executed-Version", "7");
    res.set_content("payload", "application/json");
  });
  LoopbackServer s(server);
  CurlHttpClient client;
  HttpRequest req{.method = "POST", .url = s.url("/echo"), .body = "{\"a\":1}"};
  req.headers = {{"X-Amz-Invocation-Type", "Event"}};
  auto r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "payload");
  EXPECT_EQ(FindHeader(r->headers, "x-amz-executed-version"), "7");
  std::lock_guard lock(mu);
  EXPECT_EQ(seen_body, "{\"a\":1}");
  EXPECT_EQ(seen_custom, "Event");
  EXPECT_EQ(seen_content_type, "");  // no implicit form content type
  EXPECT_EQ(seen_accept, "");
}

TEST(CurlHttpClient, ReusesConnectionsAcrossCallsAndThreads) {
  httplib::Server server;
  server.set_keep_alive_max_count(1000);  // httplib closes a connection after 5 requests by default
  server.Get("/ok",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  LoopbackServer s(server);
  CurlHttpClient client;
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

TEST(CurlHttpClient, ConnectFailureWasNotSent) {
  CurlHttpClient client;
  auto r = client.Send(HttpRequest{.url = "http://127.0.0.1:" + std::to_string(FreeLoopbackPort()) + "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kConnectFailed);
  EXPECT_FALSE(r.error().MayHaveReachedServer());
}

TEST(CurlHttpClient, ReadTimeoutAfterSendMayHaveReachedServer) {
  httplib::Server server;
  server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(600ms);
    res.set_content("late", "text/plain");
  });
  LoopbackServer s(server);
  CurlHttpClient client;
  auto r = client.Send(HttpRequest{.url = s.url("/slow"), .read_timeout = 150ms});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kReadTimeout);
  EXPECT_TRUE(r.error().MayHaveReachedServer());
  EXPECT_EQ(r.error().ToError().code, ErrorCode::kTimeout);
}

TEST(CurlHttpClient, ResetAfterSendMayHaveReachedServer) {
  SilentCloser closer;
  CurlHttpClient client;
  auto r = client.Send(HttpRequest{
      .method = "POST", .url = "http://127.0.0.1:" + std::to_string(closer.port()) + "/x", .body = "{}"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kConnectionReset) << r.error().message;
  EXPECT_TRUE(r.error().MayHaveReachedServer());
}

TEST(CurlHttpClient, BoundsResponseSize) {
  httplib::Server server;
  server.Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(10000, 'x'), "text/plain");
  });
  LoopbackServer s(server);
  CurlHttpClient client;
  auto r = client.Send(HttpRequest{.url = s.url("/big"), .max_response_bytes = 1000});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kResponseTooLarge);
  auto fits = client.Send(HttpRequest{.url = s.url("/big"), .max_response_bytes = 10000});
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->body.size(), 10000u);
}

TEST(CurlHttpClient, CancelledFromAnotherThread) {
  httplib::Server server;
  server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(600ms);
    res.set_content("late", "text/plain");
  });
  LoopbackServer s(server);
  CurlHttpClient client;
  std::stop_source stop;
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    stop.request_stop();
  });
  auto r = client.Send(HttpRequest{.url = s.url("/slow")}, stop.get_token());
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kCancelled);
  EXPECT_TRUE(r.error().sent);
}

TEST(CurlHttpClient, RejectsNonHttpUrls) {
  CurlHttpClient client;
  auto r = client.Send(HttpRequest{.url = "file:///etc/passwd"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, HttpErrorKind::kInvalidRequest);
}

TEST(CurlHttpClient, TlsVerificationFailsAgainstBadCaBundle) {
  CurlHttpClient client(CurlHttpClientOptions{.ca_bundle = "/nonexistent/ca.pem"});
  // Nothing listens on this loopback https port, so this is a connect failure either way, never a success.
  auto r = client.Send(HttpRequest{.url = "https://127.0.0.1:" + std::to_string(FreeLoopbackPort()) + "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.error().sent);
}

// libcurl re-sends a request on a fresh connection when a reused one dies before any response byte. For
// Invoke that would run the function twice; the client refuses the re-send for non-idempotent requests.
TEST(CurlHttpClient, NeverResendsNonIdempotentRequestOnDeadReusedConnection) {
  AnswersOnceThenDrops server;
  CurlHttpClient client;
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

TEST(CurlHttpClient, IdempotentRequestMayBeResentOnFreshConnection) {
  AnswersOnceThenDrops server;
  CurlHttpClient client;
  HttpRequest req{.method = "POST", .url = server.url(), .body = "{}"};
  ASSERT_TRUE(client.Send(req).ok());
  EXPECT_FALSE(client.Send(req).ok());
  EXPECT_EQ(server.requests(), 3);  // libcurl's own re-send on a fresh connection, also dropped
}

}  // namespace
}  // namespace lmcp::aws
