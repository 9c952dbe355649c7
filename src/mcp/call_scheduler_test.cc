#include "mcp/call_scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/support/common/fake_clock.h"

namespace lmcp::mcp {
namespace {

using namespace std::chrono_literals;

// Records the order jobs run in; a job named in `hold` blocks until Release(name).
class Recorder {
 public:
  CallScheduler::Job Job(const std::string& name) {
    return {.run = [this, name] { Run(name); },
            .expired =
                [this, name] {
                  std::lock_guard lock(mu_);
                  expired_.push_back(name);
                }};
  }
  void Hold(const std::string& name) {
    std::lock_guard lock(mu_);
    hold_.insert(name);
  }
  void Release(const std::string& name) {
    std::lock_guard lock(mu_);
    hold_.erase(name);
    cv_.notify_all();
  }
  bool WaitRan(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 20s, [&] { return ran_.size() >= n; });
  }
  std::vector<std::string> ran() {
    std::lock_guard lock(mu_);
    return ran_;
  }
  std::vector<std::string> expired() {
    std::lock_guard lock(mu_);
    return expired_;
  }

 private:
  void Run(const std::string& name) {
    std::unique_lock lock(mu_);
    ran_.push_back(name);
    cv_.notify_all();
    cv_.wait(lock, [&] { return hold_.count(name) == 0; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> hold_;
  std::vector<std::string> ran_;
  std::vector<std::string> expired_;
};

SchedulerLimits OneWorker() {
  SchedulerLimits limits;
  limits.worker_threads = 1;
  return limits;
}

TEST(CallSchedulerTest, FreeWorkerServesPrincipalsRoundRobin) {
  FakeClock clock;
  Recorder r;
  CallScheduler scheduler(OneWorker(), clock);
  r.Hold("a0");
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("a0")).ok());
  ASSERT_TRUE(r.WaitRan(1));  // the only worker is busy from now on
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("a" + std::to_string(i))).ok());
  }
  ASSERT_TRUE(scheduler.Submit(2, "bob", r.Job("b1")).ok());
  ASSERT_TRUE(scheduler.Submit(3, "carol", r.Job("c1")).ok());
  r.Release("a0");
  ASSERT_TRUE(r.WaitRan(8));
  // FIFO would run b1 after alice's five; round-robin runs it after at most one of them.
  EXPECT_EQ(r.ran(), (std::vector<std::string>{"a0", "a1", "b1", "c1", "a2", "a3", "a4", "a5"}));
}

TEST(CallSchedulerTest, WithinAPrincipalSessionsTakeTurns) {
  FakeClock clock;
  Recorder r;
  CallScheduler scheduler(OneWorker(), clock);
  r.Hold("x");
  ASSERT_TRUE(scheduler.Submit(9, "other", r.Job("x")).ok());
  ASSERT_TRUE(r.WaitRan(1));
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("s1-" + std::to_string(i))).ok());
  }
  ASSERT_TRUE(scheduler.Submit(2, "alice", r.Job("s2-1")).ok());
  r.Release("x");
  ASSERT_TRUE(r.WaitRan(5));
  EXPECT_EQ(r.ran(), (std::vector<std::string>{"x", "s1-1", "s2-1", "s1-2", "s1-3"}));
}

TEST(CallSchedulerTest, QueueCapsAreReportedByName) {
  FakeClock clock;
  Recorder r;
  SchedulerLimits limits = OneWorker();
  limits.session_queued = 2;
  limits.principal_queued = 3;
  limits.max_queued = 4;
  CallScheduler scheduler(limits, clock);
  r.Hold("run");
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("run")).ok());
  ASSERT_TRUE(r.WaitRan(1));
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("q1")).ok());
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("q2")).ok());
  auto over_session = scheduler.Submit(1, "alice", r.Job("q3"));
  ASSERT_FALSE(over_session.ok());
  EXPECT_EQ(over_session.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(over_session.error().message.find("per-session queue limit"), std::string::npos);
  // Another session of the same principal: one more fits, then the principal's cap.
  ASSERT_TRUE(scheduler.Submit(2, "alice", r.Job("q4")).ok());
  auto over_principal = scheduler.Submit(2, "alice", r.Job("q5"));
  ASSERT_FALSE(over_principal.ok());
  EXPECT_NE(over_principal.error().message.find("per-principal queue limit"), std::string::npos);
  // Another principal: the server-wide cap is next.
  ASSERT_TRUE(scheduler.Submit(3, "bob", r.Job("b1")).ok());
  auto over_server = scheduler.Submit(3, "bob", r.Job("b2"));
  ASSERT_FALSE(over_server.ok());
  EXPECT_NE(over_server.error().message.find("server queue limit"), std::string::npos);
  r.Release("run");
  ASSERT_TRUE(r.WaitRan(5));
}

TEST(CallSchedulerTest, RunningCapsLeaveWorkersForOthers) {
  FakeClock clock;
  Recorder r;
  SchedulerLimits limits;
  limits.worker_threads = 4;
  limits.session_running = 1;
  limits.principal_running = 2;
  CallScheduler scheduler(limits, clock);
  for (const char* name : {"s1-a", "s1-b", "s2-a", "s3-a", "bob"}) {
    r.Hold(name);
  }
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("s1-a")).ok());
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("s1-b")).ok());  // session cap: waits
  ASSERT_TRUE(scheduler.Submit(2, "alice", r.Job("s2-a")).ok());
  ASSERT_TRUE(scheduler.Submit(3, "alice", r.Job("s3-a")).ok());  // principal cap: waits
  ASSERT_TRUE(scheduler.Submit(4, "bob", r.Job("bob")).ok());
  ASSERT_TRUE(r.WaitRan(3));
  auto ran = r.ran();
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()), (std::set<std::string>{"s1-a", "s2-a", "bob"}));
  EXPECT_EQ(scheduler.queued(), 2u);
  r.Release("s1-a");  // frees alice's slot; s1-b (session 1's turn came first) or s3-a runs
  ASSERT_TRUE(r.WaitRan(4));
  EXPECT_EQ(scheduler.running(), 3u);
  for (const char* name : {"s1-b", "s2-a", "s3-a", "bob"}) {
    r.Release(name);
  }
  ASSERT_TRUE(r.WaitRan(5));
}

TEST(CallSchedulerTest, QueuedJobExpiresAfterTheWaitTimeoutAndNeverRuns) {
  FakeClock clock;
  Recorder r;
  SchedulerLimits limits = OneWorker();
  limits.queue_timeout = 30s;
  CallScheduler scheduler(limits, clock);
  r.Hold("busy");
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("busy")).ok());
  ASSERT_TRUE(r.WaitRan(1));
  ASSERT_TRUE(scheduler.Submit(2, "bob", r.Job("waiting")).ok());
  clock.Advance(29s);
  EXPECT_EQ(scheduler.ExpireWaiting(), 0u);
  ASSERT_TRUE(scheduler.Submit(2, "bob", r.Job("later")).ok());
  clock.Advance(2s);
  EXPECT_EQ(scheduler.ExpireWaiting(), 1u);
  EXPECT_EQ(r.expired(), (std::vector<std::string>{"waiting"}));
  EXPECT_EQ(scheduler.queued(), 1u);
  r.Release("busy");
  ASSERT_TRUE(r.WaitRan(2));
  EXPECT_EQ(r.ran(), (std::vector<std::string>{"busy", "later"}));
}

TEST(CallSchedulerTest, WithdrawnJobNeitherRunsNorExpires) {
  FakeClock clock;
  Recorder r;
  SchedulerLimits limits = OneWorker();
  limits.queue_timeout = 1s;
  CallScheduler scheduler(limits, clock);
  r.Hold("busy");
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("busy")).ok());
  ASSERT_TRUE(r.WaitRan(1));
  auto id = scheduler.Submit(1, "alice", r.Job("gone"));
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(scheduler.Withdraw(*id));
  EXPECT_FALSE(scheduler.Withdraw(*id));
  clock.Advance(2s);
  EXPECT_EQ(scheduler.ExpireWaiting(), 0u);
  ASSERT_TRUE(scheduler.Submit(1, "alice", r.Job("next")).ok());
  r.Release("busy");
  ASSERT_TRUE(r.WaitRan(2));
  EXPECT_EQ(r.ran(), (std::vector<std::string>{"busy", "next"}));
  EXPECT_TRUE(r.expired().empty());
}

}  // namespace
}  // namespace lmcp::mcp

namespace lmcp::mcp {
namespace {

// Asynchronous jobs: started on a worker, which is free again at once; each keeps its running slot until it
// calls `finished`.
class AsyncJobs {
 public:
  CallScheduler::Job Job(int n) {
    return {.expired = [] {},
            .start =
                [this, n](CallScheduler::Finished finished) {
                  std::lock_guard lock(mu_);
                  pending_[n] = std::move(finished);
                  cv_.notify_all();
                }};
  }
  bool WaitStarted(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 20s, [&] { return pending_.size() >= n; });
  }
  std::optional<int> WaitAny() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, 20s, [&] { return !pending_.empty(); })) {
      return std::nullopt;
    }
    return pending_.begin()->first;
  }
  bool Has(int n) {
    std::lock_guard lock(mu_);
    return pending_.count(n) > 0;
  }

  void Finish(int n) {
    CallScheduler::Finished finished;
    {
      std::lock_guard lock(mu_);
      finished = std::move(pending_.at(n));
      pending_.erase(n);
    }
    finished();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, CallScheduler::Finished> pending_;
};

TEST(CallSchedulerAsyncTest, OneThreadStartsManyJobsThatHoldTheirSlotsUntilTheyFinish) {
  FakeClock clock;
  CallScheduler scheduler({.worker_threads = 1,
                           .max_queued = 1000,
                           .session_running = 1000,
                           .session_queued = 1000,
                           .principal_running = 1000,
                           .principal_queued = 1000,
                           .queue_timeout = 0ms},
                          clock);
  AsyncJobs jobs;
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(scheduler.Submit(1, "p", jobs.Job(i)).ok());
  }
  ASSERT_TRUE(jobs.WaitStarted(500));  // one worker started them all: none holds it
  EXPECT_EQ(scheduler.running(), 500u);
  EXPECT_EQ(scheduler.queued(), 0u);
  for (int i = 0; i < 500; ++i) {
    jobs.Finish(i);
  }
  EXPECT_EQ(scheduler.running(), 0u);
}

TEST(CallSchedulerAsyncTest, RunningCapsCountJobsInFlightNotThreads) {
  FakeClock clock;
  CallScheduler scheduler({.worker_threads = 4,
                           .max_running = 3,
                           .max_queued = 100,
                           .session_running = 2,
                           .session_queued = 100,
                           .principal_running = 100,
                           .principal_queued = 100,
                           .queue_timeout = 0ms},
                          clock);
  AsyncJobs jobs;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(scheduler.Submit(1, "p", jobs.Job(i)).ok());  // session 1: two run, one waits
  }
  for (int i = 3; i < 5; ++i) {
    ASSERT_TRUE(scheduler.Submit(2, "p", jobs.Job(i)).ok());  // session 2: one fits under max_running
  }
  ASSERT_TRUE(jobs.WaitStarted(3));
  EXPECT_EQ(scheduler.running(), 3u);  // the total cap, with threads to spare
  EXPECT_EQ(scheduler.queued(), 2u);
  EXPECT_LE(jobs.Has(0) + jobs.Has(1) + jobs.Has(2), 2);  // session 1's own cap
  for (int ended = 0; ended < 5; ++ended) {
    std::optional<int> next = jobs.WaitAny();
    ASSERT_TRUE(next.has_value());
    EXPECT_LE(scheduler.running(), 3u);
    jobs.Finish(*next);  // frees its slot: a waiting job starts
  }
  EXPECT_EQ(scheduler.running(), 0u);
  EXPECT_EQ(scheduler.queued(), 0u);
}

}  // namespace
}  // namespace lmcp::mcp
