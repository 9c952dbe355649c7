#include "catalog/call/record_metrics.h"

namespace lmcp::catalog {
namespace {

double Seconds(Clock::Duration d) { return std::chrono::duration<double>(d).count(); }

// Where a throttled call was refused: "gateway" (our rate limits: nothing invoked) or "lambda" (the invoke
// stage saw TooManyRequestsException: reserved or account concurrency); null when it was not throttled.
const char* ThrottleSource(const CallRecord& record) {
  if (record.outcome != "throttled") {
    return nullptr;
  }
  return record.invoked ? "lambda" : "gateway";
}

}  // namespace

CallMetrics CallMetrics::Register(metrics::Registry& registry) {
  return CallMetrics{
      .calls =
          registry.AddCounter("lambda_mcp_tool_calls_total",
                              "tools/call that reached a tool, by tool, target and outcome (as audited).",
                              {"tool", "target", "outcome"}),
      .duration = registry.AddHistogram("lambda_mcp_tool_call_duration_seconds",
                                        "Whole tools/call latency through the call chain, in seconds.",
                                        {"tool", "target"}, metrics::LatencyBuckets()),
      .lambda_duration =
          registry.AddHistogram("lambda_mcp_lambda_invoke_duration_seconds",
                                "Latency of the Lambda Invoke alone (calls that were invoked), in seconds.",
                                {"tool", "target"}, metrics::LatencyBuckets()),
      .in_flight = registry.AddGauge("lambda_mcp_tool_calls_in_flight", "tools/call in the call chain now.")
                       .WithLabels({}),
      .throttles = registry.AddCounter("lambda_mcp_throttles_total",
                                       "Throttled tools/call: source=\"gateway\" refused by our limits, "
                                       "\"lambda\" by Lambda (TooManyRequests).",
                                       {"source", "tool", "target"}),
  };
}

std::string_view TargetOf(const ToolEntry& entry) {
  return entry.target.empty() ? std::string_view("default") : std::string_view(entry.target);
}

Async<CallResult> RecordMetrics::Handle(LambdaCall& call, const CallNext& next) {
  metrics_.in_flight.Add(1);
  CallResult result = co_await next(call);
  metrics_.in_flight.Add(-1);
  const CallRecord& record = call.record;
  const std::string_view target = TargetOf(*call.entry);
  const std::string_view outcome =
      record.outcome.empty() ? std::string_view("error") : std::string_view(record.outcome);
  metrics_.calls.WithLabels({call.tool, target, outcome}).Inc();
  metrics_.duration.WithLabels({call.tool, target}).Observe(Seconds(clock_.Steady() - call.start));
  if (record.invoked) {
    metrics_.lambda_duration.WithLabels({call.tool, target}).Observe(Seconds(record.invoke_duration));
  }
  if (const char* source = ThrottleSource(record)) {
    metrics_.throttles.WithLabels({source, call.tool, target}).Inc();
  }
  co_return result;
}

}  // namespace lmcp::catalog
