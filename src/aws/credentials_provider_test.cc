#include "aws/credentials_provider.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/aws/test_util.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::aws {
namespace {

using namespace std::chrono_literals;

Credentials Expiring(const std::string& id, Clock::WallTime expires) {
  return Credentials{id, "secret-" + id, "token-" + id, expires};
}

TEST(RefreshingCredentials, RefreshesAheadOfExpiry) {
  FakeClock clock{testing::kAwsTestStart, FakeClock::SleepMode::kAdvance};
  int n = 0;
  RefreshingCredentialsProvider p(
      [&]() -> Result<Credentials> { return Expiring("k" + std::to_string(++n), clock.Now() + 60min); },
      clock, "test");
  EXPECT_EQ(p.GetCredentials()->access_key_id, "k1");
  clock.Advance(44min);  // 16 min left: still fresh
  EXPECT_EQ(p.GetCredentials()->access_key_id, "k1");
  clock.Advance(2min);  // 14 min left: advisory refresh
  EXPECT_EQ(p.GetCredentials()->access_key_id, "k2");
  EXPECT_EQ(p.fetch_count(), 2);
}

TEST(RefreshingCredentials, AdvisoryFailureKeepsOldSetMandatoryFailureIsError) {
  FakeClock clock{testing::kAwsTestStart, FakeClock::SleepMode::kAdvance};
  bool fail = false;
  RefreshingCredentialsProvider p(
      [&]() -> Result<Credentials> {
        if (fail) {
          return Error::Unavailable("sts down");
        }
        return Expiring("k", clock.Now() + 60min);
      },
      clock, "test");
  ASSERT_TRUE(p.GetCredentials().ok());
  fail = true;
  clock.Advance(48min);  // 12 min left
  auto advisory = p.GetCredentials();
  ASSERT_TRUE(advisory.ok());
  EXPECT_EQ(advisory->access_key_id, "k");
  clock.Advance(3min);  // 9 min left
  auto mandatory = p.GetCredentials();
  ASSERT_FALSE(mandatory.ok());
  EXPECT_EQ(mandatory.error().message, "sts down");
}

TEST(RefreshingCredentials, NonExpiringFetchedOnce) {
  FakeClock clock{testing::kAwsTestStart, FakeClock::SleepMode::kAdvance};
  RefreshingCredentialsProvider p([] { return Result<Credentials>(Credentials{"a", "b"}); }, clock, "test");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(p.GetCredentials().ok());
  }
  clock.Advance(1000h);
  ASSERT_TRUE(p.GetCredentials().ok());
  EXPECT_EQ(p.fetch_count(), 1);
}

TEST(RefreshingCredentials, OneRefresherAtATimeOthersUseValidSet) {
  FakeClock clock;
  std::atomic<int> in_fetch{0}, max_in_fetch{0}, fetches{0};
  std::atomic<bool> release{false};
  RefreshingCredentialsProvider p(
      [&]() -> Result<Credentials> {
        int now = ++in_fetch;
        max_in_fetch = std::max(max_in_fetch.load(), now);
        int id = ++fetches;
        if (id > 1) {
          while (!release) {
            std::this_thread::yield();
          }
        }
        --in_fetch;
        return Expiring("k" + std::to_string(id), clock.Now() + 60min);
      },
      clock, "test");
  ASSERT_EQ(p.GetCredentials()->access_key_id, "k1");
  clock.Advance(47min);  // 13 min left: advisory window, old set still usable
  std::vector<std::thread> threads;
  std::atomic<int> saw_old{0};
  threads.emplace_back([&] { EXPECT_EQ(p.GetCredentials()->access_key_id, "k2"); });
  while (in_fetch == 0) {
    std::this_thread::yield();
  }
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto c = p.GetCredentials();
      ASSERT_TRUE(c.ok());
      if (c->access_key_id == "k1") {
        ++saw_old;
      }
    });
  }
  for (std::size_t i = 1; i < threads.size(); ++i) {
    threads[i].join();
  }
  release = true;
  threads[0].join();
  EXPECT_EQ(saw_old, 4);
  EXPECT_EQ(max_in_fetch, 1);
  EXPECT_EQ(fetches, 2);
}

TEST(RefreshingCredentials, WaitersBlockInsideMandatoryWindow) {
  FakeClock clock;
  std::atomic<int> fetches{0};
  std::atomic<bool> release{false};
  RefreshingCredentialsProvider p(
      [&]() -> Result<Credentials> {
        int id = ++fetches;
        if (id > 1) {
          while (!release) {
            std::this_thread::yield();
          }
        }
        return Expiring("k" + std::to_string(id), clock.Now() + 60min);
      },
      clock, "test");
  ASSERT_TRUE(p.GetCredentials().ok());
  clock.Advance(55min);  // 5 min left: nobody may use k1
  std::thread refresher([&] { EXPECT_EQ(p.GetCredentials()->access_key_id, "k2"); });
  while (fetches < 2) {
    std::this_thread::yield();
  }
  std::thread waiter([&] { EXPECT_EQ(p.GetCredentials()->access_key_id, "k2"); });
  std::this_thread::sleep_for(20ms);
  release = true;
  refresher.join();
  waiter.join();
  EXPECT_EQ(fetches, 2);
}

}  // namespace
}  // namespace lmcp::aws
