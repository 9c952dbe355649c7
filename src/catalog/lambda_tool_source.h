#pragma once
// The production wiring of the catalog in one call: one AWS backend per target (region, endpoint,
// credentials), the audit sink and the LambdaCatalog, owned together behind mcp::ToolProvider. Used by
// `lambda-mcp serve` and `lambda-mcp tools`.

#include <memory>

#include "catalog/catalog_options.h"
#include "catalog/lambda_catalog.h"
#include "common/clock.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

class LambdaToolSource : public mcp::ToolProvider {
 public:
  // Fails on configuration the AWS layer rejects for a target given now (unknown profile, no region) or an
  // unwritable audit file. Missing or broken credentials are not an error here: discovery reports them and
  // keeps retrying. Targets added later (SetTargets) that cannot be built are failing targets instead.
  // `metrics` (may be null) gets the call series and must outlive the source.
  // `stores`: the guardrails' shared state (null members: in memory).
  // With `serve_target_errors` (stdio, where a client shows only "connection closed" for a process that
  // exits), a target the AWS layer rejects is a failing target from the start instead: the server stays up
  // and tools/list answers with the reason.
  static Result<std::unique_ptr<LambdaToolSource>> Create(const CatalogOptions& options, Clock& clock,
                                                          metrics::Registry* metrics = nullptr,
                                                          GuardrailStores stores = {},
                                                          bool serve_target_errors = false);
  // For tests and other backends: `backend` is owned and serves every target.
  LambdaToolSource(const CatalogOptions& options, std::unique_ptr<LambdaBackend> backend,
                   std::unique_ptr<AuditSink> audit, Clock& clock, metrics::Registry* metrics = nullptr);

  void Start() { catalog_->Start(); }
  LambdaCatalog& catalog() { return *catalog_; }

  Result<mcp::ToolList> ListTools() override { return catalog_->ListTools(); }
  Result<mcp::ToolList> ListToolsFor(const mcp::Identity& caller) override {
    return catalog_->ListToolsFor(caller);
  }
  bool ListsDifferPerPrincipal() const override { return catalog_->ListsDifferPerPrincipal(); }
  Result<mcp::ToolResult> CallTool(const std::string& name, mcp::Json arguments,
                                   mcp::CallContext& ctx) override {
    return catalog_->CallTool(name, std::move(arguments), ctx);
  }
  // Forwarded, or every call would take the default: the blocking CallTool, a worker thread per call.
  Async<Result<mcp::ToolResult>> CallToolAsync(std::string name, mcp::Json arguments,
                                               mcp::CallContext& ctx) override {
    return catalog_->CallToolAsync(std::move(name), std::move(arguments), ctx);
  }
  void CallNotInvoked(const std::string& name, const mcp::Json& arguments, const mcp::Json& request_meta,
                      const std::string& principal, NotInvoked why, const std::string& detail) override {
    catalog_->CallNotInvoked(name, arguments, request_meta, principal, why, detail);
  }
  void SetListChangedCallback(std::function<void()> callback) override {
    catalog_->SetListChangedCallback(std::move(callback));
  }

 private:
  LambdaToolSource(const CatalogOptions& options, BackendFactory backends, std::unique_ptr<AuditSink> audit,
                   Clock& clock, metrics::Registry* metrics, GuardrailStores stores);

  std::shared_ptr<LambdaBackend> backend_;  // the test constructor's
  std::unique_ptr<AuditSink> audit_;
  std::unique_ptr<LambdaCatalog> catalog_;  // last: destroyed first
};

// The audit key: from options.audit_key_file (which must exist), else the default path (generated there on
// first use). Where no default path exists or it cannot be created, a key for this run only (warned).
Result<std::string> LoadLambdaAuditKey(const CatalogOptions& options);

// Logs the effective selection (settings, warnings) at startup, like the reference's settings lines.
void LogCatalogOptions(const CatalogOptions& options);

}  // namespace lmcp::catalog
