#include "transport/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/support/common/fake_clock.h"
#include "tests/support/raw_socket.h"
#include "tests/support/transport/http_test_util.h"

namespace lmcp::transport {
namespace {

using testing::FakeSessions;
using testing::ParseSse;
using Json = nlohmann::json;

constexpr char kAccept[] = "application/json, text/event-stream";

Json InitRequest(int id = 1, const std::string& version = "2025-11-25") {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "initialize"},
          {"params",
           {{"protocolVersion", version},
            {"capabilities", Json::object()},
            {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}};
}

Json Call(int id, const std::string& tool, bool progress = false) {
  Json params = {{"name", tool}, {"arguments", Json::object()}};
  if (progress) {
    params["_meta"] = {{"progressToken", "tok"}};
  }
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", params}};
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(std::shared_ptr<Authenticator> auth = nullptr) {
    HttpServerDeps deps;
    deps.session_factory = fakes_.Factory();
    deps.authenticator = std::move(auth);
    deps.ready = [this] { return ready_.load(); };
    deps.clock = &clock_;
    deps.metrics = metrics_;
    options_.reap_interval = std::chrono::seconds(3600);  // tests expire explicitly
    options_.shutdown_grace = std::chrono::milliseconds(2000);
    server_ = std::make_unique<HttpServer>(options_, deps);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(std::chrono::seconds(20));
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
    }
  }

  httplib::Headers Headers(const std::string& session = "", const std::string& extra_auth = "") {
    httplib::Headers h = {{"Accept", kAccept}};
    if (!session.empty()) {
      h.emplace("Mcp-Session-Id", session);
      h.emplace("MCP-Protocol-Version", "2025-11-25");
    }
    if (!extra_auth.empty()) {
      h.emplace("Authorization", extra_auth);
    }
    return h;
  }

  httplib::Result Post(const Json& body, const httplib::Headers& headers) {
    return client_->Post("/mcp", headers, body.dump(), "application/json");
  }

  // Initializes a session; returns its id.
  std::string Initialize(const std::string& auth = "") {
    auto r = Post(InitRequest(), Headers("", auth));
    EXPECT_TRUE(r);
    if (!r) {
      return "";
    }
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    std::string sid = r->get_header_value("Mcp-Session-Id");
    EXPECT_EQ(sid.size(), 43u);
    auto note = Post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, Headers(sid, auth));
    EXPECT_TRUE(note);
    if (note) {
      EXPECT_EQ(note->status, 202);
    }
    return sid;
  }

  FakeClock clock_;
  FakeSessions fakes_;
  std::atomic<bool> ready_{false};
  std::function<std::string()> metrics_;  // null: no /metrics route
  HttpServerOptions options_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, HealthAndReadiness) {
  StartServer();
  auto h = client_->Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto r = client_->Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  ready_ = true;
  r = client_->Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(server_->url(), "http://127.0.0.1:" + std::to_string(server_->port()) + "/mcp");
}

TEST_F(HttpServerTest, DrainingFailsReadinessButKeepsServing) {
  ready_ = true;
  StartServer();
  std::string sid = Initialize();
  server_->Drain();
  auto r = client_->Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(Json::parse(r->body)["status"], "draining");
  auto h = client_->Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  // Sessions, new ones included, are served until Stop().
  auto ping = Post({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}, Headers(sid));
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
  EXPECT_FALSE(Initialize().empty());
}

TEST_F(HttpServerTest, InitializeIssuesSessionAndAnswersJson) {
  StartServer();
  auto r = Post(InitRequest(), Headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto body = Json::parse(r->body);
  EXPECT_EQ(body["id"], 1);
  EXPECT_EQ(body["result"]["protocolVersion"], "2025-11-25");
  EXPECT_TRUE(r->has_header("Mcp-Session-Id"));
  EXPECT_EQ(server_->session_count(), 1u);
  EXPECT_EQ(fakes_.last()->options().transport, "http");
  EXPECT_EQ(fakes_.last()->options().principal, "anonymous");
}

TEST_F(HttpServerTest, FailedInitializeCreatesNoSession) {
  StartServer();
  auto r = Post(InitRequest(1, "bad"), Headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(Json::parse(r->body).contains("error"));
  EXPECT_FALSE(r->has_header("Mcp-Session-Id"));
  EXPECT_EQ(server_->session_count(), 0u);
}

TEST_F(HttpServerTest, StatusCodes) {
  StartServer();
  std::string sid = Initialize();
  Json ping = {{"jsonrpc", "2.0"}, {"id", 5}, {"method", "ping"}};
  auto code_of = [](const httplib::Result& r) {
    return r ? Json::parse(r->body)["error"]["code"].get<int>() : 0;
  };

  // 406: Accept lacking text/event-stream.
  auto r = Post(ping, {{"Accept", "application/json"}, {"Mcp-Session-Id", sid}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 406);
  EXPECT_EQ(code_of(r), -32000);
  // 415: wrong content type.
  r = client_->Post("/mcp", Headers(sid), ping.dump(), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  // 400 -32700: not JSON, and JSON that is no JSON-RPC message.
  r = client_->Post("/mcp", Headers(sid), "{not json", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(code_of(r), -32700);
  r = Post(Json{{"hello", "world"}}, Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(code_of(r), -32700);
  // 400: missing session id.
  r = Post(ping, Headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(code_of(r), -32000);
  // 404: unknown session id.
  r = Post(ping, Headers("no-such-session"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(code_of(r), -32001);
  // 400: unsupported protocol version header; a missing header is fine; any supported version is fine.
  auto h = Headers(sid);
  h.erase("MCP-Protocol-Version");
  h.emplace("MCP-Protocol-Version", "1999-01-01");
  r = Post(ping, h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = Post(ping, {{"Accept", kAccept}, {"Mcp-Session-Id", sid}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = Post(ping, {{"Accept", kAccept}, {"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-03-26"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json::parse(r->body)["id"], 5);
  // 400 -32600: initialize again in an initialized session, or inside a batch.
  r = Post(InitRequest(9), Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(code_of(r), -32600);
  r = Post(Json::array({InitRequest(9), ping}), Headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(code_of(r), -32600);
  // 202: a notification; a response to a server request.
  r = Post({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 3}}}},
           Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_TRUE(r->body.empty());
  r = Post({{"jsonrpc", "2.0"}, {"id", "s-1"}, {"result", Json::object()}}, Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  // 405 with Allow.
  r = client_->Put("/mcp", Headers(sid), "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET, POST, DELETE");
  // 406 on GET without text/event-stream.
  r = client_->Get("/mcp", {{"Accept", "application/json"}, {"Mcp-Session-Id", sid}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 406);
  // 2025-06-18 and later have no batches.
  r = Post(Json::array({ping, {{"jsonrpc", "2.0"}, {"id", 6}, {"method", "ping"}}}), Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], -32600);
  // The session saw the client response and the notifications.
  int responses = 0;
  for (const auto& m : fakes_.last()->received()) {
    responses += m.contains("result");
  }
  EXPECT_EQ(responses, 1);
}

TEST_F(HttpServerTest, BatchesOnlyWhereTheVersionHasThemAndCapped) {
  StartServer();
  auto r = Post(InitRequest(1, "2025-03-26"), Headers());
  ASSERT_TRUE(r);
  std::string sid = r->get_header_value("Mcp-Session-Id");
  httplib::Headers h = {{"Accept", kAccept}, {"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-03-26"}};
  Json ping = {{"jsonrpc", "2.0"}, {"id", 5}, {"method", "ping"}};
  r = Post(Json::array({ping, {{"jsonrpc", "2.0"}, {"id", 6}, {"method", "ping"}}}), h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json::parse(r->body).size(), 2u);
  Json long_batch = Json::array();
  for (int i = 0; i < 65; ++i) {
    long_batch.push_back({{"jsonrpc", "2.0"}, {"id", 100 + i}, {"method", "ping"}});
  }
  r = Post(long_batch, h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], -32600);
}

// Empty and over-long batches are refused before any session is looked up (here: none named), with
// jsonrpc/batch.h's errors; a batch where the session's revision has none names that revision.
TEST_F(HttpServerTest, BatchSizeIsCheckedBeforeTheSession) {
  StartServer();
  auto r = Post(Json::array(), Headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], -32600);
  EXPECT_EQ(Json::parse(r->body)["error"]["message"], "Invalid Request: empty batch");
  EXPECT_TRUE(Json::parse(r->body)["id"].is_null());
  Json long_batch = Json::array();
  for (int i = 0; i < 65; ++i) {
    long_batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "ping"}});
  }
  r = Post(long_batch, Headers("no-such-session"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Json::parse(r->body)["error"]["message"],
            "Invalid Request: a batch may hold at most 64 messages; this one has 65");
  std::string sid = Initialize();
  Json ping = {{"jsonrpc", "2.0"}, {"id", 5}, {"method", "ping"}};
  r = Post(Json::array({ping}), Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(Json::parse(r->body)["error"]["message"].get<std::string>().find(
                "batches are not supported in protocol version 2025-11-25"),
            std::string::npos)
      << r->body;
}

TEST_F(HttpServerTest, CompressedBodiesAreRefusedWith415) {
  StartServer();
  auto h = Headers();
  h.emplace("Content-Encoding", "gzip");
  auto r = Post(InitRequest(), h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(server_->session_count(), 0u);
}

TEST_F(HttpServerTest, FullRegistryEvictsTheOldestIdleSessionInsteadOfRefusing) {
  options_.max_sessions = 2;
  StartServer();
  std::string first = Initialize();
  clock_.Advance(std::chrono::seconds(1));
  std::string second = Initialize();
  clock_.Advance(std::chrono::seconds(1));
  std::string third = Initialize();
  EXPECT_FALSE(third.empty());
  EXPECT_EQ(server_->session_count(), 2u);
  auto r = Post({{"jsonrpc", "2.0"}, {"id", 9}, {"method", "ping"}}, Headers(first));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);  // the least recently active one made room
  r = Post({{"jsonrpc", "2.0"}, {"id", 9}, {"method", "ping"}}, Headers(third));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, DroppedStreamTellsTheSessionItsClientIsGone) {
  fakes_.hold_calls = true;
  StartServer();
  std::string sid = Initialize();
  int fd = test_support::ConnectLoopback(server_->port());
  std::string body = Call(7, "slow").dump();
  test_support::SendAll(fd, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + std::string(kAccept) +
                                "\r\nContent-Type: application/json\r\nMcp-Session-Id: " + sid +
                                "\r\nMCP-Protocol-Version: 2025-11-25\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(test_support::StatusOf(test_support::ReadSome(fd, std::chrono::seconds(2), 12)), 200);
  close(fd);  // the client goes away with its call in flight
  for (int i = 0; i < 500 && fakes_.last()->gone().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(fakes_.last()->gone().size(), 1u);
  EXPECT_EQ(fakes_.last()->gone()[0], 7);
  fakes_.last()->Release();
}

TEST_F(HttpServerTest, LimitsAndDnsRebinding) {
  options_.max_body_bytes = 1024;
  StartServer();
  auto r = client_->Post("/mcp", Headers(), std::string(4096, ' '), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  auto h = Headers();
  h.emplace("Host", "evil.example.com");
  r = Post(InitRequest(), h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  h = Headers();
  h.emplace("Origin", "https://evil.example.com");
  r = Post(InitRequest(), h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  h = Headers();
  h.emplace("Origin", "http://localhost:5173");
  r = Post(InitRequest(), h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  h = Headers();
  h.emplace("X-Big", std::string(40000, 'x'));
  r = Post(InitRequest(), h);
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
}

TEST_F(HttpServerTest, ToolCallStreamsProgressLogAndResultOnItsPost) {
  StartServer();
  std::string sid = Initialize();
  auto r = Post(Call(2, "slow", /*progress=*/true), Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_NE(r->body.find("event: message\ndata: "), std::string::npos);
  auto msgs = ParseSse(r->body);
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[0]["method"], "notifications/progress");
  EXPECT_EQ(msgs[0]["params"]["progressToken"], "tok");
  EXPECT_EQ(msgs[1]["method"], "notifications/message");
  EXPECT_EQ(msgs[2]["id"], 2);
  EXPECT_EQ(msgs[2]["result"]["content"][0]["text"], "called slow");
}

TEST_F(HttpServerTest, CancelledCallClosesStreamWithoutResponse) {
  StartServer();
  std::string sid = Initialize();
  auto r = Post(Call(3, "cancel_me"), Headers(sid));
  ASSERT_TRUE(r);
  auto msgs = ParseSse(r->body);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_FALSE(msgs[0].contains("id"));
}

TEST_F(HttpServerTest, GetStreamCarriesUnsolicitedMessagesAndNewestWins) {
  StartServer();
  std::string sid = Initialize();
  httplib::Headers h = {
      {"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-11-25"}};
  // Sent before any GET stream: queued, then delivered when the stream opens.
  fakes_.last()->SendUnsolicited({{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}});
  std::promise<void> first_frame;
  std::string first_body;
  int first_status = 0;
  std::thread first([&] {
    httplib::Client c("127.0.0.1", server_->port());
    bool signalled = false;
    auto r = c.Get("/mcp", h, [&](const char* data, size_t len) {
      first_body.append(data, len);
      if (!signalled && first_body.find("\n\n") != std::string::npos) {
        signalled = true;
        first_frame.set_value();
      }
      return true;
    });
    first_status = r ? r->status : -1;
    if (!signalled) {
      first_frame.set_value();
    }
  });
  first_frame.get_future().wait();
  // A second GET replaces the first: the first stream ends, the second gets later messages.
  std::promise<std::string> second_body;
  std::thread second([&] {
    httplib::Client c("127.0.0.1", server_->port());
    std::string buf;
    bool done = false;
    c.Get("/mcp", h, [&](const char* data, size_t len) {
      buf.append(data, len);
      if (buf.find("\n\n") != std::string::npos) {
        done = true;
        second_body.set_value(buf);
        return false;
      }
      return true;
    });
    if (!done) {
      second_body.set_value("");
    }
  });
  first.join();
  EXPECT_EQ(first_status, 200);
  auto msgs = ParseSse(first_body);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0]["method"], "notifications/tools/list_changed");
  fakes_.last()->SendUnsolicited({{"jsonrpc", "2.0"},
                                  {"method", "notifications/message"},
                                  {"params", {{"level", "info"}, {"data", "x"}}}});
  auto body = second_body.get_future().get();
  second.join();
  msgs = ParseSse(body);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0]["method"], "notifications/message");
}

TEST_F(HttpServerTest, DeleteEndsSession) {
  StartServer();
  std::string sid = Initialize();
  auto r = client_->Delete("/mcp", Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // The session is shut down on the reaper thread, right after the answer.
  for (int i = 0; i < 500 && fakes_.shutdowns.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(fakes_.shutdowns.load(), 1);
  r = Post({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}, Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = client_->Delete("/mcp", Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(HttpServerTest, IdleSessionsExpire) {
  options_.session_idle_timeout = std::chrono::seconds(60);
  StartServer();
  std::string idle = Initialize();
  clock_.Advance(std::chrono::seconds(30));
  std::string active = Initialize();
  EXPECT_EQ(server_->ExpireIdleSessions(), 0u);
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_EQ(server_->ExpireIdleSessions(), 1u);
  auto ping = Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}};
  auto r = Post(ping, Headers(idle));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = Post(ping, Headers(active));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(server_->session_count(), 1u);
}

TEST_F(HttpServerTest, ManyConcurrentCallsAcrossSessions) {
  StartServer();
  constexpr int kThreads = 8, kCalls = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", server_->port());
      auto r = c.Post("/mcp", {{"Accept", kAccept}}, InitRequest().dump(), "application/json");
      if (!r) {
        return;
      }
      std::string sid = r->get_header_value("Mcp-Session-Id");
      for (int i = 0; i < kCalls; ++i) {
        auto name = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto cr = c.Post("/mcp", Headers(sid), Call(100 + i, name).dump(), "application/json");
        if (!cr || cr->status != 200) {
          continue;
        }
        auto msgs = ParseSse(cr->body);
        if (!msgs.empty() && msgs.back()["id"] == 100 + i &&
            msgs.back()["result"]["content"][0]["text"] == "called " + name) {
          ok++;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), kThreads * kCalls);
  EXPECT_EQ(server_->session_count(), static_cast<size_t>(kThreads));
}

TEST_F(HttpServerTest, GracefulStopLetsInFlightCallsFinish) {
  fakes_.hold_calls = true;
  StartServer();
  std::string sid = Initialize();
  auto call = std::async(std::launch::async, [&] {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(std::chrono::seconds(20));
    auto r = c.Post("/mcp", Headers(sid), Call(2, "held").dump(), "application/json");
    return r ? r->body : std::string("no response");
  });
  while (!fakes_.last() || fakes_.last()->in_flight() == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto stopper = std::async(std::launch::async, [&] { server_->Stop(); });
  // New work is refused while stopping.
  for (int i = 0; i < 100; ++i) {
    auto r = client_->Get("/readyz");
    if (r && r->status == 503) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  fakes_.last()->Release();
  stopper.get();
  auto msgs = ParseSse(call.get());
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs.back()["result"]["content"][0]["text"], "called held");
}

TEST_F(HttpServerTest, StaticTokenAuthentication) {
  StartServer(std::make_shared<StaticTokenAuthenticator>("s3cret-token-0123456789"));
  auto r = Post(InitRequest(), Headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
  r = Post(InitRequest(), Headers("", "Bearer wrong-token"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("invalid_token"), std::string::npos);
  std::string sid = Initialize("Bearer s3cret-token-0123456789");
  EXPECT_EQ(fakes_.last()->options().principal, "token:static");
  // The session is bound to the token: requests without it are refused.
  r = Post({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}, Headers(sid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  // Health endpoints need no token.
  auto h = client_->Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

TEST_F(HttpServerTest, MetricsTakeTheSameTokenAsMcp) {
  metrics_ = [] { return std::string("# TYPE up gauge\nup 1\n"); };
  StartServer(std::make_shared<StaticTokenAuthenticator>("s3cret-token-0123456789"));
  auto r = client_->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->body.find("up 1"), std::string::npos);
  r = client_->Get("/metrics", {{"Authorization", "Bearer s3cret-token-0123456789"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r->body, "# TYPE up gauge\nup 1\n");
  r = client_->Post("/metrics", {{"Authorization", "Bearer s3cret-token-0123456789"}}, "", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
}

TEST_F(HttpServerTest, PublicMetricsNeedNoToken) {
  metrics_ = [] { return std::string("up 1\n"); };
  options_.metrics_public = true;
  StartServer(std::make_shared<StaticTokenAuthenticator>("s3cret-token-0123456789"));
  auto r = client_->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "up 1\n");
}

TEST_F(HttpServerTest, NoMetricsRouteWithoutASource) {
  StartServer();
  auto r = client_->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST(HttpServerStartTest, RefusesRemoteBindWithoutAuthentication) {
  FakeSessions fakes;
  HttpServerOptions options;
  options.host = "0.0.0.0";
  HttpServerDeps deps;
  deps.session_factory = fakes.Factory();
  HttpServer server(options, deps);
  auto st = server.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace lmcp::transport
