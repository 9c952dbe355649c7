#pragma once
// Stage: the request's W3C trace context (_meta traceparent/tracestate; trace_context.h) goes with the
// Invoke: as the X-Ray X-Amzn-Trace-Id header and in the ClientContext's `custom`, and its trace id into the
// audit record. It sets only those fields of the request; build_invoke_request fills in the rest. An absent
// or invalid traceparent sends nothing and never fails the call.

#include "catalog/call/call.h"

namespace lmcp::catalog {

class PropagateTrace final : public CallStage {
 public:
  std::string_view name() const override { return "propagate_trace"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override {
    return {{"propagated", propagated_.value()}, {"ignored", ignored_.value()}};
  }

 private:
  Counter propagated_;  // calls with a valid traceparent
  Counter ignored_;     // calls whose traceparent was invalid
};

}  // namespace lmcp::catalog
