#include "catalog/call/validate_arguments.h"

#include "catalog/input_schema.h"

namespace lmcp::catalog {

Async<CallResult> ValidateArguments::Handle(LambdaCall& call, const CallNext& next) {
  if (call.entry->validator) {
    auto problems = call.entry->validator->Validate(*call.event);
    if (!problems.empty()) {
      rejected_.Add();
      std::string text = "Invalid arguments for tool " + call.tool + " (the function was not invoked):";
      for (const auto& p : problems) {
        text += "\n- " + p;
      }
      call.record.outcome = "invalid_arguments";
      co_return ErrorResult(std::move(text));
    }
  }
  co_return co_await next(call);
}

}  // namespace lmcp::catalog
