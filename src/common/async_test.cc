#include "common/async.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace lmcp {
namespace {

Async<int> Value(int v) { co_return v; }

Async<int> Sum(int a, int b) {
  int x = co_await Value(a);
  int y = co_await Value(b);
  co_return x + y;
}

Async<Result<std::string>> Greeting(bool ok) {
  if (!ok) {
    co_return Error::NotFound("nobody");
  }
  co_return std::string("hello");
}

TEST(AsyncTest, AwaitsNestedCoroutinesAndReturnsValues) {
  EXPECT_EQ(BlockOn(Sum(2, 3)), 5);
  EXPECT_EQ(*BlockOn(Greeting(true)), "hello");
  EXPECT_EQ(BlockOn(Greeting(false)).error().code, ErrorCode::kNotFound);
}

TEST(AsyncTest, IsLazyAndFreesAnUnstartedFrame) {
  struct Flag {
    bool* destroyed;
    ~Flag() { *destroyed = true; }
  };
  bool ran = false;
  bool destroyed = false;
  auto body = [](bool& r, Flag) -> Async<int> {
    r = true;
    co_return 1;
  };
  {
    Async<int> a = body(ran, Flag{&destroyed});
    EXPECT_FALSE(ran);
  }
  EXPECT_FALSE(ran);
  EXPECT_TRUE(destroyed);
}

Async<int> Count(int n) {
  int total = 0;
  for (int i = 0; i < n; ++i) {
    total += co_await Value(1);
  }
  co_return total;
}

// TSan keeps its own shadow call stack (at most 65,536 frames), and its instrumentation does not see the
// symmetric transfer of an await that completes at once as a return: the shadow stack overflows where the
// real one does not grow. Under TSan the loop is shorter; the other builds check the million.
#if defined(__SANITIZE_THREAD__)
constexpr int kAwaits = 10'000;
#else
constexpr int kAwaits = 1'000'000;
#endif

TEST(AsyncTest, AMillionAwaitsInALoopDoNotGrowTheStack) { EXPECT_EQ(BlockOn(Count(kAwaits)), kAwaits); }

Async<int> Deep(int depth) {
  if (depth == 0) {
    co_return 0;
  }
  co_return 1 + co_await Deep(depth - 1);
}

TEST(AsyncTest, DeepNestingEndsBySymmetricTransfer) { EXPECT_EQ(BlockOn(Deep(10'000)), 10'000); }

Async<int> Throws() {
  throw std::runtime_error("boom");
  co_return 0;
}

Async<int> CatchesBelow() {
  try {
    co_return co_await Throws();
  } catch (const std::runtime_error&) {
    co_return -1;
  }
}

TEST(AsyncTest, AnEscapingExceptionReachesTheAwaiterAndBlockOn) {
  EXPECT_EQ(BlockOn(CatchesBelow()), -1);
  EXPECT_THROW(BlockOn(Throws()), std::runtime_error);
}

TEST(AsyncTest, WhenCalledResumedInsideTheStarterDoesNotSuspend) {
  auto task = []() -> Async<int> {
    int v = co_await WhenCalledWith<int>([](Resume<int> resume) { resume(7); });
    co_return v + 1;
  };
  std::thread::id ran_on;
  Start(task(), [&](int v) {
    EXPECT_EQ(v, 8);
    ran_on = std::this_thread::get_id();
  });
  EXPECT_EQ(ran_on, std::this_thread::get_id());  // done before Start returned
}

TEST(AsyncTest, WhenCalledResumesOnTheThreadThatCallsResume) {
  std::optional<Resume<int>> pending;
  auto task = [&]() -> Async<int> {
    co_return co_await WhenCalledWith<int>([&](Resume<int> resume) { pending = resume; });
  };
  std::atomic<int> got{0};
  std::thread::id done_on;
  Start(task(), [&](int v) {
    done_on = std::this_thread::get_id();
    got = v;
  });
  EXPECT_EQ(got.load(), 0);  // suspended: nothing waits on a thread
  ASSERT_TRUE(pending.has_value());
  std::thread other([&] { (*pending)(42); });
  const std::thread::id other_id = other.get_id();
  other.join();
  EXPECT_EQ(got.load(), 42);
  EXPECT_EQ(done_on, other_id);
}

Async<int> ResumedByAThread(std::vector<std::thread>& threads, int i) {
  co_return co_await WhenCalledWith<int>(
      [&threads, i](Resume<int> resume) { threads.emplace_back([resume, i] { resume(i); }); });
}

// The callback runs on another thread while the starter may still be running: every interleaving must
// resume exactly once (run under TSan).
TEST(AsyncTest, WhenCalledRacesWithTheStarterReturning) {
  constexpr int kRounds = 2000;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  threads.reserve(kRounds);
  for (int i = 0; i < kRounds; ++i) {
    Start(ResumedByAThread(threads, i), [&done, i](int v) {
      EXPECT_EQ(v, i);
      done.fetch_add(1);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(done.load(), kRounds);
}

TEST(AsyncTest, BlockOnWaitsForACompletionFromAnotherThread) {
  auto task = []() -> Async<Result<int>> {
    Result<int> r = co_await WhenCalledWith<Result<int>>(
        [](Resume<Result<int>> resume) { std::thread([resume] { resume(5); }).detach(); });
    co_return r;
  };
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(*BlockOn(task()), 5);
  }
}

TEST(AsyncTest, ReadyWrapsAValue) { EXPECT_EQ(BlockOn(Ready(std::string("x"))), "x"); }

TEST(AsyncTest, ThreadExecutorRunsPostedWorkAndDrainsOnDestruction) {
  std::atomic<int> ran{0};
  {
    ThreadExecutor executor(2);
    for (int i = 0; i < 100; ++i) {
      executor.Post([&] { ran.fetch_add(1); });
    }
  }
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace lmcp
