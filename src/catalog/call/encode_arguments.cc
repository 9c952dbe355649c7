#include "catalog/call/encode_arguments.h"

namespace lmcp::catalog {

std::string DumpJson(const mcp::Json& value) {
  return value.dump(-1, ' ', false, mcp::Json::error_handler_t::replace);
}

Async<CallResult> EncodeArguments::Handle(LambdaCall& call, const CallNext& next) {
  call.arguments_text = DumpJson(call.arguments);
  call.record.request_bytes = call.arguments_text.size();
  co_return co_await next(call);
}

}  // namespace lmcp::catalog
