#include "catalog/call/resolve_tool.h"

namespace lmcp::catalog {

CallResult ResolveTool::Handle(LambdaCall& call, const CallNext& next) {
  auto entry = tools_.Find(call.tool);
  if (!entry.ok()) {
    unresolved_.Add();
    return entry.error();
  }
  call.entry = std::move(entry).value();
  return next(call);
}

}  // namespace lmcp::catalog
