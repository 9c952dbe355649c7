#include "catalog/call/propagate_trace.h"

#include "catalog/call/trace_context.h"

namespace lmcp::catalog {

Async<CallResult> PropagateTrace::Handle(LambdaCall& call, const CallNext& next) {
  const mcp::Json& meta = call.ctx.request_meta();
  std::optional<TraceContext> trace = ReadTraceContext(meta);
  if (!trace) {
    if (meta.is_object() && meta.contains("traceparent")) {
      ignored_.Add();
    }
    co_return co_await next(call);
  }
  propagated_.Add();
  call.record.trace_id = trace->trace_id;
  call.request.trace_header = XRayTraceHeader(*trace);
  call.request.client_context_json = ClientContextJson(*trace, kMaxClientContextBase64Bytes);
  co_return co_await next(call);
}

}  // namespace lmcp::catalog
