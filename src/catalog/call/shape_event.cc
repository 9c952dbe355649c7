#include "catalog/call/shape_event.h"

#include "catalog/input_required.h"
#include "common/json.h"

namespace lmcp::catalog {

CallResult ShapeEvent::Reject(LambdaCall& call, std::string text) {
  rejected_.Add();
  call.record.outcome = "invalid_arguments";
  return ErrorResult(std::move(text));
}

Async<CallResult> ShapeEvent::Handle(LambdaCall& call, const CallNext& next) {
  static const mcp::Json kEmptyObject = mcp::Json::object();
  const mcp::Json* event = call.arguments.is_null() ? &kEmptyObject : &call.arguments;
  if (!event->is_object()) {
    co_return Reject(call, "Tool arguments must be a JSON object.");
  }
  if (compat_reference_) {
    auto p = event->find("parameters");
    if (p == event->end()) {
      co_return Reject(call,
                       "Error executing tool " + call.tool +
                           ": 1 validation error for lambda_functionArguments\nparameters\n  Field required "
                           "[type=missing, input_type=dict]");
    }
    event = &*p;
    if (event->is_string()) {
      auto parsed = ParseJson(event->get_ref<const std::string&>());
      if (parsed.ok()) {
        call.parsed_parameters = std::move(parsed).value();
      }
      event = &call.parsed_parameters;
    }
    if (!event->is_object()) {
      co_return Reject(call,
                       "Error executing tool " + call.tool +
                           ": 1 validation error for lambda_functionArguments\nparameters\n  Input should be "
                           "a valid dictionary [type=dict_type]");
    }
  }
  if (event->contains(kInputEventMember)) {
    co_return Reject(call,
                     std::string("The argument \"") + kInputEventMember +
                         "\" is reserved: lambda-mcp puts the client's input responses there when a function "
                         "that asked for input is invoked again. The function was not invoked.");
  }
  call.event = event;
  co_return co_await next(call);
}

}  // namespace lmcp::catalog
