#pragma once
// The result_cache stage's entries in Redis, shared by every replica: GET, and SET with PX = the entry's own
// TTL, under <prefix>cache:<key>. The value is the InvokeResponse's fields (without its log tail) and when it
// was stored, length-prefixed (binary-safe, compact). Entries over max_entry_bytes are not stored; Redis
// bounds the rest (its maxmemory policy). A Redis failure is a miss (Get) or a dropped store (Put), counted
// in store_errors, never a failed call. stats() is what this replica knows: too_large and store_errors of
// its own calls; entries, bytes, evictions and expirations are Redis's (0 here).

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "catalog/call/result_cache_store.h"
#include "state/redis_client.h"

namespace lmcp::state {

class RedisResultCacheStore final : public catalog::ResultCacheStore {
 public:
  RedisResultCacheStore(std::shared_ptr<RedisClient> redis, std::size_t max_entry_bytes, Clock& clock,
                        std::string prefix = "lmcp:");
  std::shared_ptr<const catalog::CachedResult> Get(const std::string& key, Clock::SteadyTime now) override;
  void Put(const std::string& key, std::shared_ptr<const catalog::CachedResult> value,
           Clock::SteadyTime expires) override;
  catalog::CacheStats stats() const override;

 private:
  std::shared_ptr<RedisClient> redis_;
  const std::size_t max_entry_bytes_;
  Clock& clock_;
  const std::string prefix_;
  std::atomic<uint64_t> too_large_{0};
  std::atomic<uint64_t> errors_{0};
};

// The value format, for tests: "1:" then each field as <length>:<bytes>.
std::string EncodeCachedResponse(const catalog::InvokeResponse& response, long long stored_ms);
std::optional<std::pair<catalog::InvokeResponse, long long>> DecodeCachedResponse(std::string_view value);

}  // namespace lmcp::state
