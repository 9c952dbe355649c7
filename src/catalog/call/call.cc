#include "catalog/call/call.h"

#include <cassert>

namespace lmcp::catalog {

Async<CallResult> CallNext::operator()(LambdaCall& call) const { return chain_.RunFrom(index_, call); }

Async<CallResult> CallChain::RunFrom(std::size_t index, LambdaCall& call) const {
  // The innermost stage (InvokeFunction) never calls next; a chain that runs past its end is mis-composed.
  assert(index < stages_.size());
  if (index >= stages_.size()) {
    co_return Error::Internal("the call chain ended before any stage answered");
  }
  const CallNext next(*this, index + 1);  // in this frame: it outlives the stage's coroutine
  co_return co_await stages_[index]->Handle(call, next);
}

StageCounters CallChain::Counters() const {
  StageCounters all;
  for (const auto& stage : stages_) {
    for (auto& [name, value] : stage->counters()) {
      all.emplace_back(std::string(stage->name()) + "." + name, value);
    }
  }
  return all;
}

std::vector<std::string_view> CallChain::StageNames() const {
  std::vector<std::string_view> names;
  for (const auto& stage : stages_) {
    names.push_back(stage->name());
  }
  return names;
}

mcp::ToolResult ErrorResult(std::string text) {
  mcp::ToolResult r;
  r.content = mcp::Json::array({mcp::Json{{"type", "text"}, {"text", std::move(text)}}});
  r.is_error = true;
  return r;
}

}  // namespace lmcp::catalog
