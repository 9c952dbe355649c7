#include "tests/support/common/fake_clock.h"

#include <algorithm>

namespace lmcp {

FakeClock::FakeClock(WallTime start, SleepMode mode) : mode_(mode), start_(start) {}

Clock::WallTime FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed_);
}

Clock::SteadyTime FakeClock::Steady() const {
  std::lock_guard lock(mu_);
  return SteadyTime(std::chrono::duration_cast<std::chrono::steady_clock::duration>(elapsed_));
}

void FakeClock::SleepFor(Duration d) {
  if (d <= Duration::zero()) {
    return;
  }
  {
    std::lock_guard lock(mu_);
    sleeps_.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(d));
  }
  if (mode_ == SleepMode::kAdvance) {
    Advance(d);
    return;
  }
  std::unique_lock lock(mu_);
  const Duration deadline = elapsed_ + d;
  ++sleepers_;
  cv_.notify_all();
  cv_.wait(lock, [&] { return elapsed_ >= deadline; });
  --sleepers_;
}

bool FakeClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv,
                          SteadyTime deadline, std::stop_token stop, const std::function<bool()>& ready) {
  if (ready()) {
    return true;
  }
  if (mode_ == SleepMode::kWaitForAdvance) {
    return WaitBlocking(lock, cv, deadline, std::move(stop), ready);
  }
  if (!stop.stop_requested()) {
    // Only the time moves: the caller holds `lock`, which a waiter's wake-up in Advance() would take.
    std::lock_guard guard(mu_);
    elapsed_ = std::max(elapsed_, std::chrono::duration_cast<Duration>(deadline.time_since_epoch()));
  }
  return ready();
}

// A waiter registers itself with its own mutex released, so the only lock order is waiters_mu_ → a
// waiter's mutex (in Advance). Advance notifies while holding that mutex: a waiter is then either before its
// check of the time (and sees the new one) or already waiting (and is woken), so no wake-up is lost.
bool FakeClock::WaitBlocking(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv,
                             SteadyTime deadline, std::stop_token stop, const std::function<bool()>& ready) {
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

std::vector<std::chrono::milliseconds> FakeClock::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

}  // namespace lmcp
