#include "app/serve_metrics.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "catalog/lambda_tool_source.h"
#include "common/log_text.h"
#include "common/process_metrics.h"
#include "common/strings.h"

namespace lmcp::app {

void AddMetricsFlags(CLI::App& command, MetricsConfig& config) {
  command.add_flag(
      "--metrics-public", config.http_public,
      "HTTP: serve GET /metrics without authentication (otherwise it takes the /mcp credentials)");
  command.add_option("--metrics-listen", config.listen,
                     "Serve GET /metrics on a separate HOST:PORT (e.g. 127.0.0.1:9464; for stdio mode); no "
                     "authentication, so loopback only unless --metrics-allow-remote");
  command.add_flag("--metrics-allow-remote", config.allow_remote,
                   "Let --metrics-listen bind a non-loopback address");
  command.add_flag("!--no-keep-warm", config.keep_warm.enabled,
                   "Send no keep-warm pings (mcp:keep-warm tags and --keep-warm rules are ignored)");
  command.add_option("--keep-warm", config.keep_warm_flags,
                     "Keep matching functions warm: FUNCTION_GLOB=INTERVAL[/N] (e.g. 'orders-*=5m/2'; "
                     "repeatable); a function's mcp:keep-warm tag takes precedence");
  command
      .add_option("--keep-warm-jitter", config.keep_warm.jitter,
                  "Keep-warm: fraction of the interval added at random to each one (0..1)")
      ->capture_default_str();
}

Status PrepareMetricsConfig(MetricsConfig& config) {
  std::vector<std::string> problems;
  for (const auto& flag : config.keep_warm_flags) {
    auto eq = flag.rfind('=');
    auto plan = eq == std::string::npos ? Result<catalog::KeepWarmPlan>(Error::InvalidArgument("no '='"))
                                        : catalog::ParseKeepWarmTag(flag.substr(eq + 1));
    if (!plan.ok() || eq == 0) {
      problems.push_back("--keep-warm \"" + ForLog(flag, 100) +
                         "\" must be FUNCTION_GLOB=INTERVAL[/N], e.g. 'orders-*=5m/2'");
      continue;
    }
    config.keep_warm.rules.push_back({flag.substr(0, eq), plan->every, plan->concurrency});
  }
  config.keep_warm_flags.clear();
  for (auto& p : catalog::KeepWarmProblems(config.keep_warm)) {
    problems.push_back(std::move(p));
  }
  if (!problems.empty()) {
    return Error::InvalidArgument(Join(problems, "; "));
  }
  return Ok();
}

namespace {

// "HOST:PORT", "[::1]:PORT" or ":PORT" (loopback).
Result<transport::MetricsListenerOptions> ParseListen(const MetricsConfig& config) {
  transport::MetricsListenerOptions o;
  o.allow_remote = config.allow_remote;
  auto colon = config.listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : config.listen.substr(0, colon);
  std::string port = colon == std::string::npos ? config.listen : config.listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  o.host = host.empty() ? "127.0.0.1" : host;
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (colon == std::string::npos || port.empty() || *end != '\0' || p < 0 || p > 65535) {
    return Error::InvalidArgument("--metrics-listen wants HOST:PORT (got \"" + ForLog(config.listen) + "\")");
  }
  o.port = static_cast<int>(p);
  return o;
}

std::vector<catalog::BreakerGauge> BreakerGauges(const catalog::CircuitBreakers& breakers) {
  using Gauge = catalog::BreakerGauge;
  std::vector<Gauge> out;
  for (const auto& b : breakers.States()) {
    Gauge::State state = b.state == catalog::BreakerState::kOpen       ? Gauge::State::kOpen
                         : b.state == catalog::BreakerState::kHalfOpen ? Gauge::State::kHalfOpen
                                                                       : Gauge::State::kClosed;
    out.push_back(
        {.target = b.key.target, .function = b.key.function, .qualifier = b.key.qualifier, .state = state});
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<ServeMetrics>> ServeMetrics::Start(const MetricsConfig& config,
                                                          metrics::Registry& registry,
                                                          mcp::ToolProvider& provider,
                                                          catalog::CatalogMetricsSources sources,
                                                          catalog::KeepWarm::IsOpen is_open) {
  std::unique_ptr<ServeMetrics> self(new ServeMetrics(registry));
  metrics::AddProcessCollector(registry);
  if (auto* lambda = dynamic_cast<catalog::LambdaToolSource*>(&provider)) {
    // The circuit breakers (when on): their states for the gauge, and keep-warm skips an open one.
    if (std::shared_ptr<const catalog::CircuitBreakers> breakers = lambda->catalog().breakers()) {
      if (!sources.breakers) {
        sources.breakers = [breakers] { return BreakerGauges(*breakers); };
      }
      if (!is_open) {
        is_open = [breakers](const std::string& target, const std::string& function,
                             const std::string& qualifier) {
          return breakers->IsOpen(target, function, qualifier);
        };
      }
    }
    catalog::AddCatalogCollectors(registry, lambda->catalog(), std::move(sources));
    if (config.keep_warm.enabled) {
      catalog::LambdaCatalog& catalog = lambda->catalog();
      self->keep_warm_ = std::make_unique<catalog::KeepWarm>(
          config.keep_warm, [&catalog] { return catalog.entries(); }, nullptr, Clock::System(), &registry,
          std::move(is_open));
      self->keep_warm_->Start();
    }
  }
  if (!config.listen.empty()) {
    auto options = ParseListen(config);
    if (!options.ok()) {
      return options.error();
    }
    self->listener_ = std::make_unique<transport::MetricsListener>(*options, self->Exposition());
    if (Status started = self->listener_->Start(); !started.ok()) {
      return started.error();
    }
    // A fixed, parseable line for scripts and tests (like the MCP listener's).
    const std::string host =
        options->host.find(':') != std::string::npos ? "[" + options->host + "]" : options->host;
    std::fprintf(stderr, "lambda-mcp: metrics on http://%s:%d/metrics\n", host.c_str(),
                 self->listener_->port());
    std::fflush(stderr);
  }
  return self;
}

ServeMetrics::~ServeMetrics() {
  if (listener_) {
    listener_->Stop();
  }
  keep_warm_.reset();
}

std::function<std::string()> ServeMetrics::Exposition() const {
  return [&registry = registry_] { return registry.Expose(); };
}

}  // namespace lmcp::app
