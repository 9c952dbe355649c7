#include "common/clock.h"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

namespace lmcp {
namespace {

using namespace std::chrono_literals;

void WaitForSleeper(const FakeClock& clock) {
  while (clock.sleepers() == 0) {
    std::this_thread::yield();
  }
}

TEST(FakeClockTest, AdvanceMovesBothClocksAndWakesSleepers) {
  FakeClock clock;
  auto wall0 = clock.Now();
  auto steady0 = clock.Steady();
  std::thread sleeper([&] { clock.SleepFor(5s); });
  WaitForSleeper(clock);
  clock.Advance(5s);
  sleeper.join();
  EXPECT_EQ(clock.Now() - wall0, 5s);
  EXPECT_EQ(clock.Steady() - steady0, 5s);
}

// A waiter on the fake clock: the deadline is reached only by Advance, never by real time passing.
struct Waiting {
  std::mutex mu;
  std::condition_variable_any cv;
  bool flag = false;
  std::optional<bool> returned;

  void Wait(Clock& clock, Clock::SteadyTime deadline, std::stop_token stop = {}) {
    std::unique_lock lock(mu);
    returned = clock.WaitUntil(lock, cv, deadline, stop, [&] { return flag; });
  }
};

TEST(FakeClockTest, WaitUntilEndsWhenAdvancedPastTheDeadline) {
  FakeClock clock;
  Waiting w;
  std::thread t([&] { w.Wait(clock, clock.Steady() + 10s); });
  WaitForSleeper(clock);
  clock.Advance(9s);
  EXPECT_EQ(clock.sleepers(), 1);  // still waiting: 9 s of 10
  clock.Advance(1s);
  t.join();
  EXPECT_EQ(w.returned, false);
  EXPECT_EQ(clock.sleepers(), 0);
}

TEST(FakeClockTest, WaitUntilEndsWhenReadyIsNotified) {
  FakeClock clock;
  Waiting w;
  std::thread t([&] { w.Wait(clock, clock.Steady() + 1h); });
  WaitForSleeper(clock);
  {
    std::lock_guard lock(w.mu);
    w.flag = true;
  }
  w.cv.notify_all();
  t.join();
  EXPECT_EQ(w.returned, true);
}

TEST(FakeClockTest, WaitUntilEndsOnStop) {
  FakeClock clock;
  Waiting w;
  std::stop_source stop;
  std::thread t([&] { w.Wait(clock, clock.Steady() + 1h, stop.get_token()); });
  WaitForSleeper(clock);
  stop.request_stop();
  t.join();
  EXPECT_EQ(w.returned, false);
}

TEST(FakeClockTest, WaitUntilReturnsAtOnceWhenReadyOrPastTheDeadline) {
  FakeClock clock;
  Waiting w;
  w.Wait(clock, clock.Steady() - 1s);
  EXPECT_EQ(w.returned, false);
  w.flag = true;
  w.Wait(clock, clock.Steady() + 1h);
  EXPECT_EQ(w.returned, true);
}

TEST(SystemClockTest, WaitUntilEndsAtTheDeadline) {
  SystemClock clock;
  Waiting w;
  w.Wait(clock, clock.Steady() + 1ms);
  EXPECT_EQ(w.returned, false);
}

}  // namespace
}  // namespace lmcp
