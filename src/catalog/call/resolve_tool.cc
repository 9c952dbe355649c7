#include "catalog/call/resolve_tool.h"

namespace lmcp::catalog {

Async<CallResult> ResolveTool::Handle(LambdaCall& call, const CallNext& next) {
  auto entry = tools_.Find(call.tool);
  if (!entry.ok()) {
    unresolved_.Add();
    co_return entry.error();
  }
  call.entry = std::move(entry).value();
  co_return co_await next(call);
}

}  // namespace lmcp::catalog
