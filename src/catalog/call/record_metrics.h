#pragma once
// Stage: the call's metrics, recorded after everything below has run (it wraps the audit stage, so it sees
// the outcome the audit line gets): calls by tool, target and outcome; the whole call's latency and the
// Lambda Invoke's alone; calls in flight; throttles, ours and Lambda's. Only calls that reached a tool are
// counted (an unknown tool is neither audited nor counted). Updates are lock-free once a tool's series
// exist (common/metrics.h).

#include "catalog/call/call.h"
#include "common/metrics.h"

namespace lmcp::catalog {

// The series the stage updates, registered once per registry.
struct CallMetrics {
  metrics::CounterFamily& calls;              // lambda_mcp_tool_calls_total{tool,target,outcome}
  metrics::HistogramFamily& duration;         // lambda_mcp_tool_call_duration_seconds{tool,target}
  metrics::HistogramFamily& lambda_duration;  // lambda_mcp_lambda_invoke_duration_seconds{tool,target}
  metrics::Gauge& in_flight;                  // lambda_mcp_tool_calls_in_flight
  metrics::CounterFamily& throttles;          // lambda_mcp_throttles_total{source,tool,target}

  static CallMetrics Register(metrics::Registry& registry);
};

// The target a tool belongs to, for the `target` label: "default" for the one unnamed target.
std::string_view TargetOf(const ToolEntry& entry);

class RecordMetrics final : public CallStage {
 public:
  RecordMetrics(CallMetrics& metrics, Clock& clock) : metrics_(metrics), clock_(clock) {}
  std::string_view name() const override { return "record_metrics"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;

 private:
  CallMetrics& metrics_;
  Clock& clock_;
};

}  // namespace lmcp::catalog
