#pragma once
// The rate_limit stage's token buckets in Redis, shared by every replica: TakeAll is one Lua script (all or
// none, atomic on the server), buckets refill continuously on Redis's own clock (TIME inside the script, so
// replicas agree; the `now` argument is ignored), and a bucket's key expires once it would be full again
// (PEXPIRE = the time to refill), so idle buckets cost nothing. Keys: <prefix>rl:<bucket key>, a hash
// {t: tokens, ts: ms}. When Redis cannot be asked, TakeAll reports store_error (the stage then fails closed
// or open) and counts it.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "catalog/call/rate_limit_store.h"
#include "state/redis_client.h"

namespace lmcp::state {

class RedisRateLimitStore final : public catalog::RateLimitStore {
 public:
  RedisRateLimitStore(std::shared_ptr<RedisClient> redis, std::string prefix = "lmcp:");
  catalog::TakeOutcome TakeAll(const std::vector<catalog::BucketRequest>& buckets,
                               Clock::SteadyTime now) override;
  uint64_t errors() const { return errors_.load(); }

 private:
  std::shared_ptr<RedisClient> redis_;
  const std::string prefix_;
  std::atomic<uint64_t> errors_{0};
};

}  // namespace lmcp::state
