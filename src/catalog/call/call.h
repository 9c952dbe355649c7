#pragma once
// One tools/call on its way through the call chain, and the stage interface. The chain is composed once, in
// compose.cc, and reads like a recipe. A stage does its part and awaits `next` for the rest of the chain, or
// ends the call without calling it (a validation error; later a cache hit or an open breaker). What a stage
// does after `co_await next(call)` sees the outcome of everything below it, the way Envoy's filters wrap
// each other. Stages are coroutines (common/async.h): a call that waits (for a per-function slot, for
// Lambda) holds its coroutine frames, not a thread, and goes on on whichever thread ended the wait; a stage
// never blocks a thread for longer than a lock held briefly. Stages are shared by all calls: they keep
// per-call state in LambdaCall and must be thread-safe. The LambdaCall and its CallContext outlive the run.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/discovery.h"
#include "catalog/lambda_backend.h"
#include "common/async.h"
#include "common/clock.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

using CallResult = Result<mcp::ToolResult>;

// What the audit line of a call says; each stage that ends the call, or learns how it ended, fills it in.
struct CallRecord {
  // ok | function_error | timeout | error (the invocation's) | throttled (by Lambda, or by a rate limit:
  // nothing invoked) | cancelled | invalid_arguments | too_large | breaker_open | cache_hit | denied (by the
  // policy) | accepted (an Event tool's invoke Lambda queued)
  std::string outcome;
  std::string detail;
  bool invoked = false;                // the request went to Lambda: the outcome is the invocation's
  Clock::Duration invoke_duration{0};  // InvokeFunction: time spent in the Invoke (Lambda alone)
  std::size_t request_bytes = 0;       // the arguments' size as JSON; the event's once it is built
  bool responded = false;              // Lambda answered; the fields below describe the answer
  std::size_t response_bytes = 0;
  std::string executed_version;
  std::string request_id;
  std::string function_error;  // "" | "Handled" | "Unhandled"
  std::string trace_id;        // the W3C trace id of the request's valid traceparent; "" = none
  std::string decision;        // the policy's: "allow" | "deny"; "" = no policy configured
  std::string rule;            // the policy rule that decided; "" = none (default deny, or no policy)
  std::string task_id;         // the MCP task the call runs for (CallContext::task_id); "" = a plain call
};

struct LambdaCall {
  LambdaCall(std::string tool_name, mcp::Json args, mcp::CallContext& call_ctx, Clock::SteadyTime started)
      : tool(std::move(tool_name)), arguments(std::move(args)), ctx(call_ctx), start(started) {}

  const std::string tool;
  mcp::Json arguments;  // the client's; freed once the event text exists (BuildInvokeRequest)
  mcp::CallContext& ctx;
  const Clock::SteadyTime start;

  // Filled in by the stages, in chain order.
  std::shared_ptr<const ToolEntry> entry;  // ResolveTool; holds its discovery snapshot alive
  std::string arguments_text;              // EncodeArguments: the arguments as JSON, serialized once
  const mcp::Json* event = nullptr;        // ShapeEvent: the arguments, or (compat) their "parameters"
  mcp::Json parsed_parameters;             // ShapeEvent (compat): "parameters" sent as a JSON string
  mcp::Json event_with_input;              // AttachInput: on a retry, the event plus "_mcp"
  InvokeRequest request;                   // PropagateTrace, then BuildInvokeRequest; moves into the Invoke
  int timeout_seconds = 0;                 // BuildInvokeRequest: the read timeout, whole seconds
  std::optional<Result<InvokeResponse>> response;  // InvokeFunction (or a later cache): what Lambda said
  CallRecord record;
};

// A stage's counters as name → value, for tests and metrics.
using StageCounters = std::vector<std::pair<std::string, std::uint64_t>>;

class CallChain;

// The rest of the chain after the current stage.
class CallNext {
 public:
  CallNext(const CallChain& chain, std::size_t index) : chain_(chain), index_(index) {}
  Async<CallResult> operator()(LambdaCall& call) const;

 private:
  const CallChain& chain_;
  std::size_t index_;
};

class CallStage {
 public:
  virtual ~CallStage() = default;
  virtual std::string_view name() const = 0;
  // `next` stays valid until the returned coroutine ends.
  virtual Async<CallResult> Handle(LambdaCall& call, const CallNext& next) = 0;
  virtual StageCounters counters() const { return {}; }
};

class CallChain {
 public:
  CallChain() = default;
  CallChain(CallChain&&) = default;
  CallChain& operator=(CallChain&&) = default;

  void Add(std::unique_ptr<CallStage> stage) { stages_.push_back(std::move(stage)); }
  // Runs the call through every stage; `call` must outlive the returned coroutine.
  Async<CallResult> Run(LambdaCall& call) const { return RunFrom(0, call); }
  // Every stage's counters as "stage.counter" → value, in chain order.
  StageCounters Counters() const;
  std::vector<std::string_view> StageNames() const;

 private:
  friend class CallNext;
  Async<CallResult> RunFrom(std::size_t index, LambdaCall& call) const;
  std::vector<std::unique_ptr<CallStage>> stages_;
};

// A counter a stage bumps from many threads.
class Counter {
 public:
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// An isError result with one text block: the model sees what went wrong.
mcp::ToolResult ErrorResult(std::string text);

}  // namespace lmcp::catalog
