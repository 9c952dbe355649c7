#include "catalog/lambda_catalog.h"

#include "catalog/call/compose.h"
#include "catalog/call/encode_arguments.h"
#include "catalog/call/trace_context.h"

namespace lmcp::catalog {

LambdaCatalog::LambdaCatalog(CatalogOptions options, BackendFactory backends, Clock& clock, AuditSink* audit,
                             metrics::Registry* metrics, GuardrailStores stores)
    : options_(std::move(options)), clock_(clock), tools_(options_, std::move(backends), clock) {
  if (audit) {
    auditor_.emplace(*audit, clock);
  }
  if (options_.guardrails.breaker.enabled) {
    breakers_ = std::make_shared<CircuitBreakers>(options_.guardrails.breaker, clock);
  }
  if (metrics) {
    call_metrics_.emplace(CallMetrics::Register(*metrics));
  }
  chain_ = ComposeCallChain(options_, {.tools = tools_,
                                       .clock = clock,
                                       .auditor = auditor_ ? &*auditor_ : nullptr,
                                       .policy = &policy_,
                                       .metrics = call_metrics_ ? &*call_metrics_ : nullptr,
                                       .breakers = breakers_,
                                       .rate_limit_store = std::move(stores.rate_limits),
                                       .result_cache_store = std::move(stores.results)});
}

Result<mcp::ToolList> LambdaCatalog::ListToolsFor(const mcp::Identity& caller) {
  const std::shared_ptr<const Policy> policy = policy_.Get();
  if (!policy->enabled()) {
    return tools_.List();
  }
  auto entries = tools_.ListEntries();
  if (!entries.ok()) {
    return entries.error();
  }
  return visible_.For(caller, policy, *entries);
}

void LambdaCatalog::SetPolicy(std::shared_ptr<const Policy> policy) {
  policy_.Set(policy ? std::move(policy) : Policy::AllowAll());
  tools_.NotifyListChanged();
}

LambdaCatalog::LambdaCatalog(CatalogOptions options, LambdaBackend& backend, Clock& clock, AuditSink* audit,
                             metrics::Registry* metrics)
    : LambdaCatalog(
          std::move(options),
          [&backend](const TargetOptions&) -> Result<std::shared_ptr<LambdaBackend>> {
            return std::shared_ptr<LambdaBackend>(std::shared_ptr<LambdaBackend>(), &backend);  // not owned
          },
          clock, audit, metrics) {}

LambdaCatalog::~LambdaCatalog() = default;

Result<mcp::ToolResult> LambdaCatalog::CallTool(const std::string& name, mcp::Json arguments,
                                                mcp::CallContext& ctx) {
  return BlockOn(CallToolAsync(name, std::move(arguments), ctx));
}

Async<Result<mcp::ToolResult>> LambdaCatalog::CallToolAsync(std::string name, mcp::Json arguments,
                                                            mcp::CallContext& ctx) {
  LambdaCall call(std::move(name), std::move(arguments), ctx, clock_.Steady());  // in this frame
  co_return co_await chain_.Run(call);
}

void LambdaCatalog::CallNotInvoked(const std::string& name, const mcp::Json& arguments,
                                   const mcp::Json& request_meta, const std::string& principal,
                                   NotInvoked why, const std::string& detail) {
  if (!auditor_) {
    return;
  }
  CallRecord record;
  switch (why) {
    case NotInvoked::kRefused:
      record.outcome = "refused";
      break;
    case NotInvoked::kQueueTimeout:
      record.outcome = "queue_timeout";
      break;
    case NotInvoked::kCancelled:
      record.outcome = "cancelled";
      break;
    case NotInvoked::kClientGone:
      record.outcome = "client_gone";
      break;
    case NotInvoked::kShutdown:
      record.outcome = "not_started";
      break;
  }
  record.detail = detail + "; the function was not invoked";
  if (auto trace = ReadTraceContext(request_meta)) {
    record.trace_id = trace->trace_id;
  }
  const std::string args_text = DumpJson(arguments);
  record.request_bytes = args_text.size();
  auditor_->Write(name, tools_.Peek(name).get(), principal, clock_.Steady(),
                  auditor_->ArgumentsHmac(args_text), record);
}

}  // namespace lmcp::catalog
