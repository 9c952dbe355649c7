#pragma once
// The tools/call chain, composed in one place (compose.cc). Each stage is a file in catalog/call/.

#include "catalog/call/audit_call.h"
#include "catalog/call/call.h"
#include "catalog/call/circuit_breaker.h"
#include "catalog/call/rate_limit_store.h"
#include "catalog/call/record_metrics.h"
#include "catalog/call/resolve_tool.h"
#include "catalog/call/result_cache_store.h"
#include "catalog/catalog_options.h"
#include "catalog/policy.h"

namespace lmcp::catalog {

struct CallDependencies {
  ToolDirectory& tools;
  Clock& clock;
  CallAuditor* auditor = nullptr;        // null: no audit
  LambdaBackend* backend = nullptr;      // invokes entries without a backend of their own (tests)
  const PolicyHolder* policy = nullptr;  // null: no policy stage (nothing can ever be denied)
  CallMetrics* metrics = nullptr;        // null: no metrics
  // Guardrail state that may outlive one chain or be shared (metrics, keep-warm, a store for replicas);
  // null: a guardrail that is on gets its own, in memory.
  std::shared_ptr<CircuitBreakers> breakers;
  std::shared_ptr<RateLimitStore> rate_limit_store;
  std::shared_ptr<ResultCacheStore> result_cache_store;
};

CallChain ComposeCallChain(const CatalogOptions& options, const CallDependencies& deps);

}  // namespace lmcp::catalog
