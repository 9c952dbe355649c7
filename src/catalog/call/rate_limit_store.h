#pragma once
// Where the token buckets of the rate_limit stage live. In memory for one process; a shared store
// (state/redis_rate_limit_store.h, for replicas behind a balancer) implements the same one call. Buckets
// start full and refill continuously at their rate up to their capacity (Rate::capacity()).

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/guardrail_options.h"
#include "common/clock.h"

namespace lmcp::catalog {

struct BucketRequest {
  std::string key;  // unique per bucket, e.g. "principal\x1ftoken:alice"
  Rate rate;        // enabled
};

struct TakeOutcome {
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t denied = kNone;      // index of the first bucket without a token; kNone = all taken
  Clock::Duration retry_after{0};  // when that bucket has a token again
  // Non-empty: the store could not be asked (a shared store that is down); nothing was taken and `denied`
  // means nothing. The rate_limit stage then fails closed or open (RateLimitOptions::fail_open).
  std::string store_error;
  bool ok() const { return denied == kNone && store_error.empty(); }
};

class RateLimitStore {
 public:
  virtual ~RateLimitStore() = default;
  // One token from every bucket, or none at all (a call refused by one bucket costs the others nothing).
  // Thread-safe.
  virtual TakeOutcome TakeAll(const std::vector<BucketRequest>& buckets, Clock::SteadyTime now) = 0;
};

class InMemoryRateLimitStore final : public RateLimitStore {
 public:
  // Beyond `max_buckets` buckets, full ones (idle long enough to have refilled) are dropped.
  explicit InMemoryRateLimitStore(std::size_t max_buckets = 100'000) : max_buckets_(max_buckets) {}
  TakeOutcome TakeAll(const std::vector<BucketRequest>& buckets, Clock::SteadyTime now) override;
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::SteadyTime last;
    Rate rate;  // the rate it was last used with
  };
  Bucket& Refilled(const BucketRequest& request, Clock::SteadyTime now);  // mu_ held
  void DropFullBuckets(Clock::SteadyTime now);                            // mu_ held

  const std::size_t max_buckets_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace lmcp::catalog
