#pragma once
// Stage: the per-client policy (catalog/policy.h) decides whether the caller may call the tool, before any
// AWS request. A denied tool, or one the caller cannot see, ends the call exactly as an unknown tool does
// (resolve_tool's error): nothing tells the caller that it exists (audited: outcome `denied`). An allowed
// call whose arguments fail the rule's argument constraint ends with an isError result naming the rule, one
// line per problem (audited: decision allow, outcome `invalid_arguments`). Every decision is recorded for the
// audit line (rule, decision). Without a policy the stage only passes through.

#include "catalog/call/call.h"
#include "catalog/policy.h"

namespace lmcp::catalog {

class ApplyPolicy final : public CallStage {
 public:
  explicit ApplyPolicy(const PolicyHolder& policy) : policy_(policy) {}
  std::string_view name() const override { return "apply_policy"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override {
    return {
        {"allowed", allowed_.value()}, {"denied", denied_.value()}, {"arguments_denied", arguments_.value()}};
  }

 private:
  const PolicyHolder& policy_;
  Counter allowed_;
  Counter denied_;
  Counter arguments_;
};

}  // namespace lmcp::catalog
