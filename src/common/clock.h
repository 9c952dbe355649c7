#pragma once
// Time as an injected dependency. Backoff, credential refresh, session expiry, SigV4 dates and caches read a
// Clock&; tests use FakeClock and Advance() instead of sleeping. SystemClock is safe from any thread;
// FakeClock is too (its time is guarded by a mutex and sleepers wake when time is advanced).

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace lmcp {

class Clock {
 public:
  using Duration = std::chrono::nanoseconds;
  using SteadyTime = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;          // wall clock, for signatures and expiry timestamps
  virtual SteadyTime Steady() const = 0;     // monotonic, for timeouts and intervals
  virtual void SleepFor(Duration d) = 0;     // real sleep, or waits until a FakeClock is advanced

  static Clock& System();                    // process-wide SystemClock
};

class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  SteadyTime Steady() const override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration d) override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = WallTime(std::chrono::seconds(1'700'000'000)));
  WallTime Now() const override;
  SteadyTime Steady() const override;
  // Blocks until another thread advances time past the deadline. Returns at once for d <= 0.
  void SleepFor(Duration d) override;
  void Advance(Duration d);
  int sleepers() const;  // threads blocked in SleepFor, so a test can wait for one before advancing

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Duration elapsed_{0};
  WallTime start_;
  int sleepers_ = 0;
};

}  // namespace lmcp
