#pragma once
// The tools/call chain, composed in one place (compose.cc). Each stage is a file in catalog/call/.

#include "catalog/call/audit_call.h"
#include "catalog/call/call.h"
#include "catalog/call/record_metrics.h"
#include "catalog/call/resolve_tool.h"
#include "catalog/catalog_options.h"

namespace lmcp::catalog {

struct CallDependencies {
  ToolDirectory& tools;
  Clock& clock;
  CallAuditor* auditor = nullptr;    // null: no audit
  LambdaBackend* backend = nullptr;  // invokes entries without a backend of their own (tests)
  CallMetrics* metrics = nullptr;    // null: no metrics
};

CallChain ComposeCallChain(const CatalogOptions& options, const CallDependencies& deps);

}  // namespace lmcp::catalog
