#include "catalog/call/audit_call.h"

#include "common/iso8601.h"

namespace lmcp::catalog {
namespace {

// The audit outcome of a call whose result does not reach the client: `cancelled` by the client,
// `abandoned` at server shutdown (the client was told the function may have run), `client_gone` when the
// transport could no longer deliver it. Null when the result is delivered.
const char* UndeliveredOutcome(mcp::CallFate fate) {
  switch (fate) {
    case mcp::CallFate::kCancelled:
      return "cancelled";
    case mcp::CallFate::kAbandoned:
      return "abandoned";
    case mcp::CallFate::kClientGone:
      return "client_gone";
    case mcp::CallFate::kDeliver:
      break;
  }
  return nullptr;
}

// What the record says once the call's fate is known: a stop becomes the fate's outcome; a finished
// invocation whose result is not delivered keeps what it came to in `detail`.
void ApplyFate(mcp::CallFate fate, CallRecord& record) {
  const char* undelivered = UndeliveredOutcome(fate);
  if (undelivered == nullptr || record.outcome == undelivered) {
    return;
  }
  if (record.outcome == "cancelled") {
    record.outcome = undelivered;
    return;
  }
  if (record.invoked) {
    record.detail = "result not delivered; the invocation ended " + record.outcome +
                    (record.detail.empty() ? "" : ": " + record.detail);
    record.outcome = undelivered;
  }
}

}  // namespace

void CallAuditor::Write(const std::string& tool, const ToolEntry* entry, const std::string& principal,
                        Clock::SteadyTime start, const std::string& arguments_hmac,
                        const CallRecord& record) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock_.Steady() - start).count();
  double ms = static_cast<double>(us) / 1000.0;
  mcp::Json line = {{"time", FormatIso8601Millis(clock_.Now())},
                    {"event", "tools/call"},
                    {"tool", tool},
                    {"principal", principal}};
  if (entry) {
    line["function_arn"] = entry->function.arn;
    line["qualifier"] = entry->qualifier;
  }
  line["outcome"] = record.outcome.empty() ? "error" : record.outcome;
  line["duration_ms"] = ms;
  line["request_bytes"] = record.request_bytes;
  line["arguments_hmac"] = arguments_hmac;
  if (record.responded) {
    line["response_bytes"] = record.response_bytes;
    line["executed_version"] = record.executed_version;
    line["request_id"] = record.request_id;
    if (!record.function_error.empty()) {
      line["function_error"] = record.function_error;
    }
  }
  if (!record.trace_id.empty()) {
    line["trace_id"] = record.trace_id;
  }
  if (!record.task_id.empty()) {
    line["task_id"] = record.task_id;
  }
  if (!record.decision.empty()) {
    line["decision"] = record.decision;
    line["rule"] = record.rule.empty() ? mcp::Json(nullptr) : mcp::Json(record.rule);
  }
  if (!record.detail.empty()) {
    line["detail"] = record.detail;
  }
  sink_.Write(line.dump(-1, ' ', false, mcp::Json::error_handler_t::replace));
}

Async<CallResult> AuditCall::Handle(LambdaCall& call, const CallNext& next) {
  const std::string hmac = auditor_.ArgumentsHmac(call.arguments_text);
  CallResult result = co_await next(call);
  ApplyFate(call.ctx.fate(), call.record);
  call.record.task_id = call.ctx.task_id();
  auditor_.Write(call.tool, call.entry.get(), call.ctx.principal(), call.start, hmac, call.record);
  lines_.Add();
  co_return result;
}

}  // namespace lmcp::catalog
