#include "catalog/call/rate_limit_store.h"

#include <algorithm>
#include <cmath>

namespace lmcp::catalog {
namespace {

double Refill(double tokens, Clock::Duration elapsed, const Rate& rate) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return std::min<double>(rate.capacity(), tokens + std::max(0.0, seconds) * rate.per_second());
}

}  // namespace

InMemoryRateLimitStore::Bucket& InMemoryRateLimitStore::Refilled(const BucketRequest& request,
                                                                 Clock::SteadyTime now) {
  auto [it, added] = buckets_.try_emplace(request.key);
  Bucket& b = it->second;
  if (added) {
    b.tokens = request.rate.capacity();
  } else {
    b.tokens = Refill(b.tokens, now - b.last, request.rate);
  }
  b.last = std::max(b.last, now);
  b.rate = request.rate;
  return b;
}

TakeOutcome InMemoryRateLimitStore::TakeAll(const std::vector<BucketRequest>& buckets,
                                            Clock::SteadyTime now) {
  std::lock_guard lock(mu_);
  if (buckets_.size() + buckets.size() > max_buckets_) {
    DropFullBuckets(now);
  }
  std::vector<Bucket*> refilled;
  refilled.reserve(buckets.size());
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    Bucket& b = Refilled(buckets[i], now);
    if (b.tokens < 1.0) {
      const double wait = (1.0 - b.tokens) / buckets[i].rate.per_second();
      return {
          .denied = i,
          .retry_after = std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(wait))};
    }
    refilled.push_back(&b);
  }
  for (Bucket* b : refilled) {
    b->tokens -= 1.0;
  }
  return {};
}

void InMemoryRateLimitStore::DropFullBuckets(Clock::SteadyTime now) {
  std::erase_if(buckets_, [&](const auto& kv) {
    const Bucket& b = kv.second;
    return Refill(b.tokens, now - b.last, b.rate) >= b.rate.capacity();
  });
}

std::size_t InMemoryRateLimitStore::size() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace lmcp::catalog
