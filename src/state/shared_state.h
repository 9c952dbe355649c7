#pragma once
// The state replicas share, in one place: `--state redis://HOST:PORT[/DB]` (or LAMBDA_MCP_STATE, or the
// config file's `state:`) gives one Redis client and the three stores on it; "" or "memory" gives none
// (every store in memory, per process). Opening never fails on an unreachable Redis: it logs a WARNING and
// the stores fail per call (tasks: kUnavailable; rate limits: closed or open; cache: a miss) until it is
// back.

#include <memory>
#include <string>

#include "catalog/call/rate_limit_store.h"
#include "catalog/call/result_cache_store.h"
#include "common/clock.h"
#include "common/result.h"
#include "mcp/task_store.h"
#include "state/redis_client.h"
#include "state/redis_task_store.h"

namespace lmcp::state {

struct SharedState {
  std::string description;             // "memory (per replica)" or "redis://host:port/db"
  std::shared_ptr<RedisClient> redis;  // null: in memory
  std::shared_ptr<catalog::RateLimitStore> rate_limits;
  std::shared_ptr<catalog::ResultCacheStore> results;
  std::unique_ptr<mcp::TaskStore> tasks;
};

// Problems of a --state value ("" and "memory" are valid), each naming what is wrong; empty when valid.
std::vector<std::string> StateUrlProblems(const std::string& url);
// What check-config prints: "memory (per replica)" or "redis://host:port/db (shared)".
std::string DescribeState(const std::string& url);

struct SharedStateOptions {
  mcp::TaskStoreLimits task_limits;
  std::size_t cache_max_entry_bytes = 1 << 20;
};

Result<SharedState> OpenSharedState(const std::string& url, const SharedStateOptions& options, Clock& clock);

}  // namespace lmcp::state
