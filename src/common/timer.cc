#include "common/timer.h"

#include <utility>
#include <vector>

namespace lmcp {

ClockTimer::~ClockTimer() {
  if (thread_.joinable()) {
    thread_.request_stop();
    cv_.notify_all();
    thread_.join();
  }
}

void ClockTimer::At(Clock::SteadyTime when, std::function<void()> fire) {
  {
    std::lock_guard lock(mu_);
    const bool earliest = due_.empty() || when < due_.begin()->first;
    due_.emplace(when, std::move(fire));
    changed_ = changed_ || earliest;
    if (!thread_.joinable()) {
      thread_ = std::jthread([this](std::stop_token stop) { Loop(std::move(stop)); });
    }
  }
  cv_.notify_all();
}

void ClockTimer::Loop(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    const Clock::SteadyTime wake =
        due_.empty() ? clock_.Steady() + std::chrono::hours(24) : due_.begin()->first;
    changed_ = false;
    clock_.WaitUntil(lock, cv_, wake, stop, [&] { return changed_; });
    if (stop.stop_requested()) {
      return;
    }
    const Clock::SteadyTime now = clock_.Steady();
    std::vector<std::function<void()>> fire;
    while (!due_.empty() && due_.begin()->first <= now) {
      fire.push_back(std::move(due_.begin()->second));
      due_.erase(due_.begin());
    }
    if (fire.empty()) {
      continue;
    }
    lock.unlock();
    for (auto& f : fire) {
      f();
    }
    fire.clear();
    lock.lock();
  }
}

Async<Status> SleepFor(Timer& timer, Clock& clock, Clock::Duration d) {
  if (d.count() <= 0) {
    co_return Ok();
  }
  const Clock::SteadyTime when = clock.Steady() + d;
  co_return co_await WhenCalledWith<Status>(
      [&timer, when](Resume<Status> resume) { timer.At(when, [resume] { resume(Ok()); }); });
}

}  // namespace lmcp
