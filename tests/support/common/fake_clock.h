#pragma once
// FakeClock: the one fake Clock for tests. Time moves only when the test (or, in kAdvance mode, a sleep)
// moves it. Two ways to sleep:
//   kWaitForAdvance (default)  SleepFor and WaitUntil block until another thread advances time past their
//                              deadline: for code that waits on a background thread.
//   kAdvance                   SleepFor and WaitUntil never block; time jumps to their deadline: for retry
//   and
//                              back-off loops run on the test's own thread.
// Either way every SleepFor duration is recorded (sleeps()). Thread-safe.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <vector>

#include "common/clock.h"

namespace lmcp {

class FakeClock final : public Clock {
 public:
  enum class SleepMode { kWaitForAdvance, kAdvance };

  explicit FakeClock(WallTime start = WallTime(std::chrono::seconds(1'700'000'000)),
                     SleepMode mode = SleepMode::kWaitForAdvance);
  WallTime Now() const override;
  SteadyTime Steady() const override;
  // kWaitForAdvance: blocks until another thread advances time past the deadline; kAdvance: advances time by
  // `d`. Returns at once for d <= 0. Records `d` either way.
  void SleepFor(Duration d) override;
  // kWaitForAdvance: wakes when `cv` is notified, on stop, or when Advance() reaches the deadline.
  // kAdvance: unless ready() or stop, time jumps to the deadline; never blocks.
  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv, SteadyTime deadline,
                 std::stop_token stop, const std::function<bool()>& ready) override;
  // Moves time on (backwards too, for a test that sets a date) and wakes every sleeper and waiter. Never
  // call it while holding a mutex a waiter uses.
  void Advance(Duration d);
  int sleepers()
      const;  // threads blocked in SleepFor or WaitUntil, so a test can wait for one before advancing
  std::vector<std::chrono::milliseconds> sleeps() const;  // every SleepFor with d > 0, in order

 private:
  struct Waiter {
    std::condition_variable_any* cv;
    std::mutex* mutex;
  };
  bool WaitBlocking(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv, SteadyTime deadline,
                    std::stop_token stop, const std::function<bool()>& ready);

  const SleepMode mode_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Duration elapsed_{0};
  WallTime start_;
  int sleepers_ = 0;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::mutex waiters_mu_;  // taken only while no waiter's own mutex is held by this thread's caller
  std::vector<Waiter*> waiters_;
};

}  // namespace lmcp
