#pragma once
// The catalog's scrape-time series (read when /metrics is scraped, not on the call path): discovery runs,
// failures and tool counts; every call stage's counters; the result cache's hits, misses and evictions; the
// circuit breakers' states; the AWS request retries. The call series themselves are the record_metrics
// stage's. Registered once, by the app; the catalog must outlive every Expose().

#include <functional>
#include <string>
#include <vector>

#include "catalog/lambda_backend.h"
#include "catalog/lambda_catalog.h"
#include "common/metrics.h"

namespace lmcp::catalog {

// One circuit breaker (per target, function and qualifier) as metrics see it.
struct BreakerGauge {
  enum class State { kClosed = 0, kHalfOpen = 1, kOpen = 2 };
  std::string target;
  std::string function;
  std::string qualifier;
  State state = State::kClosed;
};

struct CatalogMetricsSources {
  // Every breaker's state: the circuit_breaker stage's (issue 17). Null until that stage is wired.
  std::function<std::vector<BreakerGauge>()> breakers;
};

void AddCatalogCollectors(metrics::Registry& registry, const LambdaCatalog& catalog,
                          CatalogMetricsSources sources = {});

// The collected families alone (tests).
std::vector<metrics::CollectedFamily> CollectCatalogMetrics(const LambdaCatalog& catalog,
                                                            const CatalogMetricsSources& sources);

}  // namespace lmcp::catalog
