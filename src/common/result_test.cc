#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>

#include "common/clock.h"

namespace lmcp {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Error::InvalidArgument("odd");
  return x / 2;
}

TEST(ResultTest, HoldsValueOrError) {
  auto r = Half(4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
  auto e = Half(3);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.error().ToString(), "InvalidArgument: odd");
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, StatusOkAndError) {
  Status ok = Ok();
  EXPECT_TRUE(ok.ok());
  Status bad = Error::Timeout("slow");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kTimeout);
}

TEST(FakeClockTest, AdvanceMovesBothClocksAndWakesSleepers) {
  FakeClock clock;
  auto wall0 = clock.Now();
  auto steady0 = clock.Steady();
  std::thread sleeper([&] { clock.SleepFor(std::chrono::seconds(5)); });
  while (clock.sleepers() == 0) std::this_thread::yield();
  clock.Advance(std::chrono::seconds(5));
  sleeper.join();
  EXPECT_EQ(clock.Now() - wall0, std::chrono::seconds(5));
  EXPECT_EQ(clock.Steady() - steady0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace lmcp
