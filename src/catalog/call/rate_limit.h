#pragma once
// Stage: rate limits and concurrent-call caps (RateLimitOptions). Token buckets per principal, per tool
// (the function's mcp:rate-limit tag, a configured glob, or the default), per target and global; caps on the
// calls one principal or one tool runs at once. A call over any of them ends at once with an isError result
// naming the limit and when to retry; nothing is sent to AWS and the audit outcome is `throttled`. Lambda's
// own throttling (the invoke stage's `throttled` outcome) is counted here too. When the bucket store is
// unavailable (a shared one that is down), calls are refused ("the rate limit store is unavailable") or let
// through (RateLimitOptions::fail_open), and counted as store_errors.

#include <map>
#include <memory>
#include <mutex>

#include "catalog/call/call.h"
#include "catalog/call/rate_limit_store.h"
#include "catalog/guardrail_options.h"

namespace lmcp::catalog {

class RateLimiter final : public CallStage {
 public:
  RateLimiter(RateLimitOptions options, Clock& clock, std::shared_ptr<RateLimitStore> store);
  std::string_view name() const override { return "rate_limit"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override;

  // The rate of the tool's own bucket: its valid mcp:rate-limit tag, else the first matching glob, else
  // per_tool (possibly off).
  Rate ToolRate(const ToolEntry& entry) const;
  Rate PrincipalRate(const std::string& principal) const;
  int in_flight_of_principal(const std::string& principal) const;
  int in_flight_of_tool(const std::string& tool) const;

 private:
  enum Limit { kGlobal, kPrincipal, kTarget, kTool, kConcurrentPrincipal, kConcurrentTool, kLimits };
  CallResult Refuse(LambdaCall& call, Limit limit, std::string message);
  std::optional<Limit> AcquireSlots(const std::string& principal, const std::string& tool);
  void ReleaseSlots(const std::string& principal, const std::string& tool);

  const RateLimitOptions options_;
  Clock& clock_;
  std::shared_ptr<RateLimitStore> store_;
  mutable std::mutex mu_;
  std::map<std::string, int> principal_calls_;  // entries removed at zero
  std::map<std::string, int> tool_calls_;
  Counter refused_[kLimits];
  Counter allowed_;
  Counter lambda_throttled_;
  mutable Counter bad_tags_;  // mcp:rate-limit tags that do not parse (ignored)
  Counter store_errors_;      // the bucket store could not be asked (then closed or open: fail_open)
};

// "rate limit 'per-principal' (10/s) reached; retry in 0.4 s": the wait rounded up to a tenth of a second.
std::string RateLimitMessage(std::string_view limit, const Rate& rate, Clock::Duration retry_after);

}  // namespace lmcp::catalog
