#include "catalog/call/map_result.h"

#include "catalog/result_mapping.h"

namespace lmcp::catalog {

Async<CallResult> MapResult::Handle(LambdaCall& call, const CallNext& next) {
  CallResult below = co_await next(call);
  if (!below.ok() || !call.response.has_value()) {
    co_return below;  // cancelled, or ended by a stage below with its own result
  }
  ResultContext rc;
  rc.tool = call.tool;
  rc.function = call.entry->function.name;
  rc.function_arn = call.entry->function.arn;
  rc.qualifier = call.entry->qualifier;
  rc.protocol_version = call.ctx.protocol_version();
  rc.stateless = call.ctx.stateless();
  rc.max_text_bytes = options_.max_text_bytes;
  rc.compat_reference = options_.compat_reference;
  rc.timeout_seconds = call.timeout_seconds;
  Result<InvokeResponse>& response = *call.response;
  if (!response.ok()) {
    co_return MapInvokeError(response.error(), rc);
  }
  if (call.entry->invocation_type == InvocationType::kEvent && response->function_error.empty()) {
    co_return MapEventAccepted(*response, rc);  // Lambda queued the event; there is no result to map
  }
  mcp::ToolResult result = MapInvokeResponse(std::move(response).value(), rc);
  if (result.input_required && call.record.detail.empty()) {
    call.record.detail = "input required";  // the audit line tells a question from an answer
  }
  co_return result;
}

}  // namespace lmcp::catalog
