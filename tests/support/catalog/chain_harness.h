#pragma once
// A composed tools/call chain over a FakeLambdaBackend, a FakeClock and an in-memory audit sink, with tools
// the test defines (tags, target, qualifier): for the stage tests of catalog/call/.

#include <map>
#include <memory>
#include <string>

#include "catalog/call/compose.h"
#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/catalog/test_call_context.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {

// Tools by name; each invokes the function of the same name in account 123456789012, us-east-1.
class ToolTable final : public ToolDirectory {
 public:
  ToolEntry& Add(const std::string& tool, Tags tags = {}) {
    auto e = std::make_shared<ToolEntry>();
    e->definition.name = tool;
    e->function.name = tool;
    e->function.arn = "arn:aws:lambda:us-east-1:123456789012:function:" + tool;
    e->function.timeout_seconds = 20;
    e->tags = std::move(tags);
    entries_[tool] = e;
    return *e;
  }
  Result<std::shared_ptr<const ToolEntry>> Find(const std::string& tool) override {
    auto it = entries_.find(tool);
    if (it == entries_.end()) {
      return Error::NotFound("Unknown tool: " + tool);
    }
    return std::shared_ptr<const ToolEntry>(it->second);
  }

 private:
  std::map<std::string, std::shared_ptr<ToolEntry>> entries_;
};

struct ChainHarness {
  CallChain Compose(const CatalogOptions& options) {
    return ComposeCallChain(options,
                            {.tools = tools, .clock = clock, .auditor = &auditor, .backend = &backend});
  }
  // One call of `tool` by `principal`; the result, and the audit line it wrote in last_audit().
  CallResult Call(const CallChain& chain, const std::string& tool, mcp::Json arguments = mcp::Json::object(),
                  const std::string& principal = "alice") {
    TestCallContext ctx;
    ctx.caller.name = principal;
    LambdaCall call(tool, std::move(arguments), ctx, clock.Steady());
    return BlockOn(chain.Run(call));
  }
  mcp::Json last_audit() const {
    auto lines = sink.lines();
    return lines.empty() ? mcp::Json() : mcp::Json::parse(lines.back());
  }
  int invokes() const { return backend.invoke_calls.load(); }

  ToolTable tools;
  FakeLambdaBackend backend;
  FakeClock clock;
  MemoryAuditSink sink;
  CallAuditor auditor{sink, clock};
};

// The value of counter `name` ("stage.counter") in `counters`, or -1 when absent.
inline std::int64_t CounterValue(const StageCounters& counters, const std::string& name) {
  for (const auto& [n, v] : counters) {
    if (n == name) {
      return static_cast<std::int64_t>(v);
    }
  }
  return -1;
}

}  // namespace lmcp::catalog
