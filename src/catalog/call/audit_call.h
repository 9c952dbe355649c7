#pragma once
// Stage: one audit line for every call that reached a tool, written after everything below it has run, with
// the outcome the stages recorded. A result the client will not get (cancelled, abandoned at shutdown, the
// client gone: mcp::CallFate) is audited as such, with what the invocation came to in `detail`. A call that
// runs for an MCP task names it (`task_id`). Lines never hold argument values: only their size and a keyed
// HMAC (AuditSink).

#include "catalog/audit_log.h"
#include "catalog/call/call.h"

namespace lmcp::catalog {

// Builds and writes audit lines; shared by the stage and by calls the MCP core answered without invoking.
class CallAuditor {
 public:
  CallAuditor(AuditSink& sink, Clock& clock) : sink_(sink), clock_(clock) {}
  std::string ArgumentsHmac(std::string_view arguments_text) const {
    return sink_.ArgumentsHmac(arguments_text);
  }
  // `entry` may be null (a tool no longer or not yet known).
  void Write(const std::string& tool, const ToolEntry* entry, const std::string& principal,
             Clock::SteadyTime start, const std::string& arguments_hmac, const CallRecord& record);

 private:
  AuditSink& sink_;
  Clock& clock_;
};

class AuditCall final : public CallStage {
 public:
  explicit AuditCall(CallAuditor& auditor) : auditor_(auditor) {}
  std::string_view name() const override { return "audit"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override { return {{"lines", lines_.value()}}; }

 private:
  CallAuditor& auditor_;
  Counter lines_;
};

}  // namespace lmcp::catalog
