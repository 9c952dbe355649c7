#include "common/clock.h"

#include <algorithm>
#include <thread>

namespace lmcp {

Clock& Clock::System() {
  static SystemClock clock;
  return clock;
}

void SystemClock::SleepFor(Duration d) {
  if (d > Duration::zero()) std::this_thread::sleep_for(d);
}

bool SystemClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv,
                            SteadyTime deadline, std::stop_token stop, const std::function<bool()>& ready) {
  return cv.wait_until(lock, stop, deadline, ready);
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

// A waiter registers itself with its own mutex released, so the only lock order is waiters_mu_ → a
// waiter's mutex (in Advance). Advance notifies while holding that mutex: a waiter is then either before its
// check of the time (and sees the new one) or already waiting (and is woken), so no wake-up is lost.
bool FakeClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv,
                          SteadyTime deadline, std::stop_token stop, const std::function<bool()>& ready) {
  if (ready()) {
    return true;
  }
  Waiter self{&cv, lock.mutex()};
  lock.unlock();
  {
    std::lock_guard guard(waiters_mu_);
    waiters_.push_back(&self);
  }
  {
    std::lock_guard guard(mu_);
    ++sleepers_;
  }
  cv_.notify_all();
  lock.lock();
  cv.wait(lock, stop, [&] { return ready() || Steady() >= deadline; });
  lock.unlock();
  {
    std::lock_guard guard(waiters_mu_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &self));
  }
  {
    std::lock_guard guard(mu_);
    --sleepers_;
  }
  lock.lock();
  return ready();
}

void FakeClock::Advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    elapsed_ += d;
  }
  cv_.notify_all();
  std::lock_guard guard(waiters_mu_);
  for (Waiter* w : waiters_) {
    std::lock_guard waiter_lock(*w->mutex);
    w->cv->notify_all();
  }
}

int FakeClock::sleepers() const {
  std::lock_guard lock(mu_);
  return sleepers_;
}

}  // namespace lmcp
