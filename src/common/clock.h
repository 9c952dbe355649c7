#pragma once
// Time as an injected dependency. Backoff, credential refresh, session expiry, SigV4 dates, caches and
// background schedules read a Clock&; tests use FakeClock (tests/support/common/fake_clock.h) and Advance()
// instead of sleeping. SystemClock is safe from any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>

namespace lmcp {

class Clock {
 public:
  using Duration = std::chrono::nanoseconds;
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;       // wall clock, for signatures and expiry timestamps
  virtual SteadyTime Steady() const = 0;  // monotonic, for timeouts and intervals
  virtual void SleepFor(Duration d) = 0;  // real sleep, or waits until a FakeClock is advanced
  // Waits on `cv` until `ready()` holds, `deadline` passes on this clock, or `stop` is requested, and returns
  // ready(), like condition_variable_any::wait_until with a stop token. `lock` is held on entry and on
  // return; it may be released meanwhile (as any condition wait does), so the caller re-checks its state.
  virtual bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv,
                         SteadyTime deadline, std::stop_token stop, const std::function<bool()>& ready) = 0;

  static Clock& System();  // process-wide SystemClock
};

class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  SteadyTime Steady() const override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration d) override;
  bool WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv, SteadyTime deadline,
                 std::stop_token stop, const std::function<bool()>& ready) override;
};

}  // namespace lmcp
