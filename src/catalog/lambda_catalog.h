#pragma once
// The Lambda ToolProvider: the discovered tools of every target (TargetTools: per-target background
// discovery, one merged snapshot), the tools/call chain (catalog/call/compose.cc: resolve, audit, policy,
// validate, concurrency, progress, invoke through the entry's own target backend, map), and the per-client
// policy (catalog/policy.h) that filters each caller's list and guards its calls.
// Thread-safe: ListTools/CallTool may run concurrently from the MCP core's pool. The destructor stops the
// background threads; no call may be running then.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "catalog/audit_log.h"
#include "catalog/call/audit_call.h"
#include "catalog/call/call.h"
#include "catalog/call/circuit_breaker.h"
#include "catalog/call/rate_limit_store.h"
#include "catalog/call/record_metrics.h"
#include "catalog/call/result_cache_store.h"
#include "catalog/catalog_options.h"
#include "catalog/lambda_backend.h"
#include "catalog/policy.h"
#include "catalog/target_tools.h"
#include "common/clock.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

// Where the guardrails keep state shared between replicas (state/: Redis); null: in memory, per process.
struct GuardrailStores {
  std::shared_ptr<RateLimitStore> rate_limits;
  std::shared_ptr<ResultCacheStore> results;
};

class LambdaCatalog : public mcp::ToolProvider {
 public:
  // Every target's backend comes from `backends`. `clock`, `audit` (may be null: no audit) and `metrics`
  // (may be null: no call metrics) must outlive the catalog.
  LambdaCatalog(CatalogOptions options, BackendFactory backends, Clock& clock, AuditSink* audit,
                metrics::Registry* metrics = nullptr, GuardrailStores stores = {});
  // One backend, which must outlive the catalog, for every target (tests).
  LambdaCatalog(CatalogOptions options, LambdaBackend& backend, Clock& clock, AuditSink* audit,
                metrics::Registry* metrics = nullptr);
  ~LambdaCatalog() override;

  // Starts background discovery. Without Start, DiscoverNow() must be called before listing.
  void Start() { tools_.Start(); }
  // One synchronous discovery pass, published like a background one (used by `lambda-mcp tools`).
  Status DiscoverNow() { return tools_.DiscoverNow(); }

  Result<mcp::ToolList> ListTools() override { return tools_.List(); }
  // The tools the policy lets `caller` see (every tool without a policy).
  Result<mcp::ToolList> ListToolsFor(const mcp::Identity& caller) override;
  bool ListsDifferPerPrincipal() const override { return policy_.Get()->enabled(); }
  // Puts `policy` (Policy::Compile's) in force for the calls and lists that start from now on; calls already
  // past the policy stage finish under the one they started with. Sends tools/list_changed.
  void SetPolicy(std::shared_ptr<const Policy> policy);
  // Runs the call chain; CallTool waits for it on the calling thread, CallToolAsync does not wait on any.
  Result<mcp::ToolResult> CallTool(const std::string& name, mcp::Json arguments,
                                   mcp::CallContext& ctx) override;
  Async<Result<mcp::ToolResult>> CallToolAsync(std::string name, mcp::Json arguments,
                                               mcp::CallContext& ctx) override;
  // Audits a call the MCP core answered without invoking (outcome `refused`, `queue_timeout`, `cancelled`,
  // `client_gone` or `not_started`).
  void CallNotInvoked(const std::string& name, const mcp::Json& arguments, const mcp::Json& request_meta,
                      const std::string& principal, NotInvoked why, const std::string& detail) override;
  void SetListChangedCallback(std::function<void()> callback) override {
    tools_.SetListChangedCallback(std::move(callback));
  }

  // A reload's new targets (target_tools.h): unchanged ones keep their discovery, new ones start, removed
  // ones stop; calls in flight finish on what they resolved. The behaviour settings stay as constructed.
  void SetTargets(std::vector<TargetOptions> targets) { tools_.SetTargets(std::move(targets)); }

  // The current entries (null before the first successful discovery).
  std::shared_ptr<const std::vector<ToolEntry>> entries() const { return tools_.entries(); }
  int discovery_attempts() const { return tools_.attempts(); }
  // True once some target's discovery has succeeded (backs /readyz); stays true while later refreshes fail.
  bool Ready() const { return tools_.Ready(); }
  // Each target's discovery status, in configuration order (/readyz, `lambda-mcp tools`).
  std::vector<TargetStatus> TargetStatuses() const { return tools_.Statuses(); }
  // Every call stage's counters, "stage.counter" → value.
  StageCounters CallCounters() const { return chain_.Counters(); }
  // The circuit breakers' states (null when the breaker is off): for metrics, and keep-warm's IsOpen.
  std::shared_ptr<const CircuitBreakers> breakers() const { return breakers_; }

 private:
  const CatalogOptions options_;
  Clock& clock_;
  std::optional<CallAuditor> auditor_;
  PolicyHolder policy_;
  VisibleTools visible_;  // each caller's list under policy_
  std::optional<CallMetrics> call_metrics_;
  TargetTools tools_;
  std::shared_ptr<CircuitBreakers> breakers_;  // null: breaker off
  CallChain chain_;                            // last: its threads stop first
};

}  // namespace lmcp::catalog
