#pragma once
// Stage: finds the called tool among the discovered ones. An unknown tool, or a discovery that has not
// succeeded yet, ends the call with an error that names the cause; such calls are not audited (there is no
// function to name).

#include "catalog/call/call.h"

namespace lmcp::catalog {

// Where the tools are: the discovered snapshot in production.
class ToolDirectory {
 public:
  virtual ~ToolDirectory() = default;
  // The entry, sharing ownership of the snapshot it belongs to; kNotFound for an unknown tool, or the
  // discovery's error while no discovery has succeeded.
  virtual Result<std::shared_ptr<const ToolEntry>> Find(const std::string& tool) = 0;
};

class ResolveTool final : public CallStage {
 public:
  explicit ResolveTool(ToolDirectory& tools) : tools_(tools) {}
  std::string_view name() const override { return "resolve_tool"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override { return {{"unresolved", unresolved_.value()}}; }

 private:
  ToolDirectory& tools_;
  Counter unresolved_;
};

}  // namespace lmcp::catalog
