#include "common/clock.h"

#include <thread>

namespace lmcp {

Clock& Clock::System() {
  static SystemClock clock;
  return clock;
}

void SystemClock::SleepFor(Duration d) {
  if (d > Duration::zero()) {
    std::this_thread::sleep_for(d);
  }
}

bool SystemClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable_any& cv,
                            SteadyTime deadline, std::stop_token stop, const std::function<bool()>& ready) {
  return cv.wait_until(lock, stop, deadline, ready);
}

}  // namespace lmcp
