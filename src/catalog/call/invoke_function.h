#pragma once
// Stage, the innermost: invokes the function once, through the backend of the target the entry came from
// (else the fallback given here, for tests) (an Invoke that may have reached Lambda is never re-sent)
// and leaves what Lambda said in LambdaCall::response for MapResult; its own result carries nothing. A stop
// (the client cancelled, the server shuts down) ends the call as cancelled. An Event tool's answer is the
// outcome "accepted": Lambda queued the event, and whether the function succeeds is never known here.

#include "catalog/call/call.h"

namespace lmcp::catalog {

class InvokeFunction final : public CallStage {
 public:
  InvokeFunction(LambdaBackend* fallback, Clock& clock) : fallback_(fallback), clock_(clock) {}
  std::string_view name() const override { return "invoke"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override {
    return {{"invoked", invoked_.value()},     {"function_errors", function_errors_.value()},
            {"errors", errors_.value()},       {"throttled", throttled_.value()},
            {"cancelled", cancelled_.value()}, {"accepted", accepted_.value()}};
  }

 private:
  LambdaBackend* fallback_;
  Clock& clock_;
  Counter invoked_;
  Counter function_errors_;
  Counter errors_;
  Counter throttled_;  // errors that are Lambda's throttling
  Counter cancelled_;
  Counter accepted_;  // Event invokes Lambda queued
};

}  // namespace lmcp::catalog
