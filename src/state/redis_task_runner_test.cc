// Two replicas (two TaskRunners, each with its own RedisTaskStore) on one Redis: a task runs where it was
// created, and tasks/get, cancel and update through the other replica reach it; the other replica's
// watchers (tasks/result, notifications/tasks) hear of its end. Redis down: errors, no crash.

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "mcp/task_runner.h"
#include "state/redis_client.h"
#include "state/redis_task_store.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/state/redis_server.h"

namespace lmcp::state {
namespace {

using namespace std::chrono_literals;
using mcp::Json;
using mcp::TaskRecord;
using mcp::TaskStatus;
using test_support::RedisServer;

constexpr auto kWait = 10s;

// `block` waits for its stop; `ask` asks for one input, then answers with what it got.
class Provider final : public mcp::ToolProvider {
 public:
  Result<mcp::ToolList> ListTools() override {
    return std::make_shared<const std::vector<mcp::ToolDefinition>>();
  }
  void SetListChangedCallback(std::function<void()>) override {}
  Result<mcp::ToolResult> CallTool(const std::string& name, Json, mcp::CallContext& ctx) override {
    std::unique_lock lock(mu_);
    ++calls_;
    cv_.notify_all();
    if (name == "block") {
      cv_.wait(lock, ctx.stop_token(), [] { return false; });
      ++stopped_;
      fate_ = ctx.fate();
      cv_.notify_all();
      return Error::Cancelled("stopped");
    }
    if (!ctx.input_responses().is_object()) {
      mcp::ToolResult r;
      r.input_required = mcp::InputRequired{
          Json{{"ok", {{"method", "elicitation/create"}, {"params", {{"message", "Go?"}}}}}},
          Json{{"step", 1}}};
      return r;
    }
    return mcp::ToolResult::Text(ctx.input_responses().dump() + " " + ctx.request_state().dump());
  }
  bool WaitFor(const std::function<bool()>& done) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWait, done);
  }
  std::mutex mu_;
  std::condition_variable_any cv_;
  int calls_ = 0;
  int stopped_ = 0;
  mcp::CallFate fate_ = mcp::CallFate::kDeliver;
};

struct Replica {
  Replica(const std::string& url, Clock& clock)
      : client(std::make_shared<RedisClient>(RedisOptions{.url = ParseRedisUrl(url).value()}, clock)),
        store(client, {}, clock),
        runner(provider, mcp::TaskOptions{.shared_store = &store}, clock) {}
  bool WaitFeed() {
    for (int i = 0; i < 2000 && !store.feed_connected(); ++i) {
      std::this_thread::sleep_for(5ms);  // the subscriber thread connects
    }
    return store.feed_connected();
  }
  std::shared_ptr<RedisClient> client;
  Provider provider;
  RedisTaskStore store;
  mcp::TaskRunner runner;
};

// The records a runner's watchers saw, for waiting on one.
struct Seen {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<TaskRecord> records;
  mcp::TaskRunner::Watcher Watcher() {
    return [this](const TaskRecord& r) {
      std::lock_guard lock(mu);
      records.push_back(r);
      cv.notify_all();
    };
  }
  std::optional<TaskRecord> WaitStatus(TaskStatus status) {
    std::unique_lock lock(mu);
    std::optional<TaskRecord> found;
    cv.wait_for(lock, kWait, [&] {
      for (const auto& r : records) {
        if (r.status == status) {
          found = r;
          return true;
        }
      }
      return false;
    });
    return found;
  }
};

mcp::TaskRequest Request(const std::string& tool) {
  mcp::TaskRequest r;
  r.tool = tool;
  r.identity = std::make_shared<const mcp::Identity>(mcp::Identity{.name = "alice"});
  r.protocol_version = "2026-07-28";
  r.stateless = true;
  r.client_capabilities = Json{{"elicitation", Json::object()}};
  return r;
}

class TwoReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = RedisServer::Start();
    ASSERT_TRUE(redis_);
    a_ = std::make_unique<Replica>(redis_->url(), clock_);
    b_ = std::make_unique<Replica>(redis_->url(), clock_);
    ASSERT_TRUE(a_->WaitFeed());
    ASSERT_TRUE(b_->WaitFeed());
  }
  FakeClock clock_;
  Seen seen_on_b_;  // outlives the replicas: B's runner may call its watcher until B is gone
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<Replica> a_;
  std::unique_ptr<Replica> b_;
};

TEST_F(TwoReplicasTest, ACancelThroughTheOtherReplicaStopsTheRun) {
  auto started = a_->runner.Start(Request("block"));
  ASSERT_TRUE(started.ok()) << started.error().message;
  ASSERT_TRUE(a_->provider.WaitFor([&] { return a_->provider.calls_ == 1; }));
  b_->runner.Watch({started->id}, seen_on_b_.Watcher());
  auto on_b = b_->runner.Find("alice", started->id);
  ASSERT_TRUE(on_b.ok() && *on_b);
  EXPECT_EQ((*on_b)->status, TaskStatus::kWorking);
  EXPECT_FALSE(*b_->runner.Find("mallory", started->id));  // another principal: no such task

  auto cancelled = b_->runner.Cancel("alice", started->id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, TaskStatus::kCancelled);
  ASSERT_TRUE(a_->provider.WaitFor([&] { return a_->provider.stopped_ == 1; }));  // A's run stopped
  EXPECT_EQ(a_->provider.fate_, mcp::CallFate::kCancelled);
  EXPECT_TRUE(seen_on_b_.WaitStatus(TaskStatus::kCancelled));
  EXPECT_EQ(b_->provider.calls_, 0);
  EXPECT_EQ(a_->runner.Get("alice", started->id)->status, TaskStatus::kCancelled);
}

TEST_F(TwoReplicasTest, AnAnswerThroughTheOtherReplicaResumesTheRunWhereItLives) {
  auto started = a_->runner.Start(Request("ask"));
  ASSERT_TRUE(started.ok());
  b_->runner.Watch({started->id}, seen_on_b_.Watcher());
  auto asking = seen_on_b_.WaitStatus(TaskStatus::kInputRequired);
  if (!asking) {  // it may have asked before B watched
    asking = b_->runner.Get("alice", started->id);
  }
  ASSERT_TRUE(asking);
  ASSERT_EQ(asking->status, TaskStatus::kInputRequired);
  ASSERT_TRUE(asking->input_requests.contains("ok"));
  ASSERT_TRUE(b_->runner.Update("alice", started->id, Json{{"ok", {{"action", "accept"}}}}).ok());
  auto done = seen_on_b_.WaitStatus(TaskStatus::kCompleted);  // B's watcher: A finished it
  ASSERT_TRUE(done);
  EXPECT_EQ(done->result["content"][0]["text"], R"({"ok":{"action":"accept"}} {"step":1})");
  EXPECT_EQ(a_->provider.calls_, 2);  // both rounds on A
  EXPECT_EQ(b_->provider.calls_, 0);
}

TEST_F(TwoReplicasTest, RedisDownIsAnErrorForEveryTaskRequestAndTheyWorkAgainAfter) {
  redis_->Kill();
  auto start = a_->runner.Start(Request("ask"));
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.error().code, ErrorCode::kUnavailable);
  auto find = b_->runner.Find("alice", "0123");
  ASSERT_FALSE(find.ok());
  EXPECT_EQ(find.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(b_->runner.Cancel("alice", "0123").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(b_->runner.Update("alice", "0123", Json{{"ok", 1}}).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(b_->runner.List("alice", "", 10).error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(redis_->Restart());
  clock_.Advance(10s);  // past the clients' backoff
  ASSERT_TRUE(a_->WaitFeed());
  ASSERT_TRUE(b_->WaitFeed());
  auto again = a_->runner.Start(Request("ask"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto asking = b_->runner.Find("alice", again->id);
  ASSERT_TRUE(asking.ok() && *asking);
}

}  // namespace
}  // namespace lmcp::state
