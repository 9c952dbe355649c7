// TaskRunner: tasks stored before Start returns, run in the background, ended by their tool, cancelled
// through the stop token, resumed by tasks/update, owned by their creator, kept for the TTL on the injected
// clock, and ended on shutdown.

#include "mcp/task_runner.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>

#include "jsonrpc/error_codes.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using testing::kWaitLimit;

// `echo` answers its arguments; `block` waits for Release or its stop; `broken` fails as a provider;
// `ask` asks for two inputs in its first round and answers what it got; `ask_sample` asks for sampling.
class ScriptedProvider final : public ToolProvider {
 public:
  Result<ToolList> ListTools() override { return std::make_shared<const std::vector<ToolDefinition>>(); }
  void SetListChangedCallback(std::function<void()>) override {}

  Result<ToolResult> CallTool(const std::string& name, Json arguments, CallContext& ctx) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back(name);
      task_ids_.insert(ctx.task_id());
      cv_.notify_all();
    }
    if (name == "echo") {
      return ToolResult::Text(arguments.dump());
    }
    if (name == "block") {
      std::unique_lock lock(mu_);
      ++blocked_;
      cv_.notify_all();
      if (!cv_.wait(lock, ctx.stop_token(), [&] { return released_; })) {
        ++stopped_;
        fates_.push_back(ctx.fate());
        return Error::Cancelled("stopped");
      }
      return ToolResult::Text("released");
    }
    if (name == "broken") {
      return Error::Unavailable("backend down");
    }
    if (name == "ask" || name == "ask_sample") {
      if (!ctx.input_responses().is_object()) {
        ToolResult r;
        Json requests = name == "ask" ? Json{{"a", Elicit()}, {"b", Elicit()}}
                                      : Json{{"s", {{"method", "sampling/createMessage"}, {"params", {}}}}};
        r.input_required = InputRequired{requests, Json{{"round", 1}}};
        return r;
      }
      return ToolResult::Text(ctx.input_responses().dump() + " state " + ctx.request_state().dump());
    }
    return Error::NotFound(name);
  }

  static Json Elicit() { return Json{{"method", "elicitation/create"}, {"params", {{"message", "?"}}}}; }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  bool WaitBlocked(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWaitLimit, [&] { return blocked_ >= n; });
  }
  int Calls(const std::string& name) {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count(calls_.begin(), calls_.end(), name));
  }
  int stopped() {
    std::lock_guard lock(mu_);
    return stopped_;
  }
  std::vector<CallFate> fates() {
    std::lock_guard lock(mu_);
    return fates_;
  }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::vector<std::string> calls_;
  std::set<std::string> task_ids_;
  std::vector<CallFate> fates_;
  bool released_ = false;
  int blocked_ = 0;
  int stopped_ = 0;
};

class TaskRunnerTest : public ::testing::Test {
 protected:
  TaskRequest Request(const std::string& tool, const std::string& owner = "alice", Json arguments = {}) {
    TaskRequest r;
    r.tool = tool;
    r.arguments = arguments.is_null() ? Json::object() : std::move(arguments);
    r.identity = std::make_shared<const Identity>(Identity{.name = owner});
    r.protocol_version = "2026-07-28";
    r.stateless = true;
    r.client_capabilities = Json{{"elicitation", Json::object()}};
    return r;
  }
  // Polls (on the real clock: the runner's workers are real threads) until the task leaves `status`.
  TaskRecord WaitNot(TaskRunner& runner, const std::string& id, TaskStatus status,
                     const std::string& owner = "alice") {
    auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    std::optional<TaskRecord> record;
    // The watcher may run after Unwatch returns (the runner's contract): it owns what it touches.
    struct Signal {
      std::mutex mu;
      std::condition_variable cv;
    };
    auto signal = std::make_shared<Signal>();
    uint64_t watch = runner.Watch({id}, [signal](const TaskRecord&) {
      std::lock_guard lock(signal->mu);
      signal->cv.notify_all();
    });
    std::unique_lock lock(signal->mu);
    while ((record = runner.Get(owner, id)) && record->status == status &&
           std::chrono::steady_clock::now() < deadline) {
      signal->cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    runner.Unwatch(watch);
    EXPECT_TRUE(record.has_value());
    return record.value_or(TaskRecord{});
  }

  FakeClock clock_;
  ScriptedProvider provider_;
  TaskOptions options_{.ttl = std::chrono::minutes(10), .poll_interval = std::chrono::milliseconds(500)};
};

TEST_F(TaskRunnerTest, StoresTheTaskBeforeStartReturnsAndKeepsTheResultForTheTtl) {
  TaskRunner runner(provider_, options_, clock_);
  auto started = runner.Start(Request("echo", "alice", {{"x", 1}}));
  ASSERT_TRUE(started.ok()) << started.error().ToString();
  EXPECT_EQ(started->status, TaskStatus::kWorking);
  EXPECT_EQ(started->id.size(), 32u);                         // 128 random bits, hex
  ASSERT_TRUE(runner.Get("alice", started->id).has_value());  // durable create

  TaskRecord done = WaitNot(runner, started->id, TaskStatus::kWorking);
  ASSERT_EQ(done.status, TaskStatus::kCompleted);
  EXPECT_EQ(done.result["content"][0]["text"], R"({"x":1})");
  ASSERT_TRUE(done.expires_at.has_value());
  EXPECT_EQ(*done.expires_at, done.updated_at + std::chrono::minutes(10));

  clock_.Advance(std::chrono::minutes(10) - std::chrono::milliseconds(1));
  EXPECT_TRUE(runner.Get("alice", started->id).has_value());
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(runner.Get("alice", started->id).has_value());  // gone at the TTL, by the injected clock
}

TEST_F(TaskRunnerTest, ARunningTaskDoesNotExpire) {
  TaskRunner runner(provider_, options_, clock_);
  auto started = runner.Start(Request("block"));
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(provider_.WaitBlocked(1));
  clock_.Advance(std::chrono::hours(5));
  ASSERT_TRUE(runner.Get("alice", started->id).has_value());
  provider_.Release();
  EXPECT_EQ(WaitNot(runner, started->id, TaskStatus::kWorking).status, TaskStatus::kCompleted);
}

TEST_F(TaskRunnerTest, AnotherPrincipalFindsNothing) {
  TaskRunner runner(provider_, options_, clock_);
  auto started = runner.Start(Request("block"));
  ASSERT_TRUE(started.ok());
  EXPECT_FALSE(runner.Get("mallory", started->id).has_value());
  EXPECT_EQ(runner.Cancel("mallory", started->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(runner.Update("mallory", started->id, Json{{"a", 1}}).error().code, ErrorCode::kNotFound);
  auto listed = runner.List("mallory", "", 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->tasks.empty());
  EXPECT_EQ(runner.Get("alice", started->id)->status, TaskStatus::kWorking);  // untouched
  provider_.Release();
}

TEST_F(TaskRunnerTest, CancelStopsTheRunningToolAndSaysItMayHaveRun) {
  TaskRunner runner(provider_, options_, clock_);
  auto started = runner.Start(Request("block"));
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(provider_.WaitBlocked(1));
  auto cancelled = runner.Cancel("alice", started->id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->status, TaskStatus::kCancelled);  // at once, before the tool has returned
  EXPECT_NE(cancelled->status_message.find("may still have run"), std::string::npos);
  runner.Shutdown(std::chrono::milliseconds(0));  // waits for the stopped round
  EXPECT_EQ(provider_.stopped(), 1);
  EXPECT_EQ(provider_.fates(), std::vector<CallFate>{CallFate::kCancelled});
  EXPECT_EQ(runner.Get("alice", started->id)->status, TaskStatus::kCancelled);  // not overwritten
  EXPECT_EQ(runner.Cancel("alice", started->id).error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(TaskRunnerTest, ATaskCancelledWhileQueuedNeverCallsItsTool) {
  options_.max_running = 1;
  TaskRunner runner(provider_, options_, clock_);
  auto first = runner.Start(Request("block"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(provider_.WaitBlocked(1));
  auto second = runner.Start(Request("echo"));
  ASSERT_TRUE(second.ok());
  auto cancelled = runner.Cancel("alice", second->id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_NE(cancelled->status_message.find("nothing was invoked"), std::string::npos);
  provider_.Release();
  EXPECT_EQ(WaitNot(runner, first->id, TaskStatus::kWorking).status, TaskStatus::kCompleted);
  runner.Shutdown(std::chrono::milliseconds(0));
  EXPECT_EQ(provider_.Calls("echo"), 0);
}

TEST_F(TaskRunnerTest, OnePrincipalsTasksWaitForItsOwnRunningCapOnly) {
  options_.max_running_per_principal = 1;
  TaskRunner runner(provider_, options_, clock_);
  auto first = runner.Start(Request("block"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(provider_.WaitBlocked(1));
  auto queued = runner.Start(Request("echo"));  // alice's second: waits for her first
  auto other = runner.Start(Request("echo", "bob"));
  ASSERT_TRUE(queued.ok() && other.ok());
  EXPECT_EQ(WaitNot(runner, other->id, TaskStatus::kWorking, "bob").status, TaskStatus::kCompleted);
  EXPECT_EQ(runner.Get("alice", queued->id)->status, TaskStatus::kWorking);
  EXPECT_EQ(provider_.Calls("echo"), 1);  // bob's only
  provider_.Release();
  EXPECT_EQ(WaitNot(runner, queued->id, TaskStatus::kWorking).status, TaskStatus::kCompleted);
}

TEST_F(TaskRunnerTest, ProviderFailuresEndTheTaskFailedWithTheJsonRpcError) {
  TaskRunner runner(provider_, options_, clock_);
  auto broken = runner.Start(Request("broken"));
  auto unknown = runner.Start(Request("nope"));
  ASSERT_TRUE(broken.ok() && unknown.ok());
  TaskRecord b = WaitNot(runner, broken->id, TaskStatus::kWorking);
  EXPECT_EQ(b.status, TaskStatus::kFailed);
  EXPECT_EQ(b.error["code"], jsonrpc::kInternalError);
  EXPECT_NE(b.error["message"].get<std::string>().find("backend down"), std::string::npos);
  EXPECT_TRUE(b.result.is_null());
  TaskRecord u = WaitNot(runner, unknown->id, TaskStatus::kWorking);
  EXPECT_EQ(u.error["code"], jsonrpc::kInvalidParams);
}

TEST_F(TaskRunnerTest, InputRoundsWaitForEveryAnswerThenResumeWithState) {
  TaskRunner runner(provider_, options_, clock_);
  auto started = runner.Start(Request("ask"));
  ASSERT_TRUE(started.ok());
  TaskRecord waiting = WaitNot(runner, started->id, TaskStatus::kWorking);
  ASSERT_EQ(waiting.status, TaskStatus::kInputRequired);
  ASSERT_TRUE(waiting.input_requests.contains("a") && waiting.input_requests.contains("b"));

  ASSERT_TRUE(runner.Update("alice", started->id, Json{{"a", {{"action", "accept"}}}, {"zzz", 1}}).ok());
  auto partial = runner.Get("alice", started->id);
  EXPECT_EQ(partial->status, TaskStatus::kInputRequired);
  EXPECT_EQ(partial->input_requests.size(), 1u);
  EXPECT_TRUE(partial->input_requests.contains("b"));

  ASSERT_TRUE(runner.Update("alice", started->id, Json{{"b", {{"action", "decline"}}}}).ok());
  TaskRecord done = WaitNot(runner, started->id, TaskStatus::kWorking);
  ASSERT_EQ(done.status, TaskStatus::kCompleted);
  std::string text = done.result["content"][0]["text"];
  EXPECT_NE(text.find(R"("a":{"action":"accept"})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("b":{"action":"decline"})"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(state {"round":1})"), std::string::npos) << text;
  EXPECT_EQ(provider_.Calls("ask"), 2);  // one call per round, never a repeat
}

TEST_F(TaskRunnerTest, InputTheClientCannotGiveFailsTheTask) {
  TaskRunner runner(provider_, options_, clock_);
  auto started = runner.Start(Request("ask_sample"));  // the client declared elicitation only
  ASSERT_TRUE(started.ok());
  TaskRecord failed = WaitNot(runner, started->id, TaskStatus::kWorking);
  ASSERT_EQ(failed.status, TaskStatus::kFailed);
  EXPECT_EQ(failed.error["code"], jsonrpc::kMissingClientCapability);
  EXPECT_TRUE(failed.error["data"]["requiredCapabilities"].contains("sampling"));
}

TEST_F(TaskRunnerTest, WatchersSeeEveryChange) {
  TaskRunner runner(provider_, options_, clock_);
  auto started = runner.Start(Request("block"));
  ASSERT_TRUE(started.ok());
  std::mutex mu;
  std::vector<TaskStatus> seen;
  uint64_t watch = runner.Watch({started->id}, [&](const TaskRecord& r) {
    std::lock_guard lock(mu);
    seen.push_back(r.status);
  });
  ASSERT_TRUE(runner.Cancel("alice", started->id).ok());
  runner.Unwatch(watch);
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, std::vector<TaskStatus>{TaskStatus::kCancelled});
}

TEST_F(TaskRunnerTest, AFullStoreRefusesNewTasks) {
  options_.store.max_tasks_per_owner = 1;
  TaskRunner runner(provider_, options_, clock_);
  ASSERT_TRUE(runner.Start(Request("block")).ok());
  auto refused = runner.Start(Request("echo"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(runner.Start(Request("echo", "bob")).ok());  // another principal has room
  provider_.Release();
}

TEST_F(TaskRunnerTest, ShutdownEndsUnfinishedTasksFailed) {
  TaskRunner runner(provider_, options_, clock_);
  auto started = runner.Start(Request("block"));
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(provider_.WaitBlocked(1));
  runner.Shutdown(std::chrono::milliseconds(0));
  auto record = runner.Get("alice", started->id);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->status, TaskStatus::kFailed);
  EXPECT_NE(record->status_message.find("may have run"), std::string::npos);
  EXPECT_EQ(provider_.fates(), std::vector<CallFate>{CallFate::kAbandoned});
  EXPECT_EQ(runner.Start(Request("echo")).error().code, ErrorCode::kUnavailable);
}

TEST_F(TaskRunnerTest, TwoHundredTasksAllFinishWithTheirOwnResults) {
  TaskRunner runner(provider_, options_, clock_);
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    auto started = runner.Start(Request("echo", "alice", {{"i", i}}));
    ASSERT_TRUE(started.ok());
    ids.push_back(started->id);
  }
  for (int i = 0; i < 200; ++i) {
    TaskRecord done = WaitNot(runner, ids[i], TaskStatus::kWorking);
    ASSERT_EQ(done.status, TaskStatus::kCompleted);
    EXPECT_EQ(done.result["content"][0]["text"], (Json{{"i", i}}.dump()));
  }
  auto listed = runner.List("alice", "", 500);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->tasks.size(), 200u);
}

}  // namespace
}  // namespace lmcp::mcp
