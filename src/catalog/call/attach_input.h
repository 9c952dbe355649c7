#pragma once
// Stage: on the retry of a call whose function asked for input (MCP 2026-07-28), the event becomes the
// arguments plus "_mcp" {inputResponses, requestState}: the client's responses and the function's own state,
// verified by the core (catalog/input_required.h). Runs after validation, so the input schema sees only the
// client's arguments. Other calls pass through untouched.

#include "catalog/call/call.h"

namespace lmcp::catalog {

class AttachInput final : public CallStage {
 public:
  std::string_view name() const override { return "attach_input"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override { return {{"retries", retries_.value()}}; }

 private:
  Counter retries_;
};

}  // namespace lmcp::catalog
