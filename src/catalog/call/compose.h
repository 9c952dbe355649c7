#pragma once
// The tools/call chain, composed in one place (compose.cc). Each stage is a file in catalog/call/.

#include "catalog/call/audit_call.h"
#include "catalog/call/call.h"
#include "catalog/call/resolve_tool.h"
#include "catalog/catalog_options.h"
#include "catalog/policy.h"

namespace lmcp::catalog {

struct CallDependencies {
  ToolDirectory& tools;
  Clock& clock;
  CallAuditor* auditor = nullptr;        // null: no audit
  LambdaBackend* backend = nullptr;      // invokes entries without a backend of their own (tests)
  const PolicyHolder* policy = nullptr;  // null: no policy stage (nothing can ever be denied)
};

CallChain ComposeCallChain(const CatalogOptions& options, const CallDependencies& deps);

}  // namespace lmcp::catalog
