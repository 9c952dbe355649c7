#include "aws/retry.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace lmcp::aws {

Result<RetryConfig> RetryConfigFrom(const std::string& mode, const std::string& max_attempts) {
  RetryConfig c;
  if (!mode.empty()) {
    if (mode != "standard" && mode != "legacy" && mode != "adaptive") {
      return Error::InvalidArgument("invalid retry mode '" + mode + "' (standard, legacy or adaptive)");
    }
    c.mode = mode;
    if (mode == "legacy") {
      c.max_attempts = 5;
    }
  }
  if (!max_attempts.empty()) {
    int n = 0;
    try {
      std::size_t used = 0;
      n = std::stoi(max_attempts, &used);
      if (used != max_attempts.size()) {
        n = 0;
      }
    } catch (const std::exception&) {
      n = 0;
    }
    if (n < 1) {
      return Error::InvalidArgument("invalid max attempts '" + max_attempts + "' (an integer >= 1)");
    }
    c.max_attempts = n;
  }
  return c;
}

RetryPolicy::RetryPolicy(RetryConfig config, Random random)
    : config_(config), random_(std::move(random)), tokens_(config.quota) {
  if (!random_) {
    random_ = [] {
      thread_local std::mt19937_64 gen{std::random_device{}()};
      return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
    };
  }
}

bool RetryPolicy::ShouldRetry(const AwsError& error, int attempt, bool idempotent) {
  if (attempt >= config_.max_attempts || !error.retryable()) {
    return false;
  }
  if (error.transport == HttpErrorKind::kCancelled || error.transport == HttpErrorKind::kResponseTooLarge) {
    return false;
  }
  // A non-idempotent call (Invoke) whose request may have been acted on is never repeated. Error replies
  // (throttling, 5xx) mean the service answered, so they may be retried.
  if (!idempotent && error.transport && error.may_have_reached_server) {
    return false;
  }
  if (config_.mode == "legacy") {
    return true;
  }
  int cost =
      error.transport == HttpErrorKind::kReadTimeout || error.transport == HttpErrorKind::kTimeoutBeforeSend
          ? 10
          : 5;
  std::lock_guard lock(mu_);
  if (tokens_ < cost) {
    return false;
  }
  tokens_ -= cost;
  last_cost_ = cost;
  return true;
}

std::chrono::milliseconds RetryPolicy::Backoff(const AwsError& error, int attempt) {
  double cap =
      std::min(std::pow(2.0, attempt - 1) * 1000.0, static_cast<double>(config_.max_backoff.count()));
  auto delay = std::chrono::milliseconds(static_cast<long>(random_() * cap));
  if (error.retry_after) {
    auto floor = std::min<std::chrono::milliseconds>(*error.retry_after, config_.max_backoff);
    delay = std::max(delay, floor);
  }
  return delay;
}

void RetryPolicy::OnSuccess(bool was_retry) {
  if (config_.mode == "legacy") {
    return;
  }
  std::lock_guard lock(mu_);
  tokens_ = std::min(config_.quota, tokens_ + (was_retry ? last_cost_ : 1));
}

int RetryPolicy::quota_left() const {
  std::lock_guard lock(mu_);
  return tokens_;
}

}  // namespace lmcp::aws
