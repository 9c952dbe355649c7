#pragma once
// The AWS CLI's retry policy. Standard mode (default): 3 attempts, delay before retry i = rand(0,1) ×
// min(2^i, 20) seconds, a client-wide quota of 500 tokens (a retry costs 5, or 10 after a timeout; a success
// refunds). Legacy mode: 5 attempts. `Retry-After` from a throttled reply is honoured as a lower bound,
// capped at 20 s. Randomness is injected; the quota is guarded by a mutex, so one RetryPolicy may serve many
// threads.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "aws/aws_error.h"
#include "common/result.h"

namespace lmcp::aws {

struct RetryConfig {
  int max_attempts = 3;
  std::string mode = "standard";  // "standard" | "legacy" | "adaptive" (treated as standard)
  std::chrono::milliseconds max_backoff{20'000};
  int quota = 500;
};

// From AWS_RETRY_MODE / AWS_MAX_ATTEMPTS (or profile retry_mode / max_attempts, passed the same way).
Result<RetryConfig> RetryConfigFrom(const std::string& mode, const std::string& max_attempts);

class RetryPolicy {
 public:
  using Random = std::function<double()>;  // uniform in [0, 1)

  explicit RetryPolicy(RetryConfig config = {}, Random random = nullptr);

  // May `error` be retried after `attempt` attempts (1-based)? `idempotent` false means a request that may
  // have reached the server is never repeated. Takes quota tokens when it answers yes.
  bool ShouldRetry(const AwsError& error, int attempt, bool idempotent);
  // Delay before the next attempt, after `attempt` attempts (1-based).
  std::chrono::milliseconds Backoff(const AwsError& error, int attempt);
  void OnSuccess(bool was_retry);

  const RetryConfig& config() const { return config_; }
  int quota_left() const;

 private:
  RetryConfig config_;
  Random random_;
  mutable std::mutex mu_;
  int tokens_;
  int last_cost_ = 0;
};

}  // namespace lmcp::aws
