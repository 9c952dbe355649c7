#include "state/shared_state.h"

#include <spdlog/spdlog.h>

#include "state/redis_rate_limit_store.h"
#include "state/redis_result_cache_store.h"

namespace lmcp::state {
namespace {

bool InMemory(const std::string& url) { return url.empty() || url == "memory"; }

}  // namespace

std::vector<std::string> StateUrlProblems(const std::string& url) {
  if (InMemory(url)) {
    return {};
  }
  auto parsed = ParseRedisUrl(url);
  if (parsed.ok()) {
    return {};
  }
  return {"--state: " + parsed.error().message};
}

std::string DescribeState(const std::string& url) {
  if (InMemory(url)) {
    return "memory (per replica: tasks, rate limits and the result cache are not shared)";
  }
  auto parsed = ParseRedisUrl(url);
  return parsed.ok() ? parsed->ToString() + " (tasks, rate limits and the result cache shared by replicas)"
                     : "invalid: " + parsed.error().message;
}

Result<SharedState> OpenSharedState(const std::string& url, const SharedStateOptions& options, Clock& clock) {
  SharedState out;
  if (InMemory(url)) {
    out.description = "memory";
    return out;
  }
  auto parsed = ParseRedisUrl(url);
  if (!parsed.ok()) {
    return parsed.error();
  }
  out.description = parsed->ToString();
  out.redis = std::make_shared<RedisClient>(RedisOptions{.url = *parsed}, clock);
  if (Status up = out.redis->Ping(); !up.ok()) {
    spdlog::warn(
        "state: {} is not reachable now ({}); serving anyway: task requests fail, rate limits fail closed or "
        "open as configured and the result cache misses until it is back",
        out.description, up.error().message);
  } else {
    spdlog::info("state: shared in {}", out.description);
  }
  out.rate_limits = std::make_shared<RedisRateLimitStore>(out.redis);
  out.results = std::make_shared<RedisResultCacheStore>(out.redis, options.cache_max_entry_bytes, clock);
  out.tasks = std::make_unique<RedisTaskStore>(out.redis,
                                               RedisTaskStoreOptions{.limits = options.task_limits}, clock);
  return out;
}

}  // namespace lmcp::state
