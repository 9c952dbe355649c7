#pragma once
// Stage: picks the event from the arguments. They must be a JSON object (absent counts as {}). In the
// reference server's compat mode the event is their "parameters" member (an object, or an object given as a
// JSON string), and the errors read as the reference's do. The event must not carry "_mcp", reserved for the
// input responses of a retry (catalog/input_required.h). Ends the call with an isError result otherwise.

#include "catalog/call/call.h"

namespace lmcp::catalog {

class ShapeEvent final : public CallStage {
 public:
  explicit ShapeEvent(bool compat_reference) : compat_reference_(compat_reference) {}
  std::string_view name() const override { return "shape_event"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override { return {{"rejected", rejected_.value()}}; }

 private:
  CallResult Reject(LambdaCall& call, std::string text);
  const bool compat_reference_;
  Counter rejected_;
};

}  // namespace lmcp::catalog
