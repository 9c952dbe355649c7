#include "catalog/call/compose.h"

#include "catalog/call/apply_policy.h"
#include "catalog/call/attach_input.h"
#include "catalog/call/build_invoke_request.h"
#include "catalog/call/encode_arguments.h"
#include "catalog/call/function_concurrency.h"
#include "catalog/call/invoke_function.h"
#include "catalog/call/map_result.h"
#include "catalog/call/propagate_trace.h"
#include "catalog/call/rate_limit.h"
#include "catalog/call/record_metrics.h"
#include "catalog/call/report_progress.h"
#include "catalog/call/result_cache.h"
#include "catalog/call/shape_event.h"
#include "catalog/call/validate_arguments.h"

namespace lmcp::catalog {

// A stage wraps every stage after it: the audit stage sees how the call below it ended, MapResult turns what
// the invoke stage left into the MCP result, and a stage placed between them (cache, limits, concurrency,
// breaker, progress) works on the raw response. Stages whose option is off are left out.
//
// Guardrail order: a cache hit costs Lambda nothing, so the cache comes before the rate limits (a hit takes
// no token, no slot, and is served while the breaker is open); the limits refuse before a call queues for a
// per-function slot; the breaker is asked last, right before the invoke, so a half-open probe is invoked at
// once instead of waiting in the concurrency queue.
CallChain ComposeCallChain(const CatalogOptions& options, const CallDependencies& deps) {
  const bool compat = options.compat == CompatMode::kReference;
  CallChain chain;
  chain.Add(std::make_unique<ResolveTool>(deps.tools));
  chain.Add(std::make_unique<EncodeArguments>());
  chain.Add(std::make_unique<PropagateTrace>());
  if (deps.metrics) {
    chain.Add(std::make_unique<RecordMetrics>(*deps.metrics, deps.clock));
  }
  if (deps.auditor) {
    chain.Add(std::make_unique<AuditCall>(*deps.auditor));
  }
  if (deps.policy) {  // after audit, so every decision is audited; before anything reaches AWS
    chain.Add(std::make_unique<ApplyPolicy>(*deps.policy));
  }
  chain.Add(std::make_unique<ShapeEvent>(compat));
  if (options.validate_arguments) {
    chain.Add(std::make_unique<ValidateArguments>());
  }
  chain.Add(std::make_unique<AttachInput>());
  chain.Add(std::make_unique<BuildInvokeRequest>(
      InvokeRequestOptions{.fixed_timeout = options.invoke_timeout,
                           .timeout_margin = options.invoke_timeout_margin,
                           .log_tail = options.log_tail}));
  chain.Add(std::make_unique<MapResult>(
      MapResultOptions{.max_text_bytes = options.max_result_bytes, .compat_reference = compat}));
  const GuardrailOptions& guard = options.guardrails;
  if (guard.cache.enabled()) {
    chain.Add(std::make_unique<ResultCache>(guard.cache, deps.clock, deps.result_cache_store));
  }
  if (guard.rate_limits.enabled()) {
    chain.Add(std::make_unique<RateLimiter>(guard.rate_limits, deps.clock, deps.rate_limit_store));
  }
  if (options.max_concurrency_per_function > 0) {
    chain.Add(std::make_unique<FunctionConcurrency>(options.max_concurrency_per_function));
  }
  if (guard.breaker.enabled) {
    auto breakers =
        deps.breakers ? deps.breakers : std::make_shared<CircuitBreakers>(guard.breaker, deps.clock);
    chain.Add(std::make_unique<CircuitBreaker>(std::move(breakers)));
  }
  if (options.progress_interval.count() > 0) {
    chain.Add(std::make_unique<ReportProgress>(
        deps.clock, ProgressOptions{.first = std::min<Clock::Duration>(std::chrono::seconds(1),
                                                                       options.progress_interval),
                                    .every = options.progress_interval}));
  }
  chain.Add(std::make_unique<InvokeFunction>(deps.backend, deps.clock));  // the entry's target backend first
  return chain;
}

}  // namespace lmcp::catalog
