#pragma once
// Keep-warm: functions tagged `mcp:keep-warm=5m` (or `5m/2`: two concurrent pings, to keep two instances
// warm), or matched by a configured rule, get a periodic Invoke with a fixed payload, so a tools/call finds
// a warm instance. Pings go straight to the backend: they are never tool calls (no call chain, not audited,
// not in lambda_mcp_tool_calls_total), and are counted in lambda_mcp_keep_warm_pings_total{function,outcome}.
// A function whose circuit breaker is open is skipped (outcome "skipped_breaker_open").
//
// Schedule: the first ping of a function comes within `every × jitter` of its discovery; each next one
// `every × (1 + jitter × u)` after the previous one started, u uniform in [0, 1): jittered so replicas and
// functions spread out, and never more often than configured. One background thread waits on the injected
// clock; the destructor stops it promptly (pings in flight are cancelled). Thread-safe.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "catalog/call/call.h"
#include "catalog/discovery.h"
#include "catalog/lambda_backend.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/result.h"

namespace lmcp::catalog {

// A configured keep-warm rule (config file `keep_warm:` entries).
struct KeepWarmRule {
  std::string function;  // glob (*, ?) on the function name, or on the ARN when it starts with "arn:"
  std::chrono::seconds every{300};
  int concurrency = 1;  // pings sent at once, to keep this many instances warm
};

struct KeepWarmOptions {
  bool enabled = true;                    // false: no pings at all, tags included
  std::vector<KeepWarmRule> rules;        // first match wins; a function's tag takes precedence
  std::string tag_key = "mcp:keep-warm";  // tag value "5m" or "5m/2"; "" = tags ignored
  std::string payload = R"({"lambda-mcp":"keep-warm"})";  // the event every ping sends
  double jitter = 0.1;                // fraction of the interval added at random, in [0, 1]
  std::chrono::seconds min_every{1};  // shorter intervals (tag or rule) are refused
  int max_concurrency = 10;           // larger concurrency values are capped here
  std::chrono::seconds rescan{30};    // how often new discoveries are looked at while idle
};

// Every problem with the options, one per entry (empty when valid).
std::vector<std::string> KeepWarmProblems(const KeepWarmOptions& options);

// What a function's schedule is: from its tag (preferred) or the first matching rule.
struct KeepWarmPlan {
  std::chrono::seconds every{0};
  int concurrency = 1;
};

// Parses a tag value: "<duration>" or "<duration>/<concurrency>", duration "90", "90s", "5m", "1h".
Result<KeepWarmPlan> ParseKeepWarmTag(const std::string& value);
// The plan for `entry` (nullopt: not kept warm), with `concurrency` capped by the options.
Result<std::optional<KeepWarmPlan>> PlanFor(const KeepWarmOptions& options, const ToolEntry& entry);

// The pure schedule. `u` is uniform in [0, 1).
Clock::Duration FirstPingDelay(Clock::Duration every, double jitter, double u);
Clock::Duration NextPingInterval(Clock::Duration every, double jitter, double u);

class KeepWarm {
 public:
  using Entries = std::function<std::shared_ptr<const std::vector<ToolEntry>>()>;
  // Whether the breaker of (target, function name, qualifier) is open now: the circuit_breaker stage's
  // (issue 17). Null: never skipped.
  using IsOpen = std::function<bool(const std::string& target, const std::string& function,
                                    const std::string& qualifier)>;
  using Random = std::function<double()>;  // uniform in [0, 1)

  // `entries` is the catalog's current tool list (LambdaCatalog::entries); each is pinged through its own
  // target's backend, or `fallback` (may be null) when it has none (tests). `metrics` may be null. `random`
  // defaults to a seeded generator. All references must outlive this.
  KeepWarm(KeepWarmOptions options, Entries entries, LambdaBackend* fallback, Clock& clock,
           metrics::Registry* metrics, IsOpen is_open = nullptr, Random random = nullptr);
  ~KeepWarm();

  void Start();  // the background thread
  // One pass at the clock's now: picks up new and changed functions, pings the due ones (concurrently) and
  // returns when the next is due. The thread calls this; tests call it directly.
  Clock::SteadyTime RunDue(std::stop_token stop);

  StageCounters counters() const {
    return {{"pings", pings_.value()}, {"failed", failed_.value()}, {"skipped_open", skipped_.value()}};
  }

 private:
  struct Scheduled {
    std::string target;
    std::string function;  // name, for logs and the metric label
    std::string arn;
    std::string qualifier;
    int timeout_seconds = 3;
    std::shared_ptr<LambdaBackend> backend;  // the entry's target's; null = fallback_
    KeepWarmPlan plan;
    Clock::SteadyTime due;
  };
  struct Ping {
    const Scheduled* what;
    int copies;
  };
  void Refresh(Clock::SteadyTime now);
  void PingAll(const std::vector<Ping>& pings, std::stop_token stop);
  void PingOnce(const Scheduled& s, std::stop_token stop);
  void Loop(std::stop_token stop);

  const KeepWarmOptions options_;
  Entries entries_;
  LambdaBackend* fallback_;
  Clock& clock_;
  IsOpen is_open_;
  Random random_;
  metrics::CounterFamily* pings_metric_ = nullptr;

  std::mutex mu_;  // schedule_ and snapshot_; held by RunDue for a pass (one pass at a time)
  std::shared_ptr<const std::vector<ToolEntry>> snapshot_;
  std::map<std::string, Scheduled> schedule_;  // by "arn:qualifier"
  std::map<std::string, std::string> warned_;  // key → the bad tag value already warned about

  Counter pings_;
  Counter failed_;
  Counter skipped_;
  std::jthread thread_;  // last: stopped first
};

}  // namespace lmcp::catalog
