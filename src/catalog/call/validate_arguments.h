#pragma once
// Stage: checks the event against the tool's input schema (when discovery found one). A mismatch ends the
// call with an isError result listing every problem; the function is not invoked.

#include "catalog/call/call.h"

namespace lmcp::catalog {

class ValidateArguments final : public CallStage {
 public:
  std::string_view name() const override { return "validate_arguments"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override { return {{"rejected", rejected_.value()}}; }

 private:
  Counter rejected_;
};

}  // namespace lmcp::catalog
