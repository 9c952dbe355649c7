#pragma once
// Stage: turns what Lambda said (LambdaCall::response, set by the stages below) into the MCP result: the
// payload as text/structured content, a function error or an AWS error as an isError result whose text says
// whether the function may have run; an Event tool's accepted invoke as "Accepted: ..., request id ...".
// Cancellations pass through as errors.

#include "catalog/call/call.h"

namespace lmcp::catalog {

struct MapResultOptions {
  std::size_t max_text_bytes = 1024 * 1024;
  bool compat_reference = false;  // the reference server's texts
};

class MapResult final : public CallStage {
 public:
  explicit MapResult(MapResultOptions options) : options_(options) {}
  std::string_view name() const override { return "map_result"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;

 private:
  const MapResultOptions options_;
};

}  // namespace lmcp::catalog
