#include "catalog/call/invoke_function.h"

#include <cassert>

#include "catalog/result_mapping.h"

namespace lmcp::catalog {

Async<CallResult> InvokeFunction::Handle(LambdaCall& call, const CallNext& /*next: this stage is the last*/) {
  const ToolEntry& entry = *call.entry;
  call.ctx.Log(mcp::LogLevel::kDebug, mcp::Json("Invoking " + entry.function.name +
                                                (entry.qualifier.empty() ? "" : ":" + entry.qualifier)));
  auto stop = call.ctx.stop_token();
  invoked_.Add();
  call.record.invoked = true;
  LambdaBackend* backend = entry.backend ? entry.backend.get() : fallback_;
  assert(backend != nullptr && "an entry without a backend needs the chain's fallback");
  const auto invoke_start = clock_.Steady();
  Result<InvokeResponse> response = co_await backend->InvokeAsync(std::move(call.request), stop);
  CallRecord& record = call.record;
  record.invoke_duration = clock_.Steady() - invoke_start;
  if (!response.ok()) {
    const Error& e = response.error();
    record.detail = e.message;
    if (e.code == ErrorCode::kCancelled || stop.stop_requested()) {
      cancelled_.Add();
      record.outcome = "cancelled";
      co_return Error::Cancelled("call cancelled");
    }
    errors_.Add();
    if (IsLambdaThrottle(e)) {
      throttled_.Add();
      record.outcome = "throttled";  // by Lambda (TooManyRequestsException); the function did not run
    } else {
      record.outcome = e.code == ErrorCode::kTimeout ? "timeout" : "error";
    }
  } else {
    record.responded = true;
    record.response_bytes = response->payload.size();
    record.executed_version = response->executed_version;
    record.request_id = response->request_id;
    record.function_error = response->function_error;
    record.outcome = response->function_error.empty() ? "ok" : "function_error";
    if (!response->function_error.empty()) {
      function_errors_.Add();
    } else if (entry.invocation_type == InvocationType::kEvent) {
      accepted_.Add();
      record.outcome = "accepted";  // queued by Lambda; the function's own outcome is never known
    }
  }
  call.response = std::move(response);
  co_return mcp::ToolResult{};
}

}  // namespace lmcp::catalog
