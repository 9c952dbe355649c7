#include "catalog/call/circuit_breaker.h"

#include <gtest/gtest.h>

#include <future>

#include "tests/support/catalog/chain_harness.h"

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;

std::string Text(const CallResult& r) { return r->content.at(0).at("text").get<std::string>(); }

Result<InvokeResponse> Ok(const InvokeRequest&, std::stop_token) { return InvokeResponse{.payload = "{}"}; }
Result<InvokeResponse> Down(const InvokeRequest&, std::stop_token) {
  return Error::Unavailable("ServiceException: HTTP status 502");
}

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreakerTest() { h_.tools.Add("echo"); }
  CallChain Compose(CircuitBreakerOptions breaker) {
    breaker.enabled = true;
    breakers_ = std::make_shared<CircuitBreakers>(breaker, h_.clock);
    CatalogOptions options;
    options.guardrails.breaker = breaker;
    options.guardrails.cache.tool_tags = false;
    options.guardrails.rate_limits.tool_tags = false;
    return ComposeCallChain(options, {.tools = h_.tools,
                                      .clock = h_.clock,
                                      .auditor = &h_.auditor,
                                      .backend = &h_.backend,
                                      .breakers = breakers_});
  }
  // Each call answered by `handler`; true when it was refused by the breaker.
  bool Refused(const CallChain& chain, FakeLambdaBackend::InvokeHandler handler) {
    h_.backend.SetInvokeHandler(std::move(handler));
    const int before = h_.invokes();
    auto r = h_.Call(chain, "echo");
    EXPECT_TRUE(r.ok());
    const bool refused = h_.invokes() == before;
    EXPECT_EQ(refused, h_.last_audit()["outcome"] == "breaker_open");
    return refused;
  }
  bool IsOpen() const { return breakers_->IsOpen("", "echo", ""); }
  BreakerState State() const { return breakers_->States().at(0).state; }

  ChainHarness h_;
  std::shared_ptr<CircuitBreakers> breakers_;
};

TEST_F(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndRefusesWithoutInvoking) {
  auto chain = Compose({.consecutive_failures = 3, .failure_rate = 0, .cooldown = 30s});
  EXPECT_FALSE(Refused(chain, Down));
  EXPECT_FALSE(Refused(chain, Down));
  EXPECT_FALSE(IsOpen());
  EXPECT_FALSE(Refused(chain, Down));
  EXPECT_TRUE(IsOpen());
  EXPECT_EQ(h_.invokes(), 3);
  h_.clock.Advance(10s);
  auto refused = h_.Call(chain, "echo");
  EXPECT_TRUE(refused->is_error);
  EXPECT_EQ(
      Text(refused),
      "circuit breaker for echo is open (3 failures in a row); retry in 20.0 s (tool echo; the function "
      "was not invoked)");
  EXPECT_EQ(h_.last_audit()["outcome"], "breaker_open");
  EXPECT_EQ(h_.invokes(), 3);
  EXPECT_EQ(State(), BreakerState::kOpen);
  EXPECT_EQ(breakers_->States().at(0).times_opened, 1u);
  EXPECT_EQ(CounterValue(chain.Counters(), "circuit_breaker.opened"), 1);
  EXPECT_EQ(CounterValue(chain.Counters(), "circuit_breaker.refused"), 1);
}

TEST_F(CircuitBreakerTest, AFunctionErrorOrAClientErrorIsNoFailure) {
  auto chain = Compose({.consecutive_failures = 2, .failure_rate = 0});
  auto function_error = [](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return InvokeResponse{.function_error = "Unhandled", .payload = R"({"errorMessage":"bad input"})"};
  };
  for (const Error& client : {Error::NotFound("ResourceNotFoundException: Function not found"),
                              Error::PermissionDenied("AccessDeniedException: no"),
                              Error::ResourceExhausted("RequestTooLargeException: too large"),
                              Error::InvalidArgument("InvalidRequestContentException: bad json")}) {
    EXPECT_FALSE(Refused(chain, Down));
    EXPECT_FALSE(Refused(chain, function_error));  // resets the run of failures
    EXPECT_FALSE(Refused(chain, Down));
    EXPECT_FALSE(Refused(chain, [&](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
      return client;  // neither a failure nor a success
    }));
    EXPECT_FALSE(IsOpen()) << client.message;
    EXPECT_FALSE(Refused(chain, Ok));
  }
}

TEST_F(CircuitBreakerTest, TimeoutsAndThrottlesAreFailures) {
  auto chain = Compose({.consecutive_failures = 2, .failure_rate = 0});
  EXPECT_FALSE(Refused(chain, [](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::Timeout("read timeout");
  }));
  EXPECT_FALSE(Refused(chain, [](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::ResourceExhausted("TooManyRequestsException: Rate Exceeded.");
  }));
  EXPECT_TRUE(IsOpen());
}

TEST_F(CircuitBreakerTest, OpensOnTheFailureRateOverTheWindow) {
  auto chain = Compose({.consecutive_failures = 0, .failure_rate = 0.5, .window = 10s, .min_calls = 4});
  EXPECT_FALSE(Refused(chain, Ok));
  EXPECT_FALSE(Refused(chain, Down));
  EXPECT_FALSE(Refused(chain, Ok));
  h_.clock.Advance(11s);  // those three leave the window
  EXPECT_FALSE(Refused(chain, Down));
  EXPECT_FALSE(Refused(chain, Ok));
  EXPECT_FALSE(Refused(chain, Down));
  EXPECT_FALSE(IsOpen());              // 2 of 3: too few calls to judge
  EXPECT_FALSE(Refused(chain, Down));  // 3 of 4
  EXPECT_TRUE(IsOpen());
  auto refused = h_.Call(chain, "echo");
  EXPECT_NE(Text(refused).find("(3 of 4 calls failed in the last 10 s)"), std::string::npos) << Text(refused);
}

TEST_F(CircuitBreakerTest, AfterTheCooldownOneProbeClosesIt) {
  auto chain = Compose({.consecutive_failures = 1, .cooldown = 30s});
  EXPECT_FALSE(Refused(chain, Down));
  EXPECT_TRUE(Refused(chain, Ok));
  h_.clock.Advance(30s);
  EXPECT_FALSE(IsOpen());  // cooldown over: the next call probes

  std::promise<void> entered;
  std::promise<void> release;
  h_.backend.SetInvokeHandler([&](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    entered.set_value();
    release.get_future().wait();
    return InvokeResponse{.payload = "{}"};
  });
  auto probe = std::async(std::launch::async, [&] { return h_.Call(chain, "echo"); });
  entered.get_future().wait();
  EXPECT_EQ(State(), BreakerState::kHalfOpen);
  EXPECT_TRUE(IsOpen());
  for (int i = 0; i < 3; ++i) {  // only the one probe: the others are refused while it runs
    auto refused = h_.Call(chain, "echo");
    EXPECT_NE(Text(refused).find("half-open, its probe call is under way"), std::string::npos);
  }
  release.set_value();
  EXPECT_FALSE(probe.get()->is_error);
  EXPECT_EQ(State(), BreakerState::kClosed);
  EXPECT_FALSE(Refused(chain, Ok));
  EXPECT_EQ(h_.invokes(), 3);
  EXPECT_EQ(CounterValue(chain.Counters(), "circuit_breaker.half_opened"), 1);
  EXPECT_EQ(CounterValue(chain.Counters(), "circuit_breaker.closed"), 1);
}

TEST_F(CircuitBreakerTest, AFailedProbeReopensForAnotherCooldown) {
  auto chain = Compose({.consecutive_failures = 1, .cooldown = 30s});
  EXPECT_FALSE(Refused(chain, Down));
  h_.clock.Advance(30s);
  EXPECT_FALSE(Refused(chain, Down));  // the probe, failing
  EXPECT_EQ(State(), BreakerState::kOpen);
  h_.clock.Advance(29s);
  EXPECT_TRUE(Refused(chain, Ok));
  h_.clock.Advance(1s);
  EXPECT_FALSE(Refused(chain, Ok));
  EXPECT_EQ(State(), BreakerState::kClosed);
  EXPECT_EQ(breakers_->States().at(0).times_opened, 2u);
}

TEST_F(CircuitBreakerTest, ACancelledProbeLetsTheNextCallProbe) {
  auto chain = Compose({.consecutive_failures = 1, .cooldown = 5s});
  EXPECT_FALSE(Refused(chain, Down));
  h_.clock.Advance(5s);
  h_.backend.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::Cancelled("stopped");
  });
  EXPECT_FALSE(h_.Call(chain, "echo").ok());
  EXPECT_EQ(State(), BreakerState::kHalfOpen);
  EXPECT_FALSE(IsOpen());
  EXPECT_FALSE(Refused(chain, Ok));
  EXPECT_EQ(State(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, EachFunctionAndQualifierHasItsOwnBreaker) {
  h_.tools.Add("live").qualifier = "live";
  h_.tools.Add("other");
  auto chain = Compose({.consecutive_failures = 1});
  h_.backend.SetInvokeHandler(Down);
  ASSERT_TRUE(h_.Call(chain, "live").ok());
  EXPECT_TRUE(breakers_->IsOpen("", "live", "live"));
  EXPECT_FALSE(breakers_->IsOpen("", "live", ""));
  h_.backend.SetInvokeHandler(Ok);
  EXPECT_FALSE(h_.Call(chain, "other")->is_error);
  EXPECT_TRUE(h_.Call(chain, "live")->is_error);
  EXPECT_EQ(breakers_->States().size(), 2u);
}

}  // namespace
}  // namespace lmcp::catalog
