#include "catalog/catalog_metrics.h"

#include <map>

#include "catalog/call/record_metrics.h"

namespace lmcp::catalog {
namespace {

using metrics::CollectedFamily;
using metrics::Type;

double Value(std::uint64_t v) { return static_cast<double>(v); }

// Per target: discovery passes, failed passes, whether the last one succeeded, and its tools.
void AddDiscovery(const LambdaCatalog& catalog, std::vector<CollectedFamily>& out) {
  CollectedFamily runs{"lambda_mcp_discovery_runs_total",
                       "Discovery passes run per target (first, periodic refreshes, retries).",
                       Type::kCounter,
                       {}};
  CollectedFamily failures{"lambda_mcp_discovery_failures_total",
                           "Discovery passes that failed per target (its previous tools stay).",
                           Type::kCounter,
                           {}};
  CollectedFamily up{
      "lambda_mcp_target_up", "1 when the target's last discovery pass succeeded, else 0.", Type::kGauge, {}};
  CollectedFamily tools{
      "lambda_mcp_tools", "Tools published per target (its last successful discovery).", Type::kGauge, {}};
  for (const TargetStatus& t : catalog.TargetStatuses()) {
    metrics::Labels target{{"target", t.name}};
    runs.samples.push_back({target, static_cast<double>(t.attempts)});
    failures.samples.push_back({target, static_cast<double>(t.failures)});
    up.samples.push_back({target, t.ok ? 1.0 : 0.0});
    tools.samples.push_back({target, static_cast<double>(t.tools)});
  }
  out.push_back(std::move(runs));
  out.push_back(std::move(failures));
  out.push_back(std::move(up));
  out.push_back(std::move(tools));
}

// AWS retries per target, from the backends of the current entries (a target without tools is not seen).
void AddRetries(const LambdaCatalog& catalog, std::vector<CollectedFamily>& out) {
  CollectedFamily retries{
      "lambda_mcp_aws_retries_total",
      "AWS requests re-sent after a retryable failure, by target and reason (an Invoke that "
      "may have reached Lambda is never re-sent).",
      Type::kCounter,
      {}};
  std::map<std::string, const LambdaBackend*> by_target;
  if (auto entries = catalog.entries()) {
    for (const auto& e : *entries) {
      if (e.backend) {
        by_target.emplace(std::string(TargetOf(e)), e.backend.get());
      }
    }
  }
  for (const auto& [target, backend] : by_target) {
    for (const auto& [reason, n] : backend->RetryCounts()) {
      retries.samples.push_back({{{"target", target}, {"reason", reason}}, Value(n)});
    }
  }
  out.push_back(std::move(retries));
}

// Every stage's counters generically, and the result cache's under their own names.
void AddStages(const LambdaCatalog& catalog, std::vector<CollectedFamily>& out) {
  CollectedFamily stages{"lambda_mcp_call_stage_events_total",
                         "Counters of the tools/call chain's stages (docs/design.md), by stage and counter.",
                         Type::kCounter,
                         {}};
  std::map<std::string, double> cache;
  for (const auto& [name, value] : catalog.CallCounters()) {
    auto dot = name.find('.');
    std::string stage = name.substr(0, dot);
    std::string counter = dot == std::string::npos ? "" : name.substr(dot + 1);
    stages.samples.push_back({{{"stage", stage}, {"counter", counter}}, Value(value)});
    if (stage == "result_cache") {
      cache[counter] = Value(value);
    }
  }
  out.push_back(std::move(stages));
  static constexpr std::pair<const char*, const char*> kCache[] = {
      {"hits", "lambda_mcp_cache_hits_total"},
      {"misses", "lambda_mcp_cache_misses_total"},
      {"evictions", "lambda_mcp_cache_evictions_total"}};
  for (const auto& [counter, metric] : kCache) {
    if (auto it = cache.find(counter); it != cache.end()) {
      out.push_back(
          {metric, std::string("Result cache ") + counter + ".", Type::kCounter, {{{}, it->second}}});
    }
  }
}

void AddBreakers(const CatalogMetricsSources& sources, std::vector<CollectedFamily>& out) {
  if (!sources.breakers) {
    return;
  }
  CollectedFamily f{"lambda_mcp_circuit_breaker_state",
                    "Circuit breaker per target, function and qualifier: 0 closed, 1 half-open, 2 open.",
                    Type::kGauge,
                    {}};
  for (const auto& b : sources.breakers()) {
    f.samples.push_back({{{"target", b.target}, {"function", b.function}, {"qualifier", b.qualifier}},
                         static_cast<double>(static_cast<int>(b.state))});
  }
  out.push_back(std::move(f));
}

}  // namespace

std::vector<CollectedFamily> CollectCatalogMetrics(const LambdaCatalog& catalog,
                                                   const CatalogMetricsSources& sources) {
  std::vector<CollectedFamily> out;
  AddDiscovery(catalog, out);
  AddStages(catalog, out);
  AddBreakers(sources, out);
  AddRetries(catalog, out);
  return out;
}

void AddCatalogCollectors(metrics::Registry& registry, const LambdaCatalog& catalog,
                          CatalogMetricsSources sources) {
  registry.AddCollector(
      [&catalog, sources = std::move(sources)] { return CollectCatalogMetrics(catalog, sources); });
}

}  // namespace lmcp::catalog
