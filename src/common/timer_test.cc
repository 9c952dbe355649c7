#include "common/timer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "tests/support/common/fake_clock.h"

namespace lmcp {
namespace {

using namespace std::chrono_literals;

TEST(ClockTimerTest, FiresInDeadlineOrderWhenTheClockReachesThem) {
  FakeClock clock;
  ClockTimer timer(clock);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> fired;
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard lock(mu);
      fired.push_back(n);
      cv.notify_all();
    };
  };
  timer.At(clock.Steady() + 2s, record(2));
  timer.At(clock.Steady() + 1s, record(1));
  timer.At(clock.Steady() + 5s, record(5));
  auto wait_for = [&](size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 20s, [&] { return fired.size() >= n; });  // bounds a hang only
  };
  clock.Advance(2s);
  ASSERT_TRUE(wait_for(2));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(fired, (std::vector<int>{1, 2}));
  }
  clock.Advance(3s);
  ASSERT_TRUE(wait_for(3));
  std::lock_guard lock(mu);
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 5}));
}

TEST(ClockTimerTest, SleepForResumesOnTheTimerWithoutBlockingTheCaller) {
  FakeClock clock;
  ClockTimer timer(clock);
  std::promise<Status> slept;
  std::future<Status> result = slept.get_future();
  Start(SleepFor(timer, clock, 3s), [&](Status s) { slept.set_value(std::move(s)); });
  EXPECT_EQ(result.wait_for(0s), std::future_status::timeout);  // Start returned: nothing waits here
  clock.Advance(3s);
  EXPECT_TRUE(BlockOn(SleepFor(timer, clock, 0s)).ok());       // no wait at all
  ASSERT_EQ(result.wait_for(20s), std::future_status::ready);  // the timer's thread resumed it
  EXPECT_TRUE(result.get().ok());
}

}  // namespace
}  // namespace lmcp
