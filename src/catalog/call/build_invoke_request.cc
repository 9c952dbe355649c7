#include "catalog/call/build_invoke_request.h"

#include "catalog/call/encode_arguments.h"

namespace lmcp::catalog {

Async<CallResult> BuildInvokeRequest::Handle(LambdaCall& call, const CallNext& next) {
  InvokeRequest& req = call.request;
  req.function = call.entry->function.arn;
  req.qualifier = call.entry->qualifier;
  req.type = call.entry->invocation_type;
  req.payload = call.event == &call.arguments ? std::move(call.arguments_text) : DumpJson(*call.event);
  // From here on only the text is needed: free the arguments' value now, not after the function returns.
  call.event = nullptr;
  call.arguments = mcp::Json();
  call.parsed_parameters = mcp::Json();
  call.event_with_input = mcp::Json();
  call.arguments_text = std::string();
  req.log_tail = options_.log_tail && req.type == InvocationType::kRequestResponse;
  req.read_timeout =
      options_.fixed_timeout.count() > 0
          ? std::chrono::milliseconds(options_.fixed_timeout)
          : std::chrono::milliseconds(std::chrono::seconds(call.entry->function.timeout_seconds) +
                                      options_.timeout_margin);
  call.timeout_seconds =
      static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(req.read_timeout).count());
  call.record.request_bytes = req.payload.size();
  if (call.record.request_bytes > MaxInvokePayloadBytes(req.type)) {
    too_large_.Add();
    call.record.outcome = "too_large";
    const bool event = req.type == InvocationType::kEvent;
    co_return ErrorResult("The arguments are " + std::to_string(call.record.request_bytes) +
                          " bytes as JSON, over Lambda's " +
                          (event ? "1 MB (1048576 bytes) limit for asynchronous (Event)"
                                 : "6 MB (6291456 bytes) limit for synchronous") +
                          " invocation; the function was not invoked.");
  }
  co_return co_await next(call);
}

}  // namespace lmcp::catalog
