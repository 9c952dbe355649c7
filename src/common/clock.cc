#include "common/clock.h"

#include <thread>

namespace lmcp {

Clock& Clock::System() {
  static SystemClock clock;
  return clock;
}

void SystemClock::SleepFor(Duration d) {
  if (d > Duration::zero()) std::this_thread::sleep_for(d);
}

FakeClock::FakeClock(WallTime start) : start_(start) {}

Clock::WallTime FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed_);
}

Clock::SteadyTime FakeClock::Steady() const {
  std::lock_guard lock(mu_);
  return SteadyTime(std::chrono::duration_cast<std::chrono::steady_clock::duration>(elapsed_));
}

void FakeClock::SleepFor(Duration d) {
  std::unique_lock lock(mu_);
  if (d <= Duration::zero()) return;
  const Duration deadline = elapsed_ + d;
  ++sleepers_;
  cv_.notify_all();
  cv_.wait(lock, [&] { return elapsed_ >= deadline; });
  --sleepers_;
}

void FakeClock::Advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    elapsed_ += d;
  }
  cv_.notify_all();
}

int FakeClock::sleepers() const {
  std::lock_guard lock(mu_);
  return sleepers_;
}

}  // namespace lmcp
