#include "catalog/call/compose.h"

#include "catalog/call/apply_policy.h"
#include "catalog/call/attach_input.h"
#include "catalog/call/build_invoke_request.h"
#include "catalog/call/encode_arguments.h"
#include "catalog/call/function_concurrency.h"
#include "catalog/call/invoke_function.h"
#include "catalog/call/map_result.h"
#include "catalog/call/propagate_trace.h"
#include "catalog/call/report_progress.h"
#include "catalog/call/shape_event.h"
#include "catalog/call/validate_arguments.h"

namespace lmcp::catalog {

// A stage wraps every stage after it: the audit stage sees how the call below it ended, MapResult turns what
// the invoke stage left into the MCP result, and a stage placed between them (concurrency, progress; later
// breaker and cache) works on the raw response. Stages whose option is off are left out.
CallChain ComposeCallChain(const CatalogOptions& options, const CallDependencies& deps) {
  const bool compat = options.compat == CompatMode::kReference;
  CallChain chain;
  chain.Add(std::make_unique<ResolveTool>(deps.tools));
  chain.Add(std::make_unique<EncodeArguments>());
  chain.Add(std::make_unique<PropagateTrace>());
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
  // rate limits: a later issue.
  if (options.max_concurrency_per_function > 0) {
    chain.Add(std::make_unique<FunctionConcurrency>(options.max_concurrency_per_function));
  }
  // circuit breaker and cache: later issues.
  if (options.progress_interval.count() > 0) {
    chain.Add(std::make_unique<ReportProgress>(
        deps.clock, ProgressOptions{.first = std::min<Clock::Duration>(std::chrono::seconds(1),
                                                                       options.progress_interval),
                                    .every = options.progress_interval}));
  }
  chain.Add(std::make_unique<InvokeFunction>(deps.backend));  // the entry's target backend first
  return chain;
}

}  // namespace lmcp::catalog
