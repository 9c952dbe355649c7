#include "catalog/call/apply_policy.h"

namespace lmcp::catalog {

Async<CallResult> ApplyPolicy::Handle(LambdaCall& call, const CallNext& next) {
  const std::shared_ptr<const Policy> policy = policy_.Get();  // this call's, whatever a reload does
  if (!policy->enabled()) {
    co_return co_await next(call);
  }
  Decision d = policy->Evaluate(call.ctx.identity(), *call.entry, &call.arguments);
  call.record.rule = d.rule_id;
  call.record.decision = d.allowed ? "allow" : "deny";
  if (!d.allowed) {
    denied_.Add();
    call.record.outcome = "denied";
    call.record.detail = d.why + "; the function was not invoked";
    co_return Error::NotFound("Unknown tool: " + call.tool);  // word for word resolve_tool's
  }
  if (d.argument_problems.empty()) {
    allowed_.Add();
    co_return co_await next(call);
  }
  arguments_.Add();  // the problems may quote argument values: they go to the caller, not the audit log
  call.record.decision = "deny";  // the rule allows the tool, not these arguments
  call.record.outcome = "invalid_arguments";
  call.record.detail = d.why + "; the function was not invoked";
  std::string text = "Arguments not allowed for tool " + call.tool + " by policy rule '" + d.rule_id +
                     "' (the function was not invoked):";
  for (const auto& p : d.argument_problems) {
    text += "\n- " + p;
  }
  co_return ErrorResult(std::move(text));
}

}  // namespace lmcp::catalog
