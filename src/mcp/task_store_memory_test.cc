#include "mcp/task_store_memory.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/base64.h"
#include "mcp/protocol.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::mcp {
namespace {

using namespace std::chrono_literals;

TaskRecord Running(const std::string& id, const std::string& owner, const FakeClock& clock) {
  TaskRecord r;
  r.id = id;
  r.owner = owner;
  r.tool = "slow-report";
  r.protocol_version = "2025-11-25";
  r.created_at = r.updated_at = clock.Now();
  r.ttl = 60s;
  r.poll_interval = 1s;
  return r;
}

// A record that has ended with `result` and is kept until `keep_for` from now.
TaskRecord Ended(const std::string& id, const std::string& owner, const FakeClock& clock,
                 std::chrono::milliseconds keep_for, Json result = {{"content", Json::array()}}) {
  TaskRecord r = Running(id, owner, clock);
  r.status = TaskStatus::kCompleted;
  r.expires_at = clock.Now() + keep_for;
  r.result = std::move(result);
  return r;
}

// A tool result holding about `n` bytes of text.
Json BigResult(size_t n) {
  return {{"content", Json::array({{{"type", "text"}, {"text", std::string(n, 'x')}}})}};
}

std::vector<std::string> Ids(const TaskPage& page) {
  std::vector<std::string> ids;
  for (const TaskRecord& r : page.tasks) {
    ids.push_back(r.id);
  }
  return ids;
}

TaskStoreLimits Limits(size_t max_tasks, size_t per_owner, size_t max_bytes = 256 << 20) {
  TaskStoreLimits limits;
  limits.max_tasks = max_tasks;
  limits.max_tasks_per_owner = per_owner;
  limits.max_bytes = max_bytes;
  return limits;
}

TEST(TaskStatusTest, WireNamesAndTerminalStates) {
  EXPECT_STREQ(TaskStatusName(TaskStatus::kWorking), "working");
  EXPECT_STREQ(TaskStatusName(TaskStatus::kInputRequired), "input_required");
  EXPECT_STREQ(TaskStatusName(TaskStatus::kCompleted), "completed");
  EXPECT_STREQ(TaskStatusName(TaskStatus::kFailed), "failed");
  EXPECT_STREQ(TaskStatusName(TaskStatus::kCancelled), "cancelled");
  EXPECT_FALSE(IsTerminal(TaskStatus::kWorking));
  EXPECT_FALSE(IsTerminal(TaskStatus::kInputRequired));
  EXPECT_TRUE(IsTerminal(TaskStatus::kCompleted));
  EXPECT_TRUE(IsTerminal(TaskStatus::kFailed));
  EXPECT_TRUE(IsTerminal(TaskStatus::kCancelled));
}

TEST(TaskRecordTest, ApproximateBytesCountsStringsAndEveryJsonField) {
  FakeClock clock;
  TaskRecord r = Running("t1", "alice", clock);
  size_t base = r.ApproximateBytes();
  EXPECT_GT(base, sizeof(TaskRecord));
  r.status_message = std::string(1000, 'm');
  EXPECT_GE(r.ApproximateBytes(), base + 1000);
  for (Json TaskRecord::*field :
       {&TaskRecord::result, &TaskRecord::error, &TaskRecord::input_requests, &TaskRecord::resume}) {
    TaskRecord with = Running("t1", "alice", clock);
    with.*field = BigResult(100'000);
    EXPECT_GE(with.ApproximateBytes(), base + 100'000);
    EXPECT_LT(with.ApproximateBytes(), base + 101'000);
  }
  // Many small values cost more than their text: each is a JSON node (and a tree node in an object).
  Json many = Json::object();
  for (int i = 0; i < 1000; ++i) {
    many["k" + std::to_string(i)] = i;
  }
  r.result = many;
  EXPECT_GE(r.ApproximateBytes(), base + 1000 * (sizeof(Json) + 32));
}

TEST(InMemoryTaskStoreTest, CreateGetRemoveAndDuplicateId) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  ASSERT_TRUE(store.Create(Running("t1", "alice", clock)).ok());
  auto got = store.Get("t1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->tool, "slow-report");
  EXPECT_EQ(got->status, TaskStatus::kWorking);
  EXPECT_FALSE(store.Get("t2").has_value());

  auto again = store.Create(Running("t1", "bob", clock));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store.Get("t1")->owner, "alice");

  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.bytes(), Running("t1", "alice", clock).ApproximateBytes());
  store.Remove("t1");
  store.Remove("t1");  // unknown: nothing happens
  EXPECT_FALSE(store.Get("t1").has_value());
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(InMemoryTaskStoreTest, ResultIsGoneExactlyAtItsExpiry) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  ASSERT_TRUE(store.Create(Running("t1", "alice", clock)).ok());
  auto ended = store.Update("t1", [&](TaskRecord& r) {
    r.status = TaskStatus::kCompleted;
    r.result = BigResult(10);
    r.updated_at = clock.Now();
    r.expires_at = clock.Now() + r.ttl;
    return true;
  });
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->status, TaskStatus::kCompleted);

  clock.Advance(60s - 1ms);
  ASSERT_TRUE(store.Get("t1").has_value());
  EXPECT_TRUE(store.Update("t1", [](TaskRecord&) { return false; }).ok());
  EXPECT_EQ(Ids(*store.List("alice", "", 10)), std::vector<std::string>{"t1"});
  EXPECT_EQ(store.RemoveExpired(), 0u);

  clock.Advance(1ms);
  EXPECT_FALSE(store.Get("t1").has_value());
  auto update = store.Update("t1", [](TaskRecord&) { return true; });
  ASSERT_FALSE(update.ok());
  EXPECT_EQ(update.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store.List("alice", "", 10)->tasks.empty());
  EXPECT_EQ(store.size(), 0u);  // Get dropped it on the way
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(InMemoryTaskStoreTest, EachReaderSeesAnExpiredRecordAsGone) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  ASSERT_TRUE(store.Create(Ended("t1", "alice", clock, 10s)).ok());
  ASSERT_TRUE(store.Create(Ended("t2", "alice", clock, 10s)).ok());
  ASSERT_TRUE(store.Create(Ended("t3", "alice", clock, 10s)).ok());
  clock.Advance(10s);
  EXPECT_EQ(store.size(), 3u);  // not removed yet, but no reader sees them
  EXPECT_EQ(store.Update("t1", [](TaskRecord&) { return true; }).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store.List("alice", "", 10)->tasks.empty());
  EXPECT_FALSE(store.Get("t3").has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST(InMemoryTaskStoreTest, RunningRecordsNeverExpire) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  ASSERT_TRUE(store.Create(Running("run", "alice", clock)).ok());
  TaskRecord waiting = Running("wait", "alice", clock);
  waiting.status = TaskStatus::kInputRequired;
  ASSERT_TRUE(store.Create(waiting).ok());
  clock.Advance(24h * 365);
  EXPECT_EQ(store.RemoveExpired(), 0u);
  EXPECT_TRUE(store.Get("run").has_value());
  EXPECT_TRUE(store.Get("wait").has_value());
}

TEST(InMemoryTaskStoreTest, RemoveExpiredDropsOnlyExpiredRecordsAndTheirBytes) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  ASSERT_TRUE(store.Create(Ended("short1", "alice", clock, 1s, BigResult(5000))).ok());
  ASSERT_TRUE(store.Create(Ended("short2", "bob", clock, 2s, BigResult(5000))).ok());
  TaskRecord kept = Ended("long", "alice", clock, 3s);
  ASSERT_TRUE(store.Create(kept).ok());
  ASSERT_TRUE(store.Create(Running("run", "alice", clock)).ok());
  clock.Advance(2s);
  EXPECT_EQ(store.RemoveExpired(), 2u);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.bytes(), kept.ApproximateBytes() + Running("run", "alice", clock).ApproximateBytes());
  EXPECT_EQ(store.RemoveExpired(), 0u);
}

TEST(InMemoryTaskStoreTest, FullStoreDropsExpiredFirstThenTheEndedThatExpireSoonest) {
  FakeClock clock;
  InMemoryTaskStore store(Limits(3, 100), clock);
  ASSERT_TRUE(store.Create(Ended("late", "alice", clock, 10min)).ok());
  ASSERT_TRUE(store.Create(Ended("soon", "bob", clock, 2min)).ok());
  ASSERT_TRUE(store.Create(Ended("expiring", "alice", clock, 30s)).ok());
  clock.Advance(30s);

  ASSERT_TRUE(store.Create(Running("r1", "alice", clock)).ok());  // "expiring" has expired: it goes
  EXPECT_TRUE(store.Get("late").has_value());
  EXPECT_TRUE(store.Get("soon").has_value());
  EXPECT_EQ(store.size(), 3u);

  ASSERT_TRUE(store.Create(Running("r2", "alice", clock)).ok());  // "soon" expires before "late"
  EXPECT_FALSE(store.Get("soon").has_value());
  EXPECT_TRUE(store.Get("late").has_value());

  ASSERT_TRUE(store.Create(Running("r3", "alice", clock)).ok());
  EXPECT_FALSE(store.Get("late").has_value());

  auto full = store.Create(Running("r4", "alice", clock));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(full.error().message,
            "task limit reached: 3 tasks in total; wait for some to end or cancel them");
  for (const char* id : {"r1", "r2", "r3"}) {
    EXPECT_TRUE(store.Get(id).has_value()) << id;
  }
}

TEST(InMemoryTaskStoreTest, RunningAndInputRequiredAreNeverEvicted) {
  FakeClock clock;
  InMemoryTaskStore store(Limits(2, 100), clock);
  ASSERT_TRUE(store.Create(Running("run", "alice", clock)).ok());
  TaskRecord waiting = Running("wait", "bob", clock);
  waiting.status = TaskStatus::kInputRequired;
  ASSERT_TRUE(store.Create(waiting).ok());
  clock.Advance(24h);
  auto full = store.Create(Running("third", "carol", clock));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(store.Get("run").has_value());
  EXPECT_TRUE(store.Get("wait").has_value());
  EXPECT_FALSE(store.Get("third").has_value());

  // Once one ends, its result makes way for the next task.
  ASSERT_TRUE(store
                  .Update("run",
                          [&](TaskRecord& r) {
                            r.status = TaskStatus::kFailed;
                            r.expires_at = clock.Now() + 1h;
                            return true;
                          })
                  .ok());
  ASSERT_TRUE(store.Create(Running("third", "carol", clock)).ok());
  EXPECT_FALSE(store.Get("run").has_value());
  EXPECT_TRUE(store.Get("wait").has_value());
}

TEST(InMemoryTaskStoreTest, PerOwnerCapEvictsOnlyThatOwnersRecords) {
  FakeClock clock;
  InMemoryTaskStore store(Limits(100, 2), clock);
  ASSERT_TRUE(store.Create(Ended("bob-soonest", "bob", clock, 1min)).ok());
  ASSERT_TRUE(store.Create(Ended("alice-later", "alice", clock, 20min)).ok());
  ASSERT_TRUE(store.Create(Ended("alice-sooner", "alice", clock, 10min)).ok());

  ASSERT_TRUE(store.Create(Running("alice-run1", "alice", clock)).ok());
  EXPECT_TRUE(store.Get("bob-soonest").has_value());  // bob's record is not alice's to evict
  EXPECT_FALSE(store.Get("alice-sooner").has_value());
  EXPECT_TRUE(store.Get("alice-later").has_value());

  ASSERT_TRUE(store.Create(Running("alice-run2", "alice", clock)).ok());
  EXPECT_FALSE(store.Get("alice-later").has_value());

  auto full = store.Create(Running("alice-run3", "alice", clock));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(full.error().message,
            "task limit reached: 2 tasks for principal alice; wait for some to end or cancel them");
  EXPECT_TRUE(store.Get("bob-soonest").has_value());
  EXPECT_TRUE(store.Create(Running("bob-run", "bob", clock)).ok());  // bob still has room
}

TEST(InMemoryTaskStoreTest, MemoryCapEvictsEndedResultsSoonestFirst) {
  FakeClock clock;
  constexpr size_t kResult = 300'000;
  InMemoryTaskStore store(Limits(100, 100, 1'000'000), clock);
  ASSERT_TRUE(store.Create(Ended("a", "alice", clock, 3h, BigResult(kResult))).ok());
  ASSERT_TRUE(store.Create(Ended("b", "bob", clock, 1h, BigResult(kResult))).ok());
  ASSERT_TRUE(store.Create(Ended("c", "alice", clock, 2h, BigResult(kResult))).ok());
  EXPECT_GT(store.bytes(), 3 * kResult);

  ASSERT_TRUE(store.Create(Ended("d", "carol", clock, 4h, BigResult(kResult))).ok());
  EXPECT_FALSE(store.Get("b").has_value());
  EXPECT_TRUE(store.Get("a").has_value());
  EXPECT_TRUE(store.Get("c").has_value());
  EXPECT_LE(store.bytes(), 1'000'000u);

  TaskRecord small = Running("e", "alice", clock);  // fits without evicting anything
  ASSERT_TRUE(store.Create(small).ok());
  EXPECT_EQ(store.size(), 4u);
}

TEST(InMemoryTaskStoreTest, MemoryCapFailsWithoutEvictingWhenRunningTasksFillIt) {
  FakeClock clock;
  InMemoryTaskStore store(Limits(100, 100, 1'000'000), clock);
  TaskRecord big_running = Running("run", "alice", clock);
  big_running.resume = BigResult(600'000);  // a running task's own state counts too
  ASSERT_TRUE(store.Create(big_running).ok());
  ASSERT_TRUE(store.Create(Ended("ended", "bob", clock, 1h, BigResult(300'000))).ok());

  TaskRecord next = Running("next", "carol", clock);
  next.resume = BigResult(500'000);
  auto full = store.Create(next);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(full.error().message, "task limit reached: 1000000 bytes of task memory (this task needs " +
                                      std::to_string(next.ApproximateBytes()) +
                                      "); wait for some to end or cancel them");
  EXPECT_TRUE(store.Get("ended").has_value());  // evicting it would not have been enough

  TaskRecord huge = Running("huge", "carol", clock);
  huge.resume = BigResult(2'000'000);
  EXPECT_EQ(store.Create(huge).error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(store.Get("ended").has_value());
}

TEST(InMemoryTaskStoreTest, UpdateThatGrowsPastTheMemoryCapEvictsOtherEndedResults) {
  FakeClock clock;
  InMemoryTaskStore store(Limits(100, 100, 1'000'000), clock);
  ASSERT_TRUE(store.Create(Ended("old1", "bob", clock, 1h, BigResult(400'000))).ok());
  ASSERT_TRUE(store.Create(Ended("old2", "bob", clock, 2h, BigResult(400'000))).ok());
  ASSERT_TRUE(store.Create(Running("run", "alice", clock)).ok());
  auto done = store.Update("run", [&](TaskRecord& r) {
    r.status = TaskStatus::kCompleted;
    r.expires_at = clock.Now() + 10min;  // expires soonest, yet it is the one being written: it stays
    r.result = BigResult(400'000);
    return true;
  });
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->result, BigResult(400'000));
  EXPECT_FALSE(store.Get("old1").has_value());
  EXPECT_TRUE(store.Get("old2").has_value());
  ASSERT_TRUE(store.Get("run").has_value());
  EXPECT_EQ(store.Get("run")->result, BigResult(400'000));
  EXPECT_LE(store.bytes(), 1'000'000u);
}

TEST(InMemoryTaskStoreTest, UpdateTracksBytes) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  ASSERT_TRUE(store.Create(Running("t1", "alice", clock)).ok());
  size_t before = store.bytes();
  auto updated = store.Update("t1", [](TaskRecord& r) {
    r.result = BigResult(50'000);
    return true;
  });
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(store.bytes(), updated->ApproximateBytes());
  EXPECT_GE(store.bytes(), before + 50'000);
  ASSERT_TRUE(store
                  .Update("t1",
                          [](TaskRecord& r) {
                            r.result = nullptr;
                            return true;
                          })
                  .ok());
  EXPECT_EQ(store.bytes(), before);
}

TEST(InMemoryTaskStoreTest, UpdateReturningFalseLeavesTheRecord) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  ASSERT_TRUE(store.Create(Running("t1", "alice", clock)).ok());
  auto same = store.Update("t1", [](TaskRecord& r) {
    r.status = TaskStatus::kCancelled;
    r.status_message = "changed my mind";
    return false;
  });
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->status, TaskStatus::kWorking);
  EXPECT_EQ(store.Get("t1")->status, TaskStatus::kWorking);
  EXPECT_EQ(store.Get("t1")->status_message, "");
}

TEST(InMemoryTaskStoreTest, UpdateCannotChangeIdOrOwner) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  ASSERT_TRUE(store.Create(Running("t1", "alice", clock)).ok());
  auto steal = store.Update("t1", [](TaskRecord& r) {
    r.owner = "mallory";
    r.status_message = "mine now";
    return true;
  });
  ASSERT_FALSE(steal.ok());
  EXPECT_EQ(steal.error().code, ErrorCode::kInternal);
  auto rename = store.Update("t1", [](TaskRecord& r) {
    r.id = "t2";
    return true;
  });
  ASSERT_FALSE(rename.ok());
  EXPECT_EQ(rename.error().code, ErrorCode::kInternal);

  auto got = store.Get("t1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, "t1");
  EXPECT_EQ(got->owner, "alice");
  EXPECT_EQ(got->status_message, "");
  EXPECT_FALSE(store.Get("t2").has_value());
  EXPECT_TRUE(store.List("mallory", "", 10)->tasks.empty());
  EXPECT_EQ(Ids(*store.List("alice", "", 10)), std::vector<std::string>{"t1"});
}

TEST(InMemoryTaskStoreTest, ConcurrentUpdatesAreAtomic) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  TaskRecord r = Running("counter", "alice", clock);
  r.resume = {{"n", 0}};
  ASSERT_TRUE(store.Create(r).ok());
  constexpr int kThreads = 8;
  constexpr int kIncrements = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, &clock, t] {
      for (int i = 0; i < kIncrements; ++i) {
        auto updated = store.Update("counter", [](TaskRecord& rec) {
          int n = rec.resume["n"].get<int>();
          rec.resume["n"] = n + 1;
          return true;
        });
        ASSERT_TRUE(updated.ok());
        (void)store.Get("counter");
        (void)store.List("alice", "", 5);
        if (i % 50 == 0) {  // creates and removes run alongside
          std::string id = "side-" + std::to_string(t) + "-" + std::to_string(i);
          ASSERT_TRUE(store.Create(Running(id, "bob", clock)).ok());
          store.Remove(id);
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(store.Get("counter")->resume["n"].get<int>(), kThreads * kIncrements);
  EXPECT_EQ(store.size(), 1u);
}

TEST(InMemoryTaskStoreTest, ListPagesOneOwnersRecordsOldestFirst) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  for (int i = 0; i < 5; ++i) {
    // Ids do not sort in creation order; List keeps creation order.
    ASSERT_TRUE(store.Create(Running("a" + std::to_string(9 - i), "alice", clock)).ok());
    ASSERT_TRUE(store.Create(Running("b" + std::to_string(i), "bob", clock)).ok());
    clock.Advance(1s);
  }
  auto p1 = store.List("alice", "", 2);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(Ids(*p1), (std::vector<std::string>{"a9", "a8"}));
  ASSERT_FALSE(p1->next_cursor.empty());
  auto p2 = store.List("alice", p1->next_cursor, 2);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(Ids(*p2), (std::vector<std::string>{"a7", "a6"}));
  auto p3 = store.List("alice", p2->next_cursor, 2);
  ASSERT_TRUE(p3.ok());
  EXPECT_EQ(Ids(*p3), std::vector<std::string>{"a5"});
  EXPECT_TRUE(p3->next_cursor.empty());

  auto bob = store.List("bob", "", 100);
  EXPECT_EQ(Ids(*bob), (std::vector<std::string>{"b0", "b1", "b2", "b3", "b4"}));
  EXPECT_TRUE(bob->next_cursor.empty());
  // A cursor names a position, not an owner: another owner's cursor still shows only their own tasks.
  EXPECT_EQ(Ids(*store.List("bob", p1->next_cursor, 100)),
            (std::vector<std::string>{"b1", "b2", "b3", "b4"}));
  EXPECT_TRUE(store.List("carol", "", 10)->tasks.empty());
}

TEST(InMemoryTaskStoreTest, ListLastFullPageHasNoCursorAndRemovedRecordsDoNotBreakOne) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  for (const char* id : {"t1", "t2", "t3", "t4"}) {
    ASSERT_TRUE(store.Create(Running(id, "alice", clock)).ok());
  }
  auto p1 = store.List("alice", "", 2);
  ASSERT_FALSE(p1->next_cursor.empty());
  store.Remove("t2");  // the record the cursor points after
  auto p2 = store.List("alice", p1->next_cursor, 2);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(Ids(*p2), (std::vector<std::string>{"t3", "t4"}));
  EXPECT_TRUE(p2->next_cursor.empty());

  ASSERT_TRUE(store.Create(Ended("t5", "alice", clock, 1s)).ok());
  auto with_t5 = store.List("alice", p1->next_cursor, 2);
  EXPECT_FALSE(with_t5->next_cursor.empty());
  clock.Advance(1s);  // an expired record neither shows nor makes another page
  auto without = store.List("alice", p1->next_cursor, 2);
  EXPECT_EQ(Ids(*without), (std::vector<std::string>{"t3", "t4"}));
  EXPECT_TRUE(without->next_cursor.empty());
}

TEST(InMemoryTaskStoreTest, ListRejectsCursorsItDidNotIssue) {
  FakeClock clock;
  InMemoryTaskStore store(TaskStoreLimits{}, clock);
  for (const char* id : {"t1", "t2", "t3"}) {
    ASSERT_TRUE(store.Create(Running(id, "alice", clock)).ok());
  }
  ASSERT_FALSE(store.List("alice", "", 1)->next_cursor.empty());
  for (const std::string& bad : {std::string("garbage!"), Base64UrlEncode("hello"), EncodeCursor(1),
                                 Base64UrlEncode("lmcp-task1:"), Base64UrlEncode("lmcp-task1:-1"),
                                 Base64UrlEncode("lmcp-task1:3"), Base64UrlEncode("lmcp-task1:1x")}) {
    auto page = store.List("alice", bad, 10);
    ASSERT_FALSE(page.ok()) << bad;
    EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace lmcp::mcp
