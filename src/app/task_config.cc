#include "app/task_config.h"

#include <algorithm>

namespace lmcp::app {
namespace {

constexpr char kOptionalOverKey[] = "LAMBDA_MCP_TASK_OPTIONAL_OVER_SECONDS";

using std::chrono::milliseconds;

// A duration within [min, max]; a problem naming the range otherwise.
std::optional<milliseconds> DurationIn(const ConfigNode& node, milliseconds min, milliseconds max,
                                       const std::string& range) {
  auto d = node.Duration();
  if (d && (*d < min || *d > max)) {
    node.Problem("expected " + range);
    return std::nullopt;
  }
  return d;
}

// A result TTL keeps a client's shorter task.ttl possible: the floor follows it down.
void SetTtl(mcp::TaskOptions& tasks, milliseconds ttl) {
  tasks.ttl = ttl;
  tasks.min_ttl = std::min(tasks.min_ttl, ttl);
}

}  // namespace

const std::vector<std::string>& TaskSectionKeys() {
  static const std::vector<std::string> kKeys = {"enabled",
                                                 "ttl",
                                                 "poll_interval",
                                                 "max_running",
                                                 "max_running_per_principal",
                                                 "max_tasks",
                                                 "max_tasks_per_principal",
                                                 "memory",
                                                 "optional_over"};
  return kKeys;
}

void ReadTasksSection(const ConfigNode& node, mcp::TaskOptions& tasks, catalog::OptionValues& flat) {
  if (!node.present() || !node.ExpectMap(TaskSectionKeys())) {
    return;
  }
  tasks.enabled = node["enabled"].Bool().value_or(tasks.enabled);
  if (auto ttl = DurationIn(node["ttl"], std::chrono::seconds(1), std::chrono::hours(24 * 7),
                            "a duration from 1s to 168h")) {
    SetTtl(tasks, *ttl);
  }
  tasks.poll_interval = DurationIn(node["poll_interval"], milliseconds(100), std::chrono::hours(1),
                                   "a duration from 100ms to 1h")
                            .value_or(tasks.poll_interval);
  tasks.max_running = static_cast<int>(node["max_running"].Integer(1, 100'000).value_or(tasks.max_running));
  tasks.max_running_per_principal = static_cast<int>(
      node["max_running_per_principal"].Integer(1, 100'000).value_or(tasks.max_running_per_principal));
  auto& store = tasks.store;
  store.max_tasks = static_cast<size_t>(
      node["max_tasks"].Integer(1, 10'000'000).value_or(static_cast<long long>(store.max_tasks)));
  store.max_tasks_per_owner =
      static_cast<size_t>(node["max_tasks_per_principal"]
                              .Integer(1, 10'000'000)
                              .value_or(static_cast<long long>(store.max_tasks_per_owner)));
  if (store.max_tasks_per_owner > store.max_tasks) {
    node["max_tasks_per_principal"].Problem("more than max_tasks (" + std::to_string(store.max_tasks) + ")");
  }
  store.max_bytes =
      node["memory"].ByteSize(std::size_t{1} << 20, std::size_t{1} << 40).value_or(store.max_bytes);
  ConfigNode over = node["optional_over"];
  if (auto d = DurationIn(over, milliseconds(0), std::chrono::seconds(900), "a duration from 0s to 900s")) {
    if (d->count() % 1000 != 0) {
      over.Problem("expected whole seconds (Lambda's Timeout is in seconds)");
    } else if (flat.count(kOptionalOverKey) != 0) {
      over.Problem("also set as the plain key lambda_mcp_task_optional_over_seconds; keep one");
    } else {
      flat[kOptionalOverKey] = std::to_string(d->count() / 1000);
    }
  }
}

std::vector<std::string> TaskFlagProblems(const TaskFlags& flags) {
  std::vector<std::string> problems;
  if (!flags.ttl.empty()) {
    auto ttl = ParseDuration(flags.ttl);
    if (!ttl || *ttl < std::chrono::seconds(1) || *ttl > std::chrono::hours(24 * 7)) {
      problems.push_back("--task-ttl: expected a duration from 1s to 168h such as 90s, 15m or 1h, got '" +
                         flags.ttl + "'");
    }
  }
  return problems;
}

void ApplyTaskFlags(const TaskFlags& flags, mcp::TaskOptions& tasks) {
  if (flags.no_tasks) {
    tasks.enabled = false;
  }
  if (auto ttl = flags.ttl.empty() ? std::nullopt : ParseDuration(flags.ttl)) {
    SetTtl(tasks, *ttl);
  }
}

}  // namespace lmcp::app
