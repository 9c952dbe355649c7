#include "transport/session_registry.h"

#include <gtest/gtest.h>

#include "tests/support/common/fake_clock.h"

namespace lmcp::transport {
namespace {

using namespace std::chrono_literals;

class SessionRegistryTest : public ::testing::Test {
 protected:
  std::shared_ptr<HttpSession> New(const std::string& id, const std::string& principal) {
    return std::make_shared<HttpSession>(id, principal, clock_);
  }
  FakeClock clock_;
};

TEST_F(SessionRegistryTest, FullRegistryEvictsTheLeastRecentlyActiveIdleSession) {
  SessionRegistry registry({.max_sessions = 2, .max_per_principal = 10}, clock_);
  auto a = New("a", "p");
  auto b = New("b", "q");
  a->Touch();
  b->Touch();
  ASSERT_TRUE(registry.Add(a).ok());
  clock_.Advance(1s);
  ASSERT_TRUE(registry.Add(b).ok());
  clock_.Advance(1s);
  b->Touch();  // b is now the more recent
  auto added = registry.Add(New("c", "r"));
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->size(), 1u);
  EXPECT_EQ((*added)[0]->id(), "a");
  EXPECT_EQ(registry.Find("a"), nullptr);
  EXPECT_NE(registry.Find("b"), nullptr);
  EXPECT_EQ(registry.size(), 2u);
}

TEST_F(SessionRegistryTest, UnconfirmedSessionsAreEvictedFirst) {
  SessionRegistry registry({.max_sessions = 2, .max_per_principal = 10}, clock_);
  auto old_confirmed = New("old", "p");
  old_confirmed->Touch();
  ASSERT_TRUE(registry.Add(old_confirmed).ok());
  clock_.Advance(10s);
  ASSERT_TRUE(registry.Add(New("flood", "x")).ok());  // never sends a second message
  auto added = registry.Add(New("new", "p"));
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->size(), 1u);
  EXPECT_EQ((*added)[0]->id(), "flood");
}

TEST_F(SessionRegistryTest, PerPrincipalCapEvictsOnlyThatPrincipalsSessions) {
  SessionRegistry registry({.max_sessions = 100, .max_per_principal = 2}, clock_);
  ASSERT_TRUE(registry.Add(New("other", "q")).ok());
  ASSERT_TRUE(registry.Add(New("p1", "p")).ok());
  clock_.Advance(1s);
  ASSERT_TRUE(registry.Add(New("p2", "p")).ok());
  auto added = registry.Add(New("p3", "p"));
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->size(), 1u);
  EXPECT_EQ((*added)[0]->id(), "p1");
  EXPECT_NE(registry.Find("other"), nullptr);
}

TEST_F(SessionRegistryTest, BusySessionsAreNeverEvicted) {
  SessionRegistry registry({.max_sessions = 1, .max_per_principal = 10}, clock_);
  auto busy = New("busy", "p");
  ASSERT_TRUE(busy->Register({"1"}, std::make_shared<Exchange>(std::vector<std::string>{"1"})));
  ASSERT_TRUE(registry.Add(busy).ok());
  auto added = registry.Add(New("new", "q"));
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(registry.Find("busy"), nullptr);
  EXPECT_EQ(registry.Find("new"), nullptr);
}

TEST_F(SessionRegistryTest, UnconfirmedSessionsExpireSooner) {
  SessionRegistry registry({.idle_timeout = 1800s, .unconfirmed_timeout = 60s}, clock_);
  auto confirmed = New("c", "p");
  confirmed->Touch();
  ASSERT_TRUE(registry.Add(confirmed).ok());
  ASSERT_TRUE(registry.Add(New("u", "p")).ok());
  clock_.Advance(59s);
  EXPECT_TRUE(registry.TakeExpired().empty());
  clock_.Advance(1s);
  auto expired = registry.TakeExpired();
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0]->id(), "u");
  clock_.Advance(1800s);
  EXPECT_EQ(registry.TakeExpired().size(), 1u);
  EXPECT_EQ(registry.size(), 0u);
}

TEST_F(SessionRegistryTest, RemoveFreesThePrincipalsSlot) {
  SessionRegistry registry({.max_sessions = 100, .max_per_principal = 1}, clock_);
  auto busy = New("a", "p");
  ASSERT_TRUE(busy->Register({"1"}, std::make_shared<Exchange>(std::vector<std::string>{"1"})));
  ASSERT_TRUE(registry.Add(busy).ok());
  EXPECT_FALSE(registry.Add(New("b", "p")).ok());
  EXPECT_NE(registry.Remove("a"), nullptr);
  EXPECT_TRUE(registry.Add(New("b", "p")).ok());
}

}  // namespace
}  // namespace lmcp::transport
