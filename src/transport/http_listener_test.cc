#include "transport/http_listener.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/support/raw_socket.h"

namespace lmcp::transport {
namespace {

using test_support::ConnectLoopback;
using test_support::ReadResponse;
using test_support::ReadSome;
using test_support::SendAll;
using test_support::StatusOf;
using namespace std::chrono_literals;

// Answers GET /healthz (a probe), refuses "Authorization: no" in OnHead, echoes POST bodies, and streams the
// channel it is given on GET /stream.
class TestHandler final : public HttpHandler {
 public:
  std::optional<HttpResponse> OnHead(HttpHead& head) override {
    heads++;
    if (head.Header("Authorization") == "no") {
      HttpResponse r;
      r.status = 401;
      return r;
    }
    head.principal = head.Header("X-Principal");
    return std::nullopt;
  }
  HttpResponse OnRequest(HttpRequest request) override {
    requests++;
    HttpResponse r;
    if (request.head.path == "/stream") {
      r.stream = stream;
      r.on_stream_end = [this] { stream_ended.set_value(); };
      return r;
    }
    r.body = request.head.path == "/healthz" ? "ok" : request.body;
    return r;
  }
  bool IsProbe(const HttpHead& head) const override { return head.path == "/healthz"; }

  std::atomic<int> heads{0};
  std::atomic<int> requests{0};
  std::shared_ptr<SseChannel> stream = std::make_shared<SseChannel>();
  std::promise<void> stream_ended;
};

class HttpListenerTest : public ::testing::Test {
 protected:
  void Start() {
    listener_ = std::make_unique<HttpListener>(options_, handler_);
    ASSERT_TRUE(listener_->Start().ok());
  }
  void TearDown() override {
    if (listener_) {
      listener_->Stop();
    }
  }
  // One request on a new connection; the raw answer (until the server closes or 5 s pass).
  std::string Exchange(const std::string& raw) {
    int fd = ConnectLoopback(listener_->port());
    EXPECT_GE(fd, 0);
    SendAll(fd, raw);
    std::string out = ReadSome(fd, 5s);
    close(fd);
    return out;
  }

  HttpListenerOptions options_;
  TestHandler handler_;
  std::unique_ptr<HttpListener> listener_;
};

TEST_F(HttpListenerTest, EchoesABodyAndKeepsTheConnection) {
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
  std::string first = ReadResponse(fd, 2s);
  EXPECT_EQ(StatusOf(first), 200);
  EXPECT_NE(first.find("hello"), std::string::npos);
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  std::string second = ReadResponse(fd, 2s);
  EXPECT_EQ(StatusOf(second), 200);
  EXPECT_NE(second.find("abc"), std::string::npos);
  close(fd);
}

TEST_F(HttpListenerTest, TooManyHeaderBytesIs431WhileReading) {
  options_.max_header_bytes = 4096;
  Start();
  std::string raw = "GET /x HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 100000; ++i) {
    raw += "a: b\r\n";
  }
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, raw);  // the server answers and closes long before all of it is read
  EXPECT_EQ(StatusOf(ReadSome(fd, 5s)), 431);
  close(fd);
  EXPECT_EQ(handler_.heads.load(), 0);
  EXPECT_EQ(listener_->counters().header_too_large.load(), 1u);
}

TEST_F(HttpListenerTest, TooManyHeadersIs431) {
  options_.max_header_count = 10;
  Start();
  std::string raw = "GET /x HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 11; ++i) {
    raw += "a: b\r\n";
  }
  EXPECT_EQ(StatusOf(Exchange(raw + "\r\n")), 431);
  EXPECT_EQ(handler_.heads.load(), 0);
}

TEST_F(HttpListenerTest, ContentLengthOverTheCapIs413BeforeTheHandler) {
  options_.max_body_bytes = 1000;
  Start();
  EXPECT_EQ(StatusOf(Exchange("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 300000000\r\n\r\n")), 413);
  EXPECT_EQ(handler_.heads.load(), 0);
}

TEST_F(HttpListenerTest, ChunkedBodyCountsTowardTheCap) {
  options_.max_body_bytes = 1000;
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "400\r\n" + std::string(1024, 'x') + "\r\n";
  for (int i = 0; i < 4 && SendAll(fd, chunk); ++i) {
  }
  EXPECT_EQ(StatusOf(ReadSome(fd, 5s)), 413);
  close(fd);
  EXPECT_EQ(handler_.requests.load(), 0);
  EXPECT_EQ(listener_->counters().body_too_large.load(), 1u);
}

TEST_F(HttpListenerTest, ChunkSizeOverflowIsRefused) {
  Start();
  std::string out = Exchange(
      "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
      "chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n");
  EXPECT_TRUE(StatusOf(out) == 400 || StatusOf(out) == 413) << out;
  EXPECT_EQ(handler_.requests.load(), 0);
}

TEST_F(HttpListenerTest, RefusalInOnHeadDoesNotReadTheBody) {
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: a\r\nAuthorization: no\r\nContent-Length: 1000000\r\n\r\n");
  std::string out = ReadSome(fd, 5s);  // answered without sending the body, and closed
  EXPECT_EQ(StatusOf(out), 401);
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
  close(fd);
  EXPECT_EQ(handler_.requests.load(), 0);
}

TEST_F(HttpListenerTest, ExpectContinueIsAnsweredAfterOnHead) {
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(StatusOf(ReadSome(fd, 2s, 25)), 100);
  SendAll(fd, "hi");
  EXPECT_EQ(StatusOf(ReadResponse(fd, 2s)), 200);
  close(fd);
}

TEST_F(HttpListenerTest, SlowHeadIsDroppedAfterTheHeaderTimeout) {
  options_.header_timeout = 200ms;
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "GET /x HTTP/1.1\r\nHost: a\r\n");  // and never the end of the head
  auto t0 = std::chrono::steady_clock::now();
  std::string out = ReadSome(fd, 5s);  // returns when the server closes
  EXPECT_TRUE(out.empty()) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
  close(fd);
  for (int i = 0; i < 200 && listener_->counters().header_timeouts.load() == 0; ++i) {
    std::this_thread::sleep_for(10ms);  // the server counts just after it closed the socket
  }
  EXPECT_EQ(listener_->counters().header_timeouts.load(), 1u);
}

TEST_F(HttpListenerTest, FullServerAnswers503FastAndStillAnswersProbes) {
  options_.max_connections = 2;
  options_.probe_reserve = 1;
  Start();
  int a = ConnectLoopback(listener_->port());
  int b = ConnectLoopback(listener_->port());
  // Both slots are taken once the server has seen them: a request on each proves it.
  SendAll(a, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  SendAll(b, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(StatusOf(ReadResponse(a, 2s)), 200);
  EXPECT_EQ(StatusOf(ReadResponse(b, 2s)), 200);
  int probe = ConnectLoopback(listener_->port());
  int refused = ConnectLoopback(listener_->port());
  EXPECT_EQ(StatusOf(ReadSome(refused, 2s)), 503);  // beyond the probe reserve: answered at once
  SendAll(probe, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(StatusOf(ReadSome(probe, 2s)), 200);
  int other = ConnectLoopback(listener_->port());
  SendAll(other, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(StatusOf(ReadSome(other, 2s)), 503);
  for (int fd : {a, b, probe, refused, other}) {
    close(fd);
  }
  EXPECT_GE(listener_->counters().rejected_full.load(), 2u);
}

TEST_F(HttpListenerTest, PerAddressCap) {
  options_.max_connections_per_address = 1;
  options_.probe_reserve = 0;
  Start();
  int a = ConnectLoopback(listener_->port());
  SendAll(a, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(StatusOf(ReadResponse(a, 2s)), 200);
  EXPECT_EQ(StatusOf(Exchange("GET /x HTTP/1.1\r\nHost: a\r\n\r\n")), 503);
  close(a);
}

TEST_F(HttpListenerTest, PerPrincipalCap) {
  options_.max_connections_per_principal = 1;
  Start();
  int a = ConnectLoopback(listener_->port());
  SendAll(a, "GET /x HTTP/1.1\r\nHost: a\r\nX-Principal: p\r\n\r\n");
  EXPECT_EQ(StatusOf(ReadResponse(a, 2s)), 200);
  EXPECT_EQ(StatusOf(Exchange("GET /x HTTP/1.1\r\nHost: a\r\nX-Principal: p\r\n\r\n")), 503);
  EXPECT_EQ(StatusOf(Exchange("GET /x HTTP/1.1\r\nHost: a\r\nX-Principal: q\r\nConnection: close\r\n\r\n")),
            200);
  close(a);
}

TEST_F(HttpListenerTest, SecondListenerOnTheSamePortFails) {
  Start();
  HttpListenerOptions same = options_;
  same.port = listener_->port();
  TestHandler other;
  HttpListener second(same, other);
  Status started = second.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("in use"), std::string::npos) << started.error().message;
}

TEST_F(HttpListenerTest, MaxConnectionsBeyondTheFdLimitFailsAtStart) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max == RLIM_INFINITY) {
    GTEST_SKIP() << "no hard fd limit to exceed";
  }
  options_.max_connections = limit.rlim_max;
  listener_ = std::make_unique<HttpListener>(options_, handler_);
  Status started = listener_->Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("ulimit -n"), std::string::npos) << started.error().message;
  listener_.reset();
}

TEST_F(HttpListenerTest, StreamsFramesAndNoticesTheClientLeaving) {
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  handler_.stream->Push("event: message\ndata: 1\n\n");
  std::string out;
  while (out.find("data: 1") == std::string::npos) {
    std::string more = ReadSome(fd, 2s, 1);
    if (more.empty()) {
      break;
    }
    out += more;
  }
  EXPECT_EQ(StatusOf(out), 200);
  EXPECT_NE(out.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(out.find("data: 1"), std::string::npos) << out;
  close(fd);
  EXPECT_EQ(handler_.stream_ended.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(handler_.stream->abandoned());
}

TEST_F(HttpListenerTest, StreamEndsWithTheLastChunkAndTheConnectionServesTheNextRequest) {
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  handler_.stream->Push("data: x\n\n");
  handler_.stream->Close();
  std::string out;
  ASSERT_TRUE(test_support::ReadUntil(fd, out, "\r\n0\r\n\r\n", 5s)) << out;
  EXPECT_NE(out.find("data: x"), std::string::npos);
  EXPECT_EQ(out.find("Connection: close"), std::string::npos) << out;
  EXPECT_EQ(handler_.stream_ended.get_future().wait_for(5s), std::future_status::ready);
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nagain");
  std::string next = ReadResponse(fd, 5s);
  EXPECT_EQ(StatusOf(next), 200) << next;
  EXPECT_NE(next.find("again"), std::string::npos) << next;
  close(fd);
}

// The stream's EOF watcher reads what the client sends while the stream runs; a request sent early is kept
// and answered once the stream has ended, not lost.
TEST_F(HttpListenerTest, ARequestSentDuringAStreamIsAnsweredAfterIt) {
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  handler_.stream->Push("data: x\n\n");
  std::string out;
  ASSERT_TRUE(test_support::ReadUntil(fd, out, "data: x", 5s)) << out;
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nearly");
  handler_.stream->Close();
  ASSERT_TRUE(test_support::ReadUntil(fd, out, "early", 5s)) << out;
  EXPECT_EQ(handler_.requests.load(), 2);
  close(fd);
}

TEST_F(HttpListenerTest, AStreamAskedToCloseEndsTheConnection) {
  Start();
  int fd = ConnectLoopback(listener_->port());
  SendAll(fd, "GET /stream HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  handler_.stream->Push("data: x\n\n");
  handler_.stream->Close();
  std::string out = ReadSome(fd, 5s);  // ends when the server closes
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\n0\r\n\r\n"), std::string::npos) << out;
  char byte = 0;
  EXPECT_EQ(recv(fd, &byte, 1, MSG_DONTWAIT), 0) << "the connection is still open";
  close(fd);
}

}  // namespace
}  // namespace lmcp::transport
