#pragma once
// Stage: turns the event into the Invoke request. The payload is the arguments' text moved in (or, in compat
// mode, the "parameters" member serialized); the arguments' value is freed here, before the function runs.
// The invocation type is the entry's (an Event tool is queued by Lambda, 202 at once). The read timeout is
// fixed, or the function's own Timeout plus a margin. An event over Lambda's limit for the invocation type
// (6 MB synchronous, 1 MB Event) ends the call with an isError result; the function is not invoked.

#include "catalog/call/call.h"

namespace lmcp::catalog {

// Lambda's synchronous request limit (6 MB); larger events are refused before sending.
inline constexpr std::size_t kMaxInvokePayloadBytes = kMaxSyncInvokePayloadBytes;

struct InvokeRequestOptions {
  std::chrono::seconds fixed_timeout{0};    // > 0: the read timeout for every function
  std::chrono::seconds timeout_margin{10};  // otherwise: the function's Timeout plus this
  bool log_tail = false;                    // ask for the log tail (LogType=Tail; synchronous calls only)
};

class BuildInvokeRequest final : public CallStage {
 public:
  explicit BuildInvokeRequest(InvokeRequestOptions options) : options_(options) {}
  std::string_view name() const override { return "build_invoke_request"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override { return {{"too_large", too_large_.value()}}; }

 private:
  const InvokeRequestOptions options_;
  Counter too_large_;
};

}  // namespace lmcp::catalog
