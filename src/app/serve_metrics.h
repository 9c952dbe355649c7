#pragma once
// `lambda-mcp serve`'s metrics and keep-warm: the flags, and the objects that live as long as the server —
// the process and catalog collectors on the metrics registry, the keep-warm scheduler, and in stdio mode the
// optional loopback /metrics listener (over HTTP, /metrics is a route of the MCP listener). Built once.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog_metrics.h"
#include "catalog/keep_warm.h"
#include "common/metrics.h"
#include "common/result.h"
#include "mcp/tool_provider.h"
#include "transport/metrics_listener.h"

namespace lmcp::app {

struct MetricsConfig {
  bool http_public = false;   // HTTP: GET /metrics without authentication
  std::string listen;         // HOST:PORT of a separate /metrics listener (stdio mode); "" = none
  bool allow_remote = false;  // the separate listener may bind a non-loopback address (it has no auth)
  catalog::KeepWarmOptions keep_warm;
  std::vector<std::string> keep_warm_flags;  // --keep-warm GLOB=INTERVAL[/N], added to keep_warm.rules
};

void AddMetricsFlags(CLI::App& command, MetricsConfig& config);

// Parses the --keep-warm flags into config.keep_warm.rules and checks everything; every problem at once.
Status PrepareMetricsConfig(MetricsConfig& config);

class ServeMetrics {
 public:
  // Adds the process collector and, when `provider` is the Lambda catalog, its collectors and the keep-warm
  // scheduler (started); starts the separate listener when configured. `registry` and `provider` must
  // outlive this. Fails on a listener that cannot bind or may not bind there.
  static Result<std::unique_ptr<ServeMetrics>> Start(const MetricsConfig& config, metrics::Registry& registry,
                                                     mcp::ToolProvider& provider,
                                                     catalog::CatalogMetricsSources sources = {},
                                                     catalog::KeepWarm::IsOpen is_open = nullptr);
  ~ServeMetrics();

  std::function<std::string()> Exposition() const;

 private:
  explicit ServeMetrics(metrics::Registry& registry) : registry_(registry) {}
  metrics::Registry& registry_;
  std::unique_ptr<catalog::KeepWarm> keep_warm_;
  std::unique_ptr<transport::MetricsListener> listener_;
};

}  // namespace lmcp::app
