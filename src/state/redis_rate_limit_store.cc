#include "state/redis_rate_limit_store.h"

#include <cstdio>

namespace lmcp::state {
namespace {

// KEYS: the buckets. ARGV: per bucket its capacity and its refill rate in tokens per millisecond.
// Returns {0, 0} when every bucket gave a token, else {i, wait_ms}: bucket i (1-based) had none, nothing
// was taken. A bucket's hash is written only when a token is taken.
const RedisScript& TakeAllScript() {
  static const RedisScript kScript(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens = {}
for i = 1, #KEYS do
  local cap = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local b = redis.call('HMGET', KEYS[i], 't', 'ts')
  local tok = cap
  if b[1] and b[2] then
    tok = math.min(cap, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * rate)
  end
  if tok < 1 then
    return {i, math.ceil((1 - tok) / rate)}
  end
  tokens[i] = tok
end
for i = 1, #KEYS do
  local cap = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local left = tokens[i] - 1
  redis.call('HSET', KEYS[i], 't', string.format('%.17g', left), 'ts', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil((cap - left) / rate) + 1000)
end
return {0, 0}
)lua");
  return kScript;
}

std::string Number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

}  // namespace

RedisRateLimitStore::RedisRateLimitStore(std::shared_ptr<RedisClient> redis, std::string prefix)
    : redis_(std::move(redis)), prefix_(std::move(prefix)) {}

catalog::TakeOutcome RedisRateLimitStore::TakeAll(const std::vector<catalog::BucketRequest>& buckets,
                                                  Clock::SteadyTime /*now*/) {
  catalog::TakeOutcome out;
  if (buckets.empty()) {
    return out;
  }
  RedisArgs keys;
  RedisArgs args;
  for (const auto& b : buckets) {
    keys.push_back(prefix_ + "rl:" + b.key);
    args.push_back(std::to_string(b.rate.capacity()));
    args.push_back(Number(b.rate.per_second() / 1000.0));
  }
  auto reply = redis_->Eval(TakeAllScript(), keys, args);
  if (!reply.ok() || reply->elements.size() != 2) {
    errors_.fetch_add(1);
    out.store_error = reply.ok() ? "unexpected reply from the rate limit script" : reply.error().message;
    return out;
  }
  const long long denied = reply->elements[0].integer;
  if (denied > 0 && static_cast<size_t>(denied) <= buckets.size()) {
    out.denied = static_cast<size_t>(denied - 1);
    out.retry_after = std::chrono::milliseconds(reply->elements[1].integer);
  }
  return out;
}

}  // namespace lmcp::state
