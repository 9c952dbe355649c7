#include "catalog/call/circuit_breaker.h"

#include <spdlog/spdlog.h>

#include "catalog/result_mapping.h"
#include "common/log_text.h"

namespace lmcp::catalog {
namespace {

std::string Label(const BreakerKey& key) {
  std::string s = key.function + (key.qualifier.empty() ? "" : ":" + key.qualifier);
  return key.target.empty() ? s : key.target + "/" + s;
}

}  // namespace

std::string_view BreakerStateName(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitBreakers::CircuitBreakers(CircuitBreakerOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

std::int64_t CircuitBreakers::SliceIndex(Clock::SteadyTime now) const {
  const auto slice =
      std::max<Clock::Duration>(Clock::Duration(1), Clock::Duration(options_.window) / kSlices);
  return now.time_since_epoch() / slice;
}

std::optional<std::string> CircuitBreakers::Count(Breaker& b, bool failed, Clock::SteadyTime now) {
  b.consecutive_failures = failed ? b.consecutive_failures + 1 : 0;
  const std::int64_t index = SliceIndex(now);
  Slice& slice = b.window[static_cast<std::size_t>(index % kSlices)];
  if (slice.index != index) {
    slice = Slice{.index = index};
  }
  ++slice.calls;
  slice.failures += failed ? 1 : 0;
  if (!failed) {
    return std::nullopt;
  }
  if (options_.consecutive_failures > 0 && b.consecutive_failures >= options_.consecutive_failures) {
    return b.consecutive_failures == 1 ? std::string("a failure")
                                       : std::to_string(b.consecutive_failures) + " failures in a row";
  }
  if (options_.failure_rate > 0) {
    int calls = 0;
    int failures = 0;
    for (const Slice& s : b.window) {
      if (s.index > index - kSlices) {
        calls += s.calls;
        failures += s.failures;
      }
    }
    if (calls >= std::max(1, options_.min_calls) &&
        static_cast<double>(failures) >= options_.failure_rate * static_cast<double>(calls)) {
      return std::to_string(failures) + " of " + std::to_string(calls) + " calls failed in the last " +
             std::to_string(options_.window.count()) + " s";
    }
  }
  return std::nullopt;
}

void CircuitBreakers::Open(const BreakerKey& key, Breaker& b, std::string reason, Clock::SteadyTime now) {
  const bool reopened = b.state == BreakerState::kHalfOpen;
  b.state = BreakerState::kOpen;
  b.open_until = now + options_.cooldown;
  b.probe_in_flight = false;
  b.consecutive_failures = 0;
  b.window = {};
  b.reason = std::move(reason);
  ++b.times_opened;
  opened_.Add();
  spdlog::warn("circuit breaker {} {}: {}; calls refused for {} s", ForLog(Label(key)),
               reopened ? "re-opened (the probe failed)" : "opened", ForLog(b.reason),
               options_.cooldown.count());
}

void CircuitBreakers::Close(const BreakerKey& key, Breaker& b) {
  b.state = BreakerState::kClosed;
  b.probe_in_flight = false;
  b.consecutive_failures = 0;
  b.window = {};
  closed_.Add();
  spdlog::info("circuit breaker {} closed: the probe call succeeded", ForLog(Label(key)));
}

CircuitBreakers::Admission CircuitBreakers::Admit(const BreakerKey& key) {
  const Clock::SteadyTime now = clock_.Steady();
  std::lock_guard lock(mu_);
  Breaker& b = breakers_[key];
  if (b.state == BreakerState::kClosed) {
    return {};
  }
  if (b.state == BreakerState::kOpen && now >= b.open_until) {
    b.state = BreakerState::kHalfOpen;
    half_opened_.Add();
    spdlog::info("circuit breaker {} half-open: letting one probe call through", ForLog(Label(key)));
  }
  if (b.state == BreakerState::kHalfOpen && !b.probe_in_flight) {
    b.probe_in_flight = true;
    return {.allowed = true, .probe = true};
  }
  refused_.Add();
  if (b.state == BreakerState::kHalfOpen) {
    return {.allowed = false,
            .retry_after = std::chrono::seconds(1),
            .reason = "half-open, its probe call is under way; it opened after " + b.reason};
  }
  return {.allowed = false, .retry_after = b.open_until - now, .reason = b.reason};
}

void CircuitBreakers::Record(const BreakerKey& key, bool probe, Verdict verdict) {
  const Clock::SteadyTime now = clock_.Steady();
  std::lock_guard lock(mu_);
  Breaker& b = breakers_[key];
  if (probe) {
    if (b.state != BreakerState::kHalfOpen) {
      return;  // not expected: a probe's breaker stays half-open until the probe reports
    }
    if (verdict == Verdict::kSuccess) {
      Close(key, b);
    } else if (verdict == Verdict::kFailure) {
      Open(key, b, "the probe call failed after " + b.reason, now);
    } else {
      b.probe_in_flight = false;  // cancelled or a client error: the next call probes
    }
    return;
  }
  if (b.state != BreakerState::kClosed || verdict == Verdict::kNeutral) {
    return;  // admitted before the breaker opened: its state is decided already
  }
  if (auto reason = Count(b, verdict == Verdict::kFailure, now)) {
    Open(key, b, std::move(*reason), now);
  }
}

bool CircuitBreakers::IsOpen(const std::string& target, const std::string& function,
                             const std::string& qualifier) const {
  const Clock::SteadyTime now = clock_.Steady();
  std::lock_guard lock(mu_);
  auto it = breakers_.find(BreakerKey{target, function, qualifier});
  if (it == breakers_.end()) {
    return false;
  }
  const Breaker& b = it->second;
  return (b.state == BreakerState::kOpen && now < b.open_until) ||
         (b.state == BreakerState::kHalfOpen && b.probe_in_flight);
}

std::vector<BreakerStatus> CircuitBreakers::States() const {
  std::lock_guard lock(mu_);
  std::vector<BreakerStatus> all;
  all.reserve(breakers_.size());
  for (const auto& [key, b] : breakers_) {
    all.push_back({key, b.state, b.consecutive_failures, b.times_opened});
  }
  return all;
}

StageCounters CircuitBreakers::counters() const {
  return {{"opened", opened_.value()},
          {"half_opened", half_opened_.value()},
          {"closed", closed_.value()},
          {"refused", refused_.value()}};
}

CircuitBreakers::Verdict BreakerVerdict(const LambdaCall& call) {
  if (!call.response.has_value()) {
    return CircuitBreakers::Verdict::kNeutral;  // ended below without invoking
  }
  const Result<InvokeResponse>& response = *call.response;
  if (response.ok()) {
    return CircuitBreakers::Verdict::kSuccess;  // a FunctionError is the function's own answer
  }
  switch (response.error().code) {
    case ErrorCode::kTimeout:
    case ErrorCode::kUnavailable:
      return CircuitBreakers::Verdict::kFailure;
    case ErrorCode::kResourceExhausted:
      return IsLambdaThrottle(response.error()) ? CircuitBreakers::Verdict::kFailure
                                                : CircuitBreakers::Verdict::kNeutral;
    default:
      return CircuitBreakers::Verdict::kNeutral;  // cancelled, or a client error
  }
}

Async<CallResult> CircuitBreaker::Handle(LambdaCall& call, const CallNext& next) {
  const ToolEntry& entry = *call.entry;
  BreakerKey key{entry.target, entry.function.name, entry.qualifier};
  CircuitBreakers::Admission admission = breakers_->Admit(key);
  if (!admission.allowed) {
    std::string message = "circuit breaker for " + Label(key) + " is open (" + admission.reason +
                          "); retry in " + RetryAfterSeconds(admission.retry_after) + " s";
    call.record.outcome = "breaker_open";
    call.record.detail = message;
    co_return ErrorResult(message + " (tool " + call.tool + "; the function was not invoked)");
  }
  CallResult result = co_await next(call);
  breakers_->Record(key, admission.probe, BreakerVerdict(call));
  co_return result;
}

}  // namespace lmcp::catalog
