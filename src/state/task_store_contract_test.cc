// The TaskStore contract, run against both implementations: the in-memory store and the Redis store (on a
// real redis-server). Then what only the Redis store has: Redis down and back.

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "mcp/task_store_memory.h"
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
using mcp::TaskStore;
using test_support::RedisServer;

enum class Kind { kMemory, kRedis };

class TaskStoreContractTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override { store_ = Make({.max_tasks = 100, .max_tasks_per_owner = 3}); }
  std::unique_ptr<TaskStore> Make(mcp::TaskStoreLimits limits) {
    if (GetParam() == Kind::kMemory) {
      return std::make_unique<mcp::InMemoryTaskStore>(limits, clock_);
    }
    if (!redis_) {
      redis_ = RedisServer::Start();
      if (!redis_) {
        return nullptr;
      }
    }
    client_ =
        std::make_shared<RedisClient>(RedisOptions{.url = ParseRedisUrl(redis_->url()).value()}, clock_);
    return std::make_unique<RedisTaskStore>(client_, RedisTaskStoreOptions{.limits = limits}, clock_);
  }
  TaskRecord Record(const std::string& id, const std::string& owner = "alice") {
    clock_.Advance(1ms);  // creation order = creation time
    return TaskRecord{.id = id,
                      .owner = owner,
                      .tool = "echo",
                      .protocol_version = "2026-07-28",
                      .created_at = clock_.Now(),
                      .updated_at = clock_.Now(),
                      .ttl = 60s,
                      .poll_interval = 1s};
  }
  // Ends `id` completed with a TTL from now.
  void End(TaskStore& store, const std::string& id, std::chrono::milliseconds ttl) {
    ASSERT_TRUE(store
                    .Update(id,
                            [&](TaskRecord& r) {
                              r.status = TaskStatus::kCompleted;
                              r.result = Json{{"content", Json::array({{{"type", "text"}, {"text", "é"}}})}};
                              r.expires_at = clock_.Now() + ttl;
                              return true;
                            })
                    .ok());
  }
  std::vector<std::string> Ids(const mcp::TaskPage& page) {
    std::vector<std::string> ids;
    for (const auto& t : page.tasks) {
      ids.push_back(t.id);
    }
    return ids;
  }

  FakeClock clock_;
  std::unique_ptr<RedisServer> redis_;
  std::shared_ptr<RedisClient> client_;
  std::unique_ptr<TaskStore> store_;
};

TEST_P(TaskStoreContractTest, CreateGetUpdateRoundTripEveryField) {
  ASSERT_TRUE(store_);
  TaskRecord r = Record("t1");
  r.resume = Json{{"round", 1}, {"keys", {{"a", "a"}}}};
  r.input_requests = Json{{"a", {{"method", "elicitation/create"}}}};
  r.status = TaskStatus::kInputRequired;
  r.status_message = "Waiting";
  r.expires_at = clock_.Now() + 60s;
  ASSERT_TRUE(store_->Create(r).ok());
  EXPECT_EQ(store_->Create(r).error().code, ErrorCode::kAlreadyExists);
  auto got = store_->Read("t1");
  ASSERT_TRUE(got.ok() && *got);
  const TaskRecord& g = **got;
  EXPECT_EQ(g.owner, "alice");
  EXPECT_EQ(g.status, TaskStatus::kInputRequired);
  EXPECT_EQ(g.status_message, "Waiting");
  EXPECT_EQ(g.created_at, r.created_at);
  EXPECT_EQ(g.expires_at, r.expires_at);
  EXPECT_EQ(g.ttl, 60s);
  EXPECT_EQ(g.poll_interval, 1s);
  EXPECT_EQ(g.resume, r.resume);
  EXPECT_EQ(g.input_requests, r.input_requests);
  EXPECT_FALSE(g.cancel_requested);

  auto same = store_->Update("t1", [](TaskRecord&) { return false; });
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->status, TaskStatus::kInputRequired);
  auto cancelled = store_->Update("t1", [&](TaskRecord& x) {
    x.status = TaskStatus::kCancelled;
    x.cancel_requested = true;
    return true;
  });
  ASSERT_TRUE(cancelled.ok());
  EXPECT_TRUE(store_->Get("t1")->cancel_requested);
  EXPECT_EQ(store_->Get("t1")->status, TaskStatus::kCancelled);
  EXPECT_EQ(store_
                ->Update("t1",
                         [](TaskRecord& x) {
                           x.owner = "mallory";
                           return true;
                         })
                .error()
                .code,
            ErrorCode::kInternal);
  EXPECT_EQ(store_->Get("t1")->owner, "alice");
  EXPECT_EQ(store_->Update("nope", [](TaskRecord&) { return true; }).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(store_->Get("nope"));
  store_->Remove("t1");
  EXPECT_FALSE(store_->Get("t1"));
}

TEST_P(TaskStoreContractTest, AnExpiredRecordIsGoneForEveryReader) {
  ASSERT_TRUE(store_);
  ASSERT_TRUE(store_->Create(Record("t1")).ok());
  End(*store_, "t1", 10s);
  EXPECT_EQ(store_->Get("t1")->result["content"][0]["text"], "é");
  clock_.Advance(10s);
  EXPECT_FALSE(store_->Get("t1"));
  EXPECT_EQ(store_->Update("t1", [](TaskRecord&) { return true; }).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->List("alice", "", 10)->tasks.empty());
}

TEST_P(TaskStoreContractTest, ListsAnOwnersRecordsOldestFirstInPages) {
  ASSERT_TRUE(store_);
  store_ = Make({.max_tasks = 100, .max_tasks_per_owner = 100});
  for (const char* id : {"c", "a", "e", "b", "d"}) {
    ASSERT_TRUE(store_->Create(Record(id)).ok());
  }
  ASSERT_TRUE(store_->Create(Record("x", "bob")).ok());
  End(*store_, "e", 5s);
  clock_.Advance(5s);  // "e" expires
  auto first = store_->List("alice", "", 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"c", "a"}));
  ASSERT_FALSE(first->next_cursor.empty());
  auto second = store_->List("alice", first->next_cursor, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"b", "d"}));
  EXPECT_TRUE(second->next_cursor.empty());
  EXPECT_EQ(Ids(*store_->List("bob", "", 10)), (std::vector<std::string>{"x"}));
  EXPECT_EQ(store_->List("alice", "not-a-cursor", 2).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(TaskStoreContractTest, APrincipalOverItsLimitIsRefusedWithTheLimitNamed) {
  ASSERT_TRUE(store_);
  for (const char* id : {"1", "2", "3"}) {
    ASSERT_TRUE(store_->Create(Record(id)).ok());
  }
  auto refused = store_->Create(Record("4"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(refused.error().message,
            "task limit reached: 3 tasks for principal alice; wait for some to end or cancel them");
  EXPECT_TRUE(store_->Create(Record("5", "bob")).ok());  // another principal
  End(*store_, "1", 1s);
  clock_.Advance(1s);  // an expired record no longer counts
  EXPECT_TRUE(store_->Create(Record("6")).ok());
}

TEST_P(TaskStoreContractTest, TheChangeFeedNamesEachWrittenRecord) {
  ASSERT_TRUE(store_);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> seen;
  uint64_t token = store_->Subscribe([&](const std::string& id) {
    std::lock_guard lock(mu);
    if (!id.empty()) {  // "" = a (re)subscription
      seen.push_back(id);
    }
    cv.notify_all();
  });
  if (auto* redis = dynamic_cast<RedisTaskStore*>(store_.get())) {
    for (int i = 0; i < 1000 && !redis->feed_connected(); ++i) {
      std::this_thread::sleep_for(5ms);  // the subscriber thread connects
    }
  }
  ASSERT_TRUE(store_->Create(Record("t1")).ok());
  End(*store_, "t1", 10s);
  (void)store_->Update("t1", [](TaskRecord&) { return false; });  // no change, no message
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return seen.size() >= 2; }));
    EXPECT_EQ(seen, (std::vector<std::string>{"t1", "t1"}));
  }
  store_->Unsubscribe(token);
}

INSTANTIATE_TEST_SUITE_P(Stores, TaskStoreContractTest, ::testing::Values(Kind::kMemory, Kind::kRedis),
                         [](const auto& info) { return info.param == Kind::kMemory ? "Memory" : "Redis"; });

TEST(RedisTaskStoreTest, RedisDownIsUnavailableForEveryOperationAndItRecovers) {
  auto redis = RedisServer::Start();
  ASSERT_TRUE(redis);
  FakeClock clock;
  auto client =
      std::make_shared<RedisClient>(RedisOptions{.url = ParseRedisUrl(redis->url()).value()}, clock);
  RedisTaskStore store(client, {}, clock);
  TaskRecord r{
      .id = "t1", .owner = "alice", .tool = "echo", .created_at = clock.Now(), .updated_at = clock.Now()};
  ASSERT_TRUE(store.Create(r).ok());
  auto ttl = client->Command({"PTTL", "lmcp:task:t1"});
  EXPECT_GT(ttl->integer, 23 * 3600 * 1000LL);  // running: the safety expiry (24 h)
  redis->Kill();
  auto read = store.Read("t1");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(read.error().message.rfind("task store unavailable: ", 0), 0u) << read.error().message;
  EXPECT_FALSE(store.Get("t1"));
  r.id = "t2";
  EXPECT_EQ(store.Create(r).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store.Update("t1", [](TaskRecord&) { return true; }).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store.List("alice", "", 10).error().code, ErrorCode::kUnavailable);
  store.Remove("t1");             // logged, no crash
  ASSERT_TRUE(redis->Restart());  // empty: no persistence
  clock.Advance(10s);
  EXPECT_TRUE(store.Create(r).ok());
  EXPECT_TRUE(store.Get("t2"));
}

}  // namespace
}  // namespace lmcp::state
