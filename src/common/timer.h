#pragma once
// Timers for asynchronous code: a wait that holds no thread (a retry's back-off on an I/O path). The seam is
// Timer; ClockTimer runs callbacks at their time on the injected Clock, from one thread of its own started
// on first use, so with a FakeClock it fires when the test advances time (the fake is FakeClock itself).
// Thread-safe. Callbacks run without the timer's lock held and must not block; the destructor drops the
// callbacks still pending (their owners must have ended by then).

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <thread>

#include "common/async.h"
#include "common/clock.h"
#include "common/result.h"

namespace lmcp {

class Timer {
 public:
  virtual ~Timer() = default;
  // Calls `fire` once, at or after `when` on the timer's clock.
  virtual void At(Clock::SteadyTime when, std::function<void()> fire) = 0;
};

class ClockTimer final : public Timer {
 public:
  explicit ClockTimer(Clock& clock) : clock_(clock) {}
  ~ClockTimer() override;
  ClockTimer(const ClockTimer&) = delete;
  ClockTimer& operator=(const ClockTimer&) = delete;
  void At(Clock::SteadyTime when, std::function<void()> fire) override;
  Clock& clock() { return clock_; }

 private:
  void Loop(std::stop_token stop);

  Clock& clock_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::multimap<Clock::SteadyTime, std::function<void()>> due_;
  bool changed_ = false;
  std::jthread thread_;  // started by the first At
};

// Resumes the awaiting coroutine after `d` on `clock`, on the timer's thread; at once for d <= 0.
Async<Status> SleepFor(Timer& timer, Clock& clock, Clock::Duration d);

}  // namespace lmcp
