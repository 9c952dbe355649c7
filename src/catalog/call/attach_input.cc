#include "catalog/call/attach_input.h"

#include "catalog/input_required.h"

namespace lmcp::catalog {

Async<CallResult> AttachInput::Handle(LambdaCall& call, const CallNext& next) {
  const mcp::Json& responses = call.ctx.input_responses();
  const mcp::Json& state = call.ctx.request_state();
  if (!call.ctx.stateless() || (responses.is_null() && state.is_null())) {
    co_return co_await next(call);
  }
  retries_.Add();
  call.event_with_input = EventWithInput(*call.event, responses, state);
  call.event = &call.event_with_input;
  co_return co_await next(call);
}

}  // namespace lmcp::catalog
