#include "catalog/keep_warm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

ToolEntry Entry(const std::string& name, Tags tags = {}) {
  ToolEntry e;
  e.definition.name = name;
  e.function.name = name;
  e.function.arn = "arn:aws:lambda:us-east-1:123456789012:function:" + name;
  e.tags = std::move(tags);
  return e;
}

TEST(KeepWarmScheduleTest, FirstPingComesWithinTheJitterOfTheInterval) {
  for (double u : {0.0, 0.25, 0.5, 0.999999}) {
    auto d = FirstPingDelay(300s, 0.1, u);
    EXPECT_GE(d, 0s);
    EXPECT_LT(d, 30s);
  }
  EXPECT_EQ(FirstPingDelay(300s, 0.1, 0.5), 15s);
  EXPECT_EQ(FirstPingDelay(300s, 0, 0.9), 0s);
}

TEST(KeepWarmScheduleTest, NextPingIsNeverSoonerThanTheIntervalAndBoundedByTheJitter) {
  for (double u : {0.0, 0.25, 0.5, 0.999999}) {
    auto d = NextPingInterval(300s, 0.2, u);
    EXPECT_GE(d, 300s);
    EXPECT_LT(d, 360s);
  }
  EXPECT_EQ(NextPingInterval(300s, 0.2, 0.5), 330s);
  EXPECT_EQ(NextPingInterval(2s, 0, 0.7), 2s);
}

TEST(KeepWarmTagTest, IntervalAndOptionalConcurrency) {
  auto p = ParseKeepWarmTag("5m");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->every, 300s);
  EXPECT_EQ(p->concurrency, 1);
  p = ParseKeepWarmTag(" 90s/3 ");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->every, 90s);
  EXPECT_EQ(p->concurrency, 3);
  EXPECT_EQ(ParseKeepWarmTag("1h")->every, 3600s);
  EXPECT_EQ(ParseKeepWarmTag("120")->every, 120s);
  for (const char* bad : {"", "5x", "m", "-5m", "5m/0", "5m/", "5m/x", "0s"}) {
    EXPECT_FALSE(ParseKeepWarmTag(bad).ok()) << bad;
  }
}

TEST(KeepWarmPlanTest, TagFirstThenTheFirstMatchingRule) {
  KeepWarmOptions o;
  o.rules = {{"orders-*", 600s, 2}, {"*", 900s, 1}, {"arn:aws:lambda:*:function:billing", 60s, 1}};
  o.max_concurrency = 3;
  auto plan = PlanFor(o, Entry("orders-api", {{"mcp:keep-warm", "2m/5"}}));
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan->has_value());
  EXPECT_EQ((*plan)->every, 120s);
  EXPECT_EQ((*plan)->concurrency, 3);  // capped at max_concurrency
  plan = PlanFor(o, Entry("orders-api"));
  EXPECT_EQ((*plan)->every, 600s);
  EXPECT_EQ((*plan)->concurrency, 2);
  EXPECT_EQ((*PlanFor(o, Entry("billing")))->every, 900s);  // "*" comes first
  o.rules.erase(o.rules.begin() + 1);
  EXPECT_EQ((*PlanFor(o, Entry("billing")))->every, 60s);  // the ARN glob
  EXPECT_FALSE(PlanFor(o, Entry("other"))->has_value());
  o.min_every = 60s;
  EXPECT_FALSE(PlanFor(o, Entry("x", {{"mcp:keep-warm", "30s"}})).ok());  // below the minimum
  o.tag_key = "";
  EXPECT_FALSE(PlanFor(o, Entry("x", {{"mcp:keep-warm", "5m"}}))->has_value());  // tags ignored
}

TEST(KeepWarmPlanTest, OptionProblemsAreListedTogether) {
  KeepWarmOptions o;
  o.jitter = 2;
  o.payload = "{not json";
  o.rules = {{"", 0s, 0}};
  auto problems = KeepWarmProblems(o);
  EXPECT_EQ(problems.size(), 5u);
  EXPECT_TRUE(KeepWarmProblems(KeepWarmOptions{}).empty());
}

class KeepWarmTest : public ::testing::Test {
 protected:
  std::unique_ptr<KeepWarm> Make(KeepWarmOptions options, KeepWarm::IsOpen is_open = nullptr) {
    return std::make_unique<KeepWarm>(
        std::move(options), [this] { return entries_; }, &backend_, clock_, &registry_, std::move(is_open),
        [] { return 0.5; });
  }
  void SetEntries(std::vector<ToolEntry> entries) {
    entries_ = std::make_shared<const std::vector<ToolEntry>>(std::move(entries));
  }

  FakeClock clock_;
  FakeLambdaBackend backend_;
  metrics::Registry registry_;
  std::shared_ptr<const std::vector<ToolEntry>> entries_;
};

TEST_F(KeepWarmTest, PingsOnScheduleNeverMoreOftenThanConfigured) {
  SetEntries({Entry("a", {{"mcp:keep-warm", "5m/2"}}), Entry("b"), Entry("c")});
  KeepWarmOptions o;
  o.rules = {{"b", 600s, 1}};
  auto kw = Make(o);
  const auto t0 = clock_.Steady();
  EXPECT_EQ(kw->RunDue({}), t0 + 15s);  // a's first ping: 300 s × 0.1 jitter × 0.5
  EXPECT_EQ(backend_.invoke_calls.load(), 0);
  clock_.Advance(15s);
  EXPECT_EQ(kw->RunDue({}), t0 + 30s);         // b's first (600 × 0.1 × 0.5)
  ASSERT_EQ(backend_.invoke_calls.load(), 2);  // a, twice at once
  for (const auto& req : backend_.invokes()) {
    EXPECT_EQ(req.function, "arn:aws:lambda:us-east-1:123456789012:function:a");
    EXPECT_EQ(req.payload, R"({"lambda-mcp":"keep-warm"})");
  }
  clock_.Advance(15s);
  EXPECT_EQ(kw->RunDue({}), t0 + 30s + 30s);  // a is due at 15 + 315 s; the rescan comes first
  EXPECT_EQ(backend_.invoke_calls.load(), 3);
  EXPECT_EQ(backend_.invokes().back().function, "arn:aws:lambda:us-east-1:123456789012:function:b");
  clock_.Advance(299s);  // before a's interval: nothing
  kw->RunDue({});
  EXPECT_EQ(backend_.invoke_calls.load(), 3);
  clock_.Advance(16s);
  kw->RunDue({});
  EXPECT_EQ(backend_.invoke_calls.load(), 5);
  EXPECT_THAT(registry_.Expose(),
              HasSubstr("lambda_mcp_keep_warm_pings_total{function=\"a\",outcome=\"ok\"} 4\n"));
  EXPECT_THAT(registry_.Expose(),
              HasSubstr("lambda_mcp_keep_warm_pings_total{function=\"b\",outcome=\"ok\"} 1\n"));
}

TEST_F(KeepWarmTest, SkippedWhileTheBreakerIsOpen) {
  SetEntries({Entry("a", {{"mcp:keep-warm", "1m"}})});
  std::atomic<bool> open{true};
  std::string asked;
  auto kw =
      Make({}, [&](const std::string& target, const std::string& function, const std::string& qualifier) {
        asked = target + " " + function + " [" + qualifier + "]";
        return open.load();
      });
  kw->RunDue({});
  clock_.Advance(3s);
  kw->RunDue({});
  EXPECT_EQ(backend_.invoke_calls.load(), 0);
  EXPECT_EQ(asked, "default a []");  // the circuit breaker's own key
  EXPECT_THAT(registry_.Expose(), HasSubstr("{function=\"a\",outcome=\"skipped_breaker_open\"} 1\n"));
  open = false;
  clock_.Advance(63s);  // the skipped ping still set the interval
  kw->RunDue({});
  EXPECT_EQ(backend_.invoke_calls.load(), 1);
}

TEST_F(KeepWarmTest, ConcurrentPingsAreInFlightTogether) {
  SetEntries({Entry("a", {{"mcp:keep-warm", "1m/3"}})});
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  backend_.SetInvokeHandler([&](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    std::unique_lock lock(mu);
    ++arrived;
    cv.notify_all();
    // Each ping waits for the other two: they are only all answered if they run at once.
    if (!cv.wait_for(lock, 10s, [&] { return arrived >= 3; })) {
      return Error::Timeout("not concurrent");
    }
    return InvokeResponse{};
  });
  auto kw = Make({});
  kw->RunDue({});  // sees the function: its first ping 3 s on (60 s × 0.1 × 0.5)
  clock_.Advance(3s);
  kw->RunDue({});
  EXPECT_EQ(arrived, 3);
  EXPECT_THAT(registry_.Expose(), HasSubstr("{function=\"a\",outcome=\"ok\"} 3\n"));
}

TEST_F(KeepWarmTest, FailuresAreCountedByOutcome) {
  SetEntries({Entry("a", {{"mcp:keep-warm", "1m"}})});
  backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::ResourceExhausted("TooManyRequestsException: Rate exceeded");
  });
  auto kw = Make({});
  kw->RunDue({});  // sees the function: its first ping 3 s on (60 s × 0.1 × 0.5)
  clock_.Advance(3s);
  kw->RunDue({});
  EXPECT_THAT(registry_.Expose(), HasSubstr("{function=\"a\",outcome=\"throttled\"} 1\n"));
  EXPECT_EQ(kw->counters()[1], (std::pair<std::string, std::uint64_t>{"failed", 1}));
}

TEST_F(KeepWarmTest, AFunctionNoLongerListedIsDropped) {
  SetEntries({Entry("a", {{"mcp:keep-warm", "1m"}})});
  auto kw = Make({});
  kw->RunDue({});
  SetEntries({Entry("b")});
  clock_.Advance(10min);
  EXPECT_EQ(kw->RunDue({}), clock_.Steady() + 30s);  // nothing planned: the rescan interval
  EXPECT_EQ(backend_.invoke_calls.load(), 0);
}

TEST_F(KeepWarmTest, TheThreadWaitsOnTheClockAndStopsPromptly) {
  SetEntries({Entry("a", {{"mcp:keep-warm", "1m"}})});
  auto kw = Make({});
  kw->Start();
  for (int i = 0; i < 1000 && clock_.sleepers() == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(clock_.sleepers(), 1);
  clock_.Advance(3s);
  for (int i = 0; i < 1000 && backend_.invoke_calls.load() == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(backend_.invoke_calls.load(), 1);
  kw.reset();  // joins: a hang here fails the test by its timeout
}

TEST_F(KeepWarmTest, BeforeTheFirstDiscoveryItLooksAgainSoon) {
  auto kw = Make({});
  EXPECT_EQ(kw->RunDue({}), clock_.Steady() + 1s);
  SetEntries({Entry("a", {{"mcp:keep-warm", "1m"}})});
  clock_.Advance(1s);
  EXPECT_EQ(kw->RunDue({}), clock_.Steady() + 3s);
}

TEST_F(KeepWarmTest, DisabledNeverStarts) {
  SetEntries({Entry("a", {{"mcp:keep-warm", "1m"}})});
  KeepWarmOptions o;
  o.enabled = false;
  auto kw = Make(o);
  kw->Start();
  clock_.Advance(1h);
  EXPECT_EQ(clock_.sleepers(), 0);
  EXPECT_EQ(backend_.invoke_calls.load(), 0);
}

}  // namespace
}  // namespace lmcp::catalog
