#include "catalog/catalog_metrics.h"

#include <map>

#include "catalog/call/record_metrics.h"

namespace lmcp::catalog {
namespace {

using metrics::CollectedFamily;
using metrics::Type;

double Value(std::uint64_t v) { return static_cast<double>(v); }

void AddDiscovery(const LambdaCatalog& catalog, std::vector<CollectedFamily>& out) {
  out.push_back({"lambda_mcp_discovery_runs_total",
                 "Discovery passes run (first, periodic refreshes, retries).",
                 Type::kCounter,
                 {{{}, static_cast<double>(catalog.discovery_attempts())}}});
  out.push_back({"lambda_mcp_discovery_failures_total",
                 "Discovery passes that failed (the previous tool list stays).",
                 Type::kCounter,
                 {{{}, static_cast<double>(catalog.discovery_failures())}}});
  std::map<std::string, double> by_target;
  if (auto entries = catalog.entries()) {
    for (const auto& e : *entries) {
      by_target[std::string(TargetOf(e))] += 1;
    }
  }
  CollectedFamily tools{
      "lambda_mcp_tools", "Tools published by the last successful discovery, by target.", Type::kGauge, {}};
  for (const auto& [target, n] : by_target) {
    tools.samples.push_back({{{"target", target}}, n});
  }
  out.push_back(std::move(tools));
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

std::vector<CollectedFamily> CollectCatalogMetrics(const LambdaCatalog& catalog, const LambdaBackend& backend,
                                                   const CatalogMetricsSources& sources) {
  std::vector<CollectedFamily> out;
  AddDiscovery(catalog, out);
  AddStages(catalog, out);
  AddBreakers(sources, out);
  CollectedFamily retries{
      "lambda_mcp_aws_retries_total",
      "AWS requests re-sent after a retryable failure, by its reason (an Invoke that may have "
      "reached Lambda is never re-sent).",
      Type::kCounter,
      {}};
  for (const auto& [reason, n] : backend.RetryCounts()) {
    retries.samples.push_back({{{"reason", reason}}, Value(n)});
  }
  out.push_back(std::move(retries));
  return out;
}

void AddCatalogCollectors(metrics::Registry& registry, const LambdaCatalog& catalog,
                          const LambdaBackend& backend, CatalogMetricsSources sources) {
  registry.AddCollector([&catalog, &backend, sources = std::move(sources)] {
    return CollectCatalogMetrics(catalog, backend, sources);
  });
}

}  // namespace lmcp::catalog
