// The local endpoint's HTTP server against raw loopback sockets: framing limits, timeouts (configured small:
// a few hundred milliseconds of real socket time, no sleeps) and the connection cap.

#include "emulator/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

namespace lmcp::emulator {
namespace {

using namespace std::chrono_literals;

// A client socket on 127.0.0.1:port whose reads give up after 5 s (a failing test must not hang).
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Everything until the server closes (or a reset, or the 5 s guard).
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  }
  // Reads until `count` responses ("HTTP/1.1 " lines after a blank line or at the start) have fully arrived.
  std::string ReadResponses(int count) {
    std::string out;
    char buf[4096];
    while (CountCompleteResponses(out) < count) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  static int CountCompleteResponses(const std::string& s) {
    int count = 0;
    size_t pos = 0;
    for (;;) {
      size_t head_end = s.find("\r\n\r\n", pos);
      if (head_end == std::string::npos) {
        return count;
      }
      std::string head = s.substr(pos, head_end - pos);
      size_t cl = head.find("Content-Length: ");
      size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
      if (s.size() < head_end + 4 + length) {
        return count;
      }
      pos = head_end + 4 + length;
      if (head.rfind("HTTP/1.1 100", 0) != 0) {
        ++count;
      }
    }
  }
  int fd_ = -1;
  bool connected_ = false;
};

class LocalHttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options) {
    server_ = std::make_unique<HttpServer>(
        [this](const ServerRequest& r) {
          ++handled_;
          ServerResponse res;
          res.body = r.method + " " + r.path + " " + std::to_string(r.body.size());
          return res;
        },
        options);
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
    server_->Start();
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
    }
  }
  std::string Exchange(const std::string& request) {
    RawClient c(port_);
    EXPECT_TRUE(c.Send(request));
    return c.ReadAll();
  }
  static HttpServerOptions Small() {
    HttpServerOptions o;
    o.limits.max_body_bytes = 1024;
    o.limits.max_header_count = 20;
    o.limits.max_header_bytes = 2048;
    o.header_timeout = 300ms;
    o.idle_timeout = 300ms;
    o.max_connections = 4;
    return o;
  }

  std::unique_ptr<HttpServer> server_;
  std::atomic<int> handled_{0};
  int port_ = 0;
};

TEST_F(LocalHttpServerTest, ServesKeepAliveChunkedAndPipelinedRequests) {
  Start(Small());
  RawClient c(port_);
  ASSERT_TRUE(
      c.Send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
             "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
             "4\r\nwxyz\r\n0\r\n\r\n"
             "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string out = c.ReadAll();
  EXPECT_NE(out.find("POST /a 3"), std::string::npos) << out;
  EXPECT_NE(out.find("HTTP/1.1 100 Continue"), std::string::npos) << out;
  EXPECT_NE(out.find("POST /b 4"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /c 0"), std::string::npos) << out;
  EXPECT_EQ(handled_, 3);
}

TEST_F(LocalHttpServerTest, OverflowingChunkSizeIs413BeforeTheHandler) {
  Start(Small());
  std::string out =
      Exchange("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
  EXPECT_EQ(handled_, 0);
}

TEST_F(LocalHttpServerTest, ChunkedBodyOverTheCapIs413WhileItArrives) {
  Start(Small());
  RawClient c(port_);
  ASSERT_TRUE(c.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "100\r\n" + std::string(256, 'a') + "\r\n";
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(c.Send(chunk));  // 1024 bytes: exactly the cap
  }
  c.Send("1\r\n");  // one more byte is refused before it is read
  std::string out = c.ReadAll();
  EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
  EXPECT_EQ(handled_, 0);
}

TEST_F(LocalHttpServerTest, ContentLengthOverTheCapIs413WithoutReadingTheBody) {
  Start(Small());
  EXPECT_EQ(Exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n").rfind("HTTP/1.1 413 ", 0),
            0u);
  EXPECT_EQ(Exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\n")
                .rfind("HTTP/1.1 413 ", 0),
            0u);
  EXPECT_EQ(Exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
                .rfind("HTTP/1.1 400 ", 0),
            0u);
  EXPECT_EQ(Exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
                .rfind("HTTP/1.1 400 ", 0),
            0u);
  EXPECT_EQ(handled_, 0);
}

TEST_F(LocalHttpServerTest, TooManyHeadersIs431) {
  Start(Small());
  std::string request = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 30; ++i) {
    request += "X-H" + std::to_string(i) + ": v\r\n";
  }
  EXPECT_EQ(Exchange(request + "\r\n").rfind("HTTP/1.1 431 ", 0), 0u);
  EXPECT_EQ(Exchange("GET / HTTP/1.1\r\nX: " + std::string(3000, 'a') + "\r\n\r\n").rfind("HTTP/1.1 431 ", 0),
            0u);
  EXPECT_EQ(handled_, 0);
}

TEST_F(LocalHttpServerTest, SlowHeadIs408AfterTheHeaderTimeout) {
  Start(Small());
  RawClient c(port_);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: x\r\n"));  // never finished
  std::string out = c.ReadAll();
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.rfind("HTTP/1.1 408 ", 0), 0u) << out;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 3s);
}

TEST_F(LocalHttpServerTest, StalledBodyIs408AfterTheIdleTimeout) {
  Start(Small());
  RawClient c(port_);
  ASSERT_TRUE(c.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  std::string out = c.ReadAll();
  EXPECT_EQ(out.rfind("HTTP/1.1 408 ", 0), 0u) << out;
  EXPECT_EQ(handled_, 0);
}

TEST_F(LocalHttpServerTest, SilentConnectionIsClosedQuietlyAfterTheHeaderTimeout) {
  Start(Small());
  RawClient c(port_);
  EXPECT_EQ(c.ReadAll(), "");  // closed, not held
}

TEST_F(LocalHttpServerTest, OverTheConnectionCapIs503AtOnceThenServesAgain) {
  HttpServerOptions o = Small();
  o.header_timeout = 10s;  // the held connections stay until the test finishes them
  Start(o);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < o.max_connections; ++i) {
    held.push_back(std::make_unique<RawClient>(port_));
    ASSERT_TRUE(held.back()->Send("GET /held HTTP/1.1\r\nHost: x\r\n"));  // an unfinished head
  }
  // The listener accepts in arrival order, so the held connections take every slot before this one.
  auto start = std::chrono::steady_clock::now();
  RawClient extra(port_);
  extra.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = extra.ReadAll();
  EXPECT_EQ(out.rfind("HTTP/1.1 503 ", 0), 0u) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  // The held connections are still served normally.
  for (auto& c : held) {
    ASSERT_TRUE(c->Send("Connection: close\r\n\r\n"));
    EXPECT_NE(c->ReadAll().find("GET /held 0"), std::string::npos);
  }
  held.clear();
  // With the slots free again, a new connection is served (the slots free as the server closes them).
  std::string again;
  for (int attempt = 0; attempt < 50 && again.find("GET /again") == std::string::npos; ++attempt) {
    again = Exchange("GET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }
  EXPECT_NE(again.find("GET /again 0"), std::string::npos) << again;
}

TEST_F(LocalHttpServerTest, ListenRefusesBadOptions) {
  HttpServerOptions o;
  o.max_connections = 0;
  HttpServer server([](const ServerRequest&) { return ServerResponse(); }, o);
  EXPECT_FALSE(server.Listen("127.0.0.1", 0).ok());
  HttpServerOptions many;
  many.max_connections = 1 << 30;  // more than any open-file limit
  HttpServer server2([](const ServerRequest&) { return ServerResponse(); }, many);
  auto r = server2.Listen("127.0.0.1", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ulimit -n"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace lmcp::emulator
