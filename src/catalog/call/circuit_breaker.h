#pragma once
// Stage: a circuit breaker per target, function and qualifier (CircuitBreakerOptions). It opens after N
// failures in a row, or when failures reach a share of the calls in a sliding window (with a minimum of
// calls). Failures are what says the function or Lambda is unwell: timeouts, 5xx/unreachable, Lambda's
// throttling. A FunctionError (the function's own answer), client errors (not found, denied, too large) and
// cancellations do not count. While open, calls end at once with an isError result naming the cooldown
// left, nothing is invoked, and the audit outcome is `breaker_open`. After the cooldown one probe call goes
// through (half-open): its success closes the breaker, its failure opens it again. State changes are
// logged and counted; CircuitBreakers exposes the states for metrics and keep-warm.

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "catalog/call/call.h"
#include "catalog/guardrail_options.h"

namespace lmcp::catalog {

enum class BreakerState { kClosed, kOpen, kHalfOpen };
std::string_view BreakerStateName(BreakerState state);  // "closed" | "open" | "half_open"

struct BreakerKey {
  std::string target;  // "" = the only target
  std::string function;
  std::string qualifier;  // "" = $LATEST
  auto operator<=>(const BreakerKey&) const = default;
};

struct BreakerStatus {
  BreakerKey key;
  BreakerState state = BreakerState::kClosed;
  int consecutive_failures = 0;
  std::uint64_t times_opened = 0;
};

// The state of every breaker; shared by the stage, the metrics and keep-warm. Thread-safe.
class CircuitBreakers {
 public:
  enum class Verdict { kSuccess, kFailure, kNeutral };
  struct Admission {
    bool allowed = true;
    bool probe = false;              // the one call let through while half-open
    Clock::Duration retry_after{0};  // when refused
    std::string reason;              // when refused: why it is open
  };

  CircuitBreakers(CircuitBreakerOptions options, Clock& clock);
  Admission Admit(const BreakerKey& key);
  // How an admitted call went; `probe` as Admit said.
  void Record(const BreakerKey& key, bool probe, Verdict verdict);

  // Calls of this function would be refused now (open within its cooldown, or half-open with its probe
  // under way). Keep-warm skips such functions.
  bool IsOpen(const std::string& target, const std::string& function, const std::string& qualifier) const;
  // Every breaker that has seen a call, for metrics.
  std::vector<BreakerStatus> States() const;
  StageCounters counters() const;
  const CircuitBreakerOptions& options() const { return options_; }

 private:
  static constexpr int kSlices = 10;  // the window in tenths
  struct Slice {
    std::int64_t index = -1;  // which tenth of time it counts; -1 = unused
    int calls = 0;
    int failures = 0;
  };
  struct Breaker {
    BreakerState state = BreakerState::kClosed;
    int consecutive_failures = 0;
    std::array<Slice, kSlices> window{};
    Clock::SteadyTime open_until{};
    bool probe_in_flight = false;
    std::string reason;  // why it opened last
    std::uint64_t times_opened = 0;
  };
  std::int64_t SliceIndex(Clock::SteadyTime now) const;
  std::optional<std::string> Count(Breaker& b, bool failed, Clock::SteadyTime now);  // why it must open
  void Open(const BreakerKey& key, Breaker& b, std::string reason, Clock::SteadyTime now);
  void Close(const BreakerKey& key, Breaker& b);

  const CircuitBreakerOptions options_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::map<BreakerKey, Breaker> breakers_;
  Counter opened_;
  Counter half_opened_;
  Counter closed_;
  Counter refused_;
};

class CircuitBreaker final : public CallStage {
 public:
  explicit CircuitBreaker(std::shared_ptr<CircuitBreakers> breakers) : breakers_(std::move(breakers)) {}
  std::string_view name() const override { return "circuit_breaker"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override { return breakers_->counters(); }

 private:
  std::shared_ptr<CircuitBreakers> breakers_;
};

// How a call that went through the stages below counts for its breaker.
CircuitBreakers::Verdict BreakerVerdict(const LambdaCall& call);

}  // namespace lmcp::catalog
