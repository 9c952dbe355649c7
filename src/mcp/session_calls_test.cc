// Fair calls, caps, the call queue timeout, clients that are gone, and shutdown, through real sessions.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "jsonrpc/error_codes.h"
#include "mcp/server.h"
#include "mcp/session.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using namespace std::chrono_literals;
using testing::kWaitLimit;
using testing::RecordingSink;

// One tool, "work": records each call's `tag` in the order calls start; a tag in `hold` blocks until
// Release(tag) or its stop token. Records the CallFate each call saw when it ended.
class GateProvider final : public ToolProvider {
 public:
  Result<ToolList> ListTools() override {
    auto tools = std::make_shared<std::vector<ToolDefinition>>();
    tools->push_back({.name = "work", .description = "work"});
    return ToolList(tools);
  }
  void SetListChangedCallback(std::function<void()>) override {}

  Result<ToolResult> CallTool(const std::string&, Json arguments, CallContext& ctx) override {
    std::string tag = arguments.value("tag", "");
    std::unique_lock lock(mu_);
    started_.push_back(tag);
    cv_.notify_all();
    bool released = cv_.wait(lock, ctx.stop_token(), [&] { return hold_.count(tag) == 0; });
    fates_[tag] = ctx.fate();
    cv_.notify_all();
    if (!released) {
      return Error::Cancelled("stopped");
    }
    return ToolResult::Text("done " + tag);
  }

  void CallNotInvoked(const std::string&, const Json& arguments, const Json&, const std::string&,
                      NotInvoked why, const std::string&) override {
    std::lock_guard lock(mu_);
    not_invoked_[arguments.value("tag", "")] = why;
  }
  std::optional<NotInvoked> not_invoked(const std::string& tag) {
    std::lock_guard lock(mu_);
    auto it = not_invoked_.find(tag);
    return it == not_invoked_.end() ? std::nullopt : std::optional<NotInvoked>(it->second);
  }

  void Hold(const std::string& tag) {
    std::lock_guard lock(mu_);
    hold_.insert(tag);
  }
  void Release(const std::string& tag) {
    std::lock_guard lock(mu_);
    hold_.erase(tag);
    cv_.notify_all();
  }
  bool WaitStarted(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWaitLimit, [&] { return started_.size() >= n; });
  }
  bool WaitEndedWithFate(const std::string& tag) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWaitLimit, [&] { return fates_.count(tag) > 0; });
  }
  std::vector<std::string> started() {
    std::lock_guard lock(mu_);
    return started_;
  }
  CallFate fate(const std::string& tag) {
    std::lock_guard lock(mu_);
    return fates_.at(tag);
  }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::set<std::string> hold_;
  std::vector<std::string> started_;
  std::map<std::string, CallFate> fates_;
  std::map<std::string, NotInvoked> not_invoked_;
};

Json Call(const Json& id, const std::string& tag) {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/call"},
          {"params", {{"name", "work"}, {"arguments", {{"tag", tag}}}}}};
}

// A client of a shared server: its own sink and session, initialized.
struct Client {
  Client(McpServer& server, const std::string& principal) {
    session = server.CreateSession(sink, {.principal = principal, .transport = "http"});
    session->HandleMessage(
        {{"jsonrpc", "2.0"},
         {"id", "init"},
         {"method", "initialize"},
         {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}}}});
    session->HandleMessage({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }
  RecordingSink sink;  // outlives the session
  std::unique_ptr<Session> session;
};

std::string ErrorMessage(const std::optional<Json>& response) {
  if (!response || !response->contains("error")) {
    return "";
  }
  return (*response)["error"].value("message", "");
}

class SessionCallsTest : public ::testing::Test {
 protected:
  ServerOptions OneWorker() {
    ServerOptions options;
    options.worker_threads = 1;
    options.clock = &clock_;
    return options;
  }
  FakeClock clock_;
  GateProvider provider_;
};

TEST_F(SessionCallsTest, AFloodingPrincipalDelaysAnotherCallByOneCallAtMost) {
  McpServer server(provider_, OneWorker());
  Client alice(server, "alice");
  Client bob(server, "bob");
  provider_.Hold("a0");
  alice.session->HandleMessage(Call(0, "a0"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  for (int i = 1; i <= 20; ++i) {
    alice.session->HandleMessage(Call(i, "a" + std::to_string(i)));
  }
  bob.session->HandleMessage(Call(1, "b1"));
  provider_.Release("a0");
  auto r = bob.sink.WaitResponse(1);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["result"]["content"][0]["text"], "done b1");
  ASSERT_TRUE(alice.sink.WaitResponse(20));
  auto order = provider_.started();
  auto b1 = std::find(order.begin(), order.end(), "b1") - order.begin();
  EXPECT_EQ(b1, 2) << "FIFO would have run it 21st";
}

TEST_F(SessionCallsTest, OverASessionCapIsAnImmediateInternalErrorNamingTheCap) {
  ServerOptions options = OneWorker();
  options.max_queued_calls_per_session = 2;
  McpServer server(provider_, options);
  Client alice(server, "alice");
  Client bob(server, "bob");
  provider_.Hold("a0");
  alice.session->HandleMessage(Call(0, "a0"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  alice.session->HandleMessage(Call(1, "a1"));
  alice.session->HandleMessage(Call(2, "a2"));
  alice.session->HandleMessage(Call(3, "a3"));
  auto refused = alice.sink.WaitResponse(3);
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["error"]["code"], jsonrpc::kInternalError);
  EXPECT_NE(ErrorMessage(refused).find("per-session queue limit"), std::string::npos)
      << ErrorMessage(refused);
  EXPECT_EQ(provider_.not_invoked("a3"), ToolProvider::NotInvoked::kRefused);
  bob.session->HandleMessage(Call(1, "b1"));  // another client is not refused
  provider_.Release("a0");
  EXPECT_EQ((*bob.sink.WaitResponse(1))["result"]["content"][0]["text"], "done b1");
  ASSERT_TRUE(alice.sink.WaitResponse(2));
}

TEST_F(SessionCallsTest, APrincipalsSessionsShareItsCap) {
  ServerOptions options = OneWorker();
  options.max_queued_calls_per_principal = 2;
  McpServer server(provider_, options);
  Client first(server, "alice");
  Client second(server, "alice");
  provider_.Hold("x");
  first.session->HandleMessage(Call(0, "x"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  first.session->HandleMessage(Call(1, "f1"));
  second.session->HandleMessage(Call(1, "s1"));
  second.session->HandleMessage(Call(2, "s2"));
  auto refused = second.sink.WaitResponse(2);
  EXPECT_NE(ErrorMessage(refused).find("per-principal queue limit"), std::string::npos)
      << ErrorMessage(refused);
  provider_.Release("x");
  ASSERT_TRUE(second.sink.WaitResponse(1));
  ASSERT_TRUE(first.sink.WaitResponse(1));
}

TEST_F(SessionCallsTest, QueuedCallPastTheWaitTimeoutIsAnsweredNotInvoked) {
  ServerOptions options = OneWorker();
  options.call_queue_timeout = 30s;
  McpServer server(provider_, options);
  Client alice(server, "alice");
  provider_.Hold("busy");
  alice.session->HandleMessage(Call(0, "busy"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  alice.session->HandleMessage(Call(1, "late"));
  clock_.Advance(31s);
  server.scheduler().ExpireWaiting();
  auto r = alice.sink.WaitResponse(1);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["error"]["code"], jsonrpc::kInternalError);
  EXPECT_NE(ErrorMessage(r).find("was not invoked"), std::string::npos) << ErrorMessage(r);
  EXPECT_TRUE(alice.sink.WaitEnded(1));
  EXPECT_EQ(provider_.not_invoked("late"), ToolProvider::NotInvoked::kQueueTimeout);
  provider_.Release("busy");
  ASSERT_TRUE(alice.sink.WaitResponse(0));
  // The id is free again, and the late call never reached the tool.
  alice.session->HandleMessage(Call(1, "again"));
  ASSERT_TRUE(alice.sink.WaitUntil([](const auto& sent, const auto&) {
    int answers = 0;
    for (const auto& s : sent) {
      answers += s.message.value("id", Json()) == 1 ? 1 : 0;
    }
    return answers == 2;
  }));
  EXPECT_EQ(provider_.started(), (std::vector<std::string>{"busy", "again"}));
}

TEST_F(SessionCallsTest, ClientGoneBeforeStartIsNeverInvoked) {
  McpServer server(provider_, OneWorker());
  Client alice(server, "alice");
  provider_.Hold("busy");
  alice.session->HandleMessage(Call(0, "busy"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  alice.session->HandleMessage(Call("q", "queued"));
  alice.session->ClientGone("q");
  EXPECT_TRUE(alice.sink.WaitEnded("q"));
  provider_.Release("busy");
  ASSERT_TRUE(alice.sink.WaitResponse(0));
  EXPECT_EQ(server.scheduler().queued(), 0u);
  EXPECT_EQ(provider_.started(), (std::vector<std::string>{"busy"}));
  EXPECT_EQ(provider_.not_invoked("queued"), ToolProvider::NotInvoked::kClientGone);
  for (const auto& s : alice.sink.sent()) {
    EXPECT_NE(s.message.value("id", Json()), "q") << s.message.dump();
  }
}

TEST_F(SessionCallsTest, ClientGoneWhileRunningLetsItFinishAndDiscardsTheResult) {
  McpServer server(provider_, OneWorker());
  Client alice(server, "alice");
  provider_.Hold("run");
  alice.session->HandleMessage(Call(7, "run"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  alice.session->ClientGoneAll();
  provider_.Release("run");
  EXPECT_TRUE(alice.sink.WaitEnded(7));
  ASSERT_TRUE(provider_.WaitEndedWithFate("run"));
  EXPECT_EQ(provider_.fate("run"), CallFate::kClientGone);
  for (const auto& s : alice.sink.sent()) {
    EXPECT_NE(s.message.value("id", Json()), 7) << s.message.dump();
  }
}

TEST_F(SessionCallsTest, CancelledQueuedCallIsNeverInvokedAndGetsNoResponse) {
  McpServer server(provider_, OneWorker());
  Client alice(server, "alice");
  provider_.Hold("busy");
  alice.session->HandleMessage(Call(0, "busy"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  alice.session->HandleMessage(Call(1, "queued"));
  alice.session->HandleMessage(
      {{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 1}}}});
  EXPECT_TRUE(alice.sink.WaitEnded(1));
  provider_.Release("busy");
  ASSERT_TRUE(alice.sink.WaitResponse(0));
  EXPECT_EQ(provider_.started(), (std::vector<std::string>{"busy"}));
  EXPECT_EQ(provider_.not_invoked("queued"), ToolProvider::NotInvoked::kCancelled);
}

TEST_F(SessionCallsTest, ShutdownAnswersEveryPendingCall) {
  ServerOptions options = OneWorker();
  McpServer server(provider_, options);
  Client alice(server, "alice");
  provider_.Hold("running");
  alice.session->HandleMessage(Call(1, "running"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  alice.session->HandleMessage(Call(2, "queued"));
  alice.session->Shutdown(0ms);
  auto running = alice.sink.WaitResponse(1);
  auto queued = alice.sink.WaitResponse(2);
  ASSERT_TRUE(running && queued);
  EXPECT_EQ((*running)["error"]["code"], jsonrpc::kInternalError);
  EXPECT_NE(ErrorMessage(running).find("may have run"), std::string::npos) << ErrorMessage(running);
  EXPECT_EQ((*queued)["error"]["code"], jsonrpc::kInternalError);
  EXPECT_NE(ErrorMessage(queued).find("not invoked"), std::string::npos) << ErrorMessage(queued);
  // Shutdown returned only after the running call saw its stop, as abandoned; the queued one never ran.
  EXPECT_EQ(provider_.fate("running"), CallFate::kAbandoned);
  EXPECT_EQ(provider_.started(), (std::vector<std::string>{"running"}));
  EXPECT_EQ(provider_.not_invoked("queued"), ToolProvider::NotInvoked::kShutdown);
  EXPECT_FALSE(provider_.not_invoked("running").has_value());
}

TEST_F(SessionCallsTest, AQueuedCallMayStillRunWithinTheGrace) {
  McpServer server(provider_, OneWorker());
  Client alice(server, "alice");
  provider_.Hold("first");
  alice.session->HandleMessage(Call(1, "first"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  alice.session->HandleMessage(Call(2, "second"));  // queued behind it: one worker
  std::thread shutdown(
      [&] { alice.session->Shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(kWaitLimit)); });
  provider_.Release("first");
  shutdown.join();
  EXPECT_EQ((*alice.sink.WaitResponse(1))["result"]["content"][0]["text"], "done first");
  EXPECT_EQ((*alice.sink.WaitResponse(2))["result"]["content"][0]["text"], "done second");
}

TEST_F(SessionCallsTest, ShutdownWaitsForACallFinishingWithinTheGrace) {
  McpServer server(provider_, OneWorker());
  Client alice(server, "alice");
  provider_.Hold("slow");
  alice.session->HandleMessage(Call(1, "slow"));
  ASSERT_TRUE(provider_.WaitStarted(1));
  std::thread shutdown(
      [&] { alice.session->Shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(kWaitLimit)); });
  provider_.Release("slow");
  shutdown.join();
  auto r = alice.sink.WaitResponse(1);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["result"]["content"][0]["text"], "done slow");
  EXPECT_EQ(provider_.fate("slow"), CallFate::kDeliver);
}

// ---- With the shared FakeProvider (mcp/test_support.h) ----

using testing::FakeProvider;
using testing::TestClient;

int ErrorCodeOf(const Json& response) { return response.at("error").at("code").get<int>(); }

Json FakeCall(const Json& id, const std::string& tool, Json arguments = Json::object()) {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/call"},
          {"params", {{"name", tool}, {"arguments", arguments}}}};
}

TEST(ServerQueueLimitTest, OverflowIsRefusedWithInternalError) {
  FakeProvider provider;
  ServerOptions options;
  options.worker_threads = 1;
  options.max_queued_calls = 1;
  TestClient client(provider, options);
  client.Initialize();
  client.session().HandleMessage(FakeCall(1, "block", {{"gate", 1}}));
  ASSERT_TRUE(provider.WaitStarted(1));
  client.session().HandleMessage(FakeCall(2, "block", {{"gate", 2}}));      // queued
  EXPECT_EQ(ErrorCodeOf(client.Call(3, "echo")), jsonrpc::kInternalError);  // queue full
  provider.Release(1);
  provider.Release(2);
  EXPECT_TRUE(client.sink().WaitResponse(2).has_value());
}

class ShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override { client_.Initialize(); }
  FakeProvider provider_;
  TestClient client_{provider_};
};

TEST_F(ShutdownTest, ShutdownStopsRunningCallsAndAnswersThatTheyMayHaveRun) {
  client_.session().HandleMessage(FakeCall(1, "block", {{"gate", 1}}));
  ASSERT_TRUE(provider_.WaitStarted(1));
  client_.session().Shutdown(std::chrono::milliseconds(0));
  EXPECT_EQ(provider_.cancelled(), 1);
  auto r = client_.sink().WaitResponse(1);
  ASSERT_TRUE(r);
  EXPECT_EQ(ErrorCodeOf(*r), jsonrpc::kInternalError);
  EXPECT_NE((*r)["error"]["message"].get<std::string>().find("may have run"), std::string::npos);
  EXPECT_TRUE(client_.sink().WaitEnded(1));
  // No new calls after shutdown; the second Shutdown is a no-op.
  EXPECT_EQ(ErrorCodeOf(client_.Call(2, "echo")), jsonrpc::kInternalError);
  client_.session().Shutdown(std::chrono::milliseconds(0));
}

TEST_F(ShutdownTest, ShutdownLetsFinishingCallsAnswer) {
  client_.session().HandleMessage(FakeCall(1, "block", {{"gate", 1}}));
  ASSERT_TRUE(provider_.WaitStarted(1));
  provider_.Release(1);
  client_.session().Shutdown(std::chrono::seconds(30));
  auto r = client_.sink().WaitResponse(1);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["result"]["content"][0]["text"], "released 1");
}

}  // namespace
}  // namespace lmcp::mcp
