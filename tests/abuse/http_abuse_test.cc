// Abuse of the Streamable HTTP wire: the exact repros of the hardening issue. Each test runs `lambda-mcp
// serve
// --http` in front of the local endpoint, attacks it, then checks the answer, the server's RSS (back near its
// baseline) and that a normal call still works.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>
#include <zlib.h>

#include <thread>
#include <vector>

#include "tests/support/mcp_processes.h"

namespace lmcp::test_support {
namespace {

using namespace std::chrono_literals;

constexpr long kRssSlackKb =
    4 * 1024;  // allocator slack after an attack; a leak or a buffered body is far more

class HttpAbuse : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& args = {}, const std::map<std::string, std::string>& env = {}) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("abuse_http_") + info->name();
    ASSERT_TRUE(endpoint_.Start(name + "_endpoint"));
    ASSERT_TRUE(server_.Start(endpoint_, name, env, args));
    token_ = env.count("LAMBDA_MCP_AUTH_TOKEN") ? env.at("LAMBDA_MCP_AUTH_TOKEN") : "";
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(NormalHttpCallWorks(server_.url(), token_));
    }
    baseline_kb_ = RssKb(server_.child().pid());
  }
  // After an attack: alive, memory near the baseline, and serving.
  void ExpectRecovered(const std::string& what) {
    ASSERT_TRUE(server_.child().alive()) << what << ": the server died\n" << server_.log();
    EXPECT_TRUE(NormalHttpCallWorks(server_.url(), token_)) << what;
    long rss = RssKb(server_.child().pid());
    std::printf("ABUSE %-40s RSS baseline %ld kB, after %ld kB\n", what.c_str(), baseline_kb_, rss);
    EXPECT_LE(rss, baseline_kb_ + kRssSlackKb) << what << ": memory did not come back near the baseline";
  }
  std::string Head(const std::string& method, const std::string& extra) const {
    return method + " /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server_.port()) +
           "\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n" + extra;
  }

  LocalEndpoint endpoint_;
  HttpServerProcess server_;
  std::string token_;
  long baseline_kb_ = 0;
};

// 1 MB of gzip that inflates to 1 GB: refused by its Content-Encoding before a byte of it is read.
TEST_F(HttpAbuse, GzipBombIsRefusedUnread) {
  Start();
  std::string bomb;
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<unsigned char> zeros(1 << 20, 0);
  std::vector<unsigned char> out(1 << 16);
  for (int mb = 0; mb < 1024; ++mb) {
    z.next_in = zeros.data();
    z.avail_in = static_cast<uInt>(zeros.size());
    int flush = mb == 1023 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      deflate(&z, flush);
      bomb.append(reinterpret_cast<char*>(out.data()), out.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  ASSERT_GT(bomb.size(), 500'000u);
  int fd = ConnectLoopback(server_.port());
  SendAll(fd, Head("POST",
                   "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(bomb.size()) + "\r\n\r\n"));
  SendAll(fd, bomb);
  std::string answer = ReadSome(fd, 10s);
  close(fd);
  EXPECT_EQ(StatusOf(answer), 415) << answer.substr(0, 200);
  ExpectRecovered("1 MB gzip bomb");
}

// 300 MB chunked: cut at --max-message-bytes (8 MB) while reading.
TEST_F(HttpAbuse, ChunkedBodyCountsTowardTheMessageCap) {
  Start();
  int fd = ConnectLoopback(server_.port());
  SendAll(fd, Head("POST", "Transfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "100000\r\n" + std::string(1 << 20, ' ') + "\r\n";
  size_t sent_mb = 0;
  while (sent_mb < 300 && SendAll(fd, chunk)) {
    ++sent_mb;
  }
  std::string answer = ReadSome(fd, 10s);
  close(fd);
  EXPECT_EQ(StatusOf(answer), 413) << answer.substr(0, 200);
  EXPECT_LT(sent_mb, 300u) << "the server read all 300 MB";
  ExpectRecovered("300 MB chunked body");
}

TEST_F(HttpAbuse, OversizedContentLengthIsRefusedBeforeTheBody) {
  Start();
  int fd = ConnectLoopback(server_.port());
  SendAll(fd, Head("POST", "Content-Length: 300000000\r\n\r\n"));
  std::string answer = ReadSome(fd, 5s);
  close(fd);
  EXPECT_EQ(StatusOf(answer), 413) << answer.substr(0, 200);
  ExpectRecovered("Content-Length 300 MB");
}

// 100k headers: refused once the head passes its byte cap, while it is being read.
TEST_F(HttpAbuse, HundredThousandHeaders) {
  Start();
  std::string head = Head("POST", "");
  for (int i = 0; i < 100'000; ++i) {
    head += "X-H" + std::to_string(i) + ": v\r\n";
  }
  head += "Content-Length: 2\r\n\r\n{}";
  int fd = ConnectLoopback(server_.port());
  SendAll(fd, head);
  std::string answer = ReadSome(fd, 10s);
  close(fd);
  EXPECT_EQ(StatusOf(answer), 431) << answer.substr(0, 200);
  ExpectRecovered("100k headers");
}

// With a token configured, a request with a bad token is refused before its body is sent.
TEST_F(HttpAbuse, AuthenticationHappensBeforeTheBody) {
  Start({}, {{"LAMBDA_MCP_AUTH_TOKEN", "c4f1b0e29d8a7f6e5d4c3b2a19081726"}});
  int fd = ConnectLoopback(server_.port());
  SendAll(fd, Head("POST", "Authorization: Bearer wrong\r\nContent-Length: 8000000\r\n\r\n"));
  std::string answer = ReadSome(fd, 5s);  // no body was sent: the answer cannot depend on it
  close(fd);
  EXPECT_EQ(StatusOf(answer), 401) << answer.substr(0, 200);
  ExpectRecovered("bad token, body never sent");
}

// 256 slowloris sockets: /healthz is answered during the attack, the sockets are dropped at the header
// deadline, and normal calls work again.
TEST_F(HttpAbuse, SlowlorisSocketsAndHealthProbe) {
  Start({"--header-timeout-ms", "1500"});
  std::vector<int> slow;
  for (int i = 0; i < 256; ++i) {
    int fd = ConnectLoopback(server_.port());
    ASSERT_GE(fd, 0);
    SendAll(fd, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    slow.push_back(fd);
  }
  auto t0 = bench::Now();
  HttpReply health =
      HttpExchange("GET", "http://127.0.0.1:" + std::to_string(server_.port()) + "/healthz", {}, "", 5s);
  EXPECT_EQ(health.status, 200);
  EXPECT_LT(bench::MsSince(t0), 1000.0) << "/healthz was slow during the attack";
  size_t dropped = 0;
  for (int fd : slow) {
    std::string rest = ReadSome(fd, 5s);  // the server answers 408 and closes at the deadline
    dropped += rest.empty() || StatusOf(rest) == 408 ? 1 : 0;
    close(fd);
  }
  EXPECT_EQ(dropped, slow.size());
  ExpectRecovered("256 slowloris sockets");
}

// A full server answers 503 at once instead of hanging, and still answers health probes.
TEST_F(HttpAbuse, FullServerIsAFast503) {
  Start({"--max-connections", "64", "--header-timeout-ms", "3000"});
  std::vector<int> held;
  for (int i = 0; i < 64; ++i) {
    // A served keep-alive request proves the server holds the connection.
    int fd = ConnectLoopback(server_.port());
    SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    ASSERT_EQ(ReadSome(fd, 5s, 1).size(), 1u);
    held.push_back(fd);
  }
  auto t0 = bench::Now();
  HttpReply refused = HttpExchange("POST", server_.url(), {{"Content-Type", "application/json"}}, "{}", 5s);
  EXPECT_EQ(refused.status, 503);
  EXPECT_LT(bench::MsSince(t0), 1000.0);
  HttpReply health =
      HttpExchange("GET", "http://127.0.0.1:" + std::to_string(server_.port()) + "/healthz", {}, "", 5s);
  EXPECT_EQ(health.status, 200);
  for (int fd : held) {
    close(fd);
  }
  // The server frees the slots as it reads each EOF; wait for that, bounded.
  for (auto until = bench::Now() + 5s; bench::Now() < until;) {
    if (HttpExchange("POST", server_.url(), {{"Content-Type", "application/json"}}, "{}", 5s).status != 503) {
      break;
    }
  }
  ExpectRecovered("64 held connections at --max-connections 64");
}

// 1,100 initializes that never follow up: the oldest unconfirmed sessions are evicted; nobody is locked out.
TEST_F(HttpAbuse, ElevenHundredInitializes) {
  Start();
  int ok = 0;
  for (int i = 0; i < 1100; ++i) {
    McpHttpClient flood(server_.url());
    HttpReply reply;
    auto r = flood.Request("initialize",
                           {{"protocolVersion", "2025-11-25"},
                            {"capabilities", Json::object()},
                            {"clientInfo", {{"name", "flood"}, {"version", "1"}}}},
                           10s, &reply);
    ok += reply.status == 200 ? 1 : 0;
  }
  EXPECT_EQ(ok, 1100);
  ExpectRecovered("1,100 initializes");
}

// A second server on a port in use fails at start (no SO_REUSEPORT).
TEST_F(HttpAbuse, SecondServerOnTheSamePortFails) {
  Start();
  HttpServerProcess second;
  auto env = ServeEnv(endpoint_);
  EXPECT_FALSE(second.StartRaw({"--http", "127.0.0.1:" + std::to_string(server_.port())}, env,
                               "abuse_http_second_server", 10s));
  int status = second.child().Wait(10s);
  EXPECT_NE(status, 0);
  EXPECT_NE(second.log().find("in use"), std::string::npos) << second.log();
  ExpectRecovered("second server on the port");
}

// --max-connections beyond the file-descriptor limit is a start-up error, not a failure under load.
TEST(HttpAbuseStart, MaxConnectionsBeyondTheFdLimitFailsAtStart) {
  LocalEndpoint endpoint;
  ASSERT_TRUE(endpoint.Start("abuse_http_fdlimit_endpoint"));
  Child child;
  std::string log = TestLogPath("abuse_http_fdlimit");
  std::remove(log.c_str());
  ASSERT_TRUE(child.Spawn(
      {"/bin/sh", "-c", "ulimit -n 256 && exec \"$0\" serve --http 127.0.0.1:0 --max-connections 1000",
       ServeBinary()},
      ServeEnv(endpoint), log));
  int status = child.Wait(20s);
  EXPECT_NE(status, 0);
  std::string text = ReadFileText(log);
  EXPECT_NE(text.find("ulimit -n"), std::string::npos) << text;
}

}  // namespace
}  // namespace lmcp::test_support
