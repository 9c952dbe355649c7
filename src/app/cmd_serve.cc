// `lambda-mcp serve`: the MCP server over stdio or Streamable HTTP.

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <thread>

#include "app/commands.h"
#include "app/config.h"
#include "app/lambda_options.h"
#include "app/memory_reclaimer.h"
#include "app/serve_http.h"
#include "app/serve_metrics.h"
#include "app/task_config.h"
#include "catalog/lambda_tool_source.h"
#include "common/crypto.h"
#include "common/log_text.h"
#include "mcp/conformance_fixtures.h"
#include "mcp/server.h"
#include "state/shared_state.h"
#include "transport/auth_chain.h"
#include "transport/stdio_transport.h"

namespace lmcp::app {
namespace {

// Blocks SIGTERM/SIGINT/SIGHUP in every thread (workers inherit the mask) and waits for them on a dedicated
// thread: SIGTERM or SIGINT calls `on_stop` once and ends the watch; each SIGHUP calls `on_reload`. No global
// state and no work inside a signal handler. Call BlockSignals() before any thread starts.
sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

void BlockSignals() {
  sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

class SignalWatcher {
 public:
  SignalWatcher(std::function<void(int)> on_stop, std::function<void()> on_reload = {})
      : set_(WatchedSignals()) {
    BlockSignals();
    thread_ = std::thread([this, on_stop = std::move(on_stop), on_reload = std::move(on_reload)] {
      int sig = 0;
      while (sigwait(&set_, &sig) == 0 && !done_) {
        if (sig != SIGHUP) {
          on_stop(sig);
          return;
        }
        if (on_reload) {
          on_reload();
        } else {
          spdlog::info("received SIGHUP; nothing to reload");
        }
      }
    });
  }
  ~SignalWatcher() {
    done_ = true;
    // Wakes sigwait; ignored since done_. Not a kill: SIGTERM is blocked in every thread
    // (BlockSignals), so only that sigwait ever consumes it.
    pthread_kill(thread_.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
    thread_.join();
  }

 private:
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Where the tools come from. The Lambda catalog plugs in here. `deployment_key` gets the deployment's audit
// key (LAMBDA_MCP_AUDIT_KEY_FILE), which replicas share; empty when there is none.
std::unique_ptr<mcp::ToolProvider> MakeToolProvider(const ServeConfig& config, const LambdaFlags& lambda,
                                                    const GatewayConfig& file, std::string* deployment_key,
                                                    metrics::Registry& registry,
                                                    const state::SharedState& shared) {
  if (config.conformance_fixtures) {
    return std::make_unique<mcp::ConformanceFixtures>();
  }
  auto options = LoadLambdaOptions(lambda, file);
  if (!options.ok()) {
    for (const auto& line : ForLogLines(options.error().message)) {
      spdlog::error("{}", line);
    }
    return nullptr;
  }
  catalog::LogCatalogOptions(options.value());
  if (auto key = catalog::LoadLambdaAuditKey(options.value()); key.ok()) {
    *deployment_key = std::move(*key);
  }
  auto source =
      catalog::LambdaToolSource::Create(options.value(), Clock::System(), &registry,
                                        {.rate_limits = shared.rate_limits, .results = shared.results},
                                        /*serve_target_errors=*/config.transport != "http");
  if (!source.ok()) {
    spdlog::error("{}", ForLog(source.error().message, 1000));
    return nullptr;
  }
  auto policy = CompilePolicy(file);
  if (!policy.ok()) {
    spdlog::error("{}", ForLog(policy.error().message, 2000));
    return nullptr;
  }
  (*source)->catalog().SetPolicy(*policy);
  (*source)->Start();  // background discovery; initialize is answered at once, tools/list waits
  return std::move(source).value();
}

// SIGHUP: reads the config file again. When all of it is valid, the new principals, targets and policy apply
// to the next request (calls in flight finish under the old ones); otherwise every problem is logged and the
// running config stays. Other settings (flags, limits of the core) need a restart.
void Reload(const ServeConfig& running, const LambdaFlags& lambda, mcp::ToolProvider* provider,
            transport::ReloadableAuthenticator* auth) {
  auto rejected = [](const std::string& why) {
    spdlog::error("config reload rejected; keeping the running config:");
    for (const auto& line : ForLogLines(why)) {
      spdlog::error("  {}", line);
    }
  };
  auto file = LoadConfigFile(lambda);
  if (!file.ok()) {
    return rejected(file.error().message);
  }
  if (file->path.empty()) {
    spdlog::info("received SIGHUP; no config file to reload (--config or LAMBDA_MCP_CONFIG)");
    return;
  }
  auto options = LoadLambdaOptions(lambda, *file);
  if (!options.ok()) {
    return rejected(options.error().message);
  }
  auto policy = CompilePolicy(*file);
  if (!policy.ok()) {
    return rejected(policy.error().message);
  }
  ServeConfig next = running;
  ApplyToServeConfig(*file, next);
  std::shared_ptr<transport::Authenticator> next_auth;
  if (running.transport == "http") {
    auto made = MakeAuthenticator(next);
    if (!made.ok()) {
      return rejected(made.error().message);
    }
    if ((*made != nullptr) != (auth != nullptr)) {
      return rejected("turning HTTP authentication on or off needs a restart");
    }
    next_auth = *made;
  }
  // Everything is valid: apply.
  if (next_auth) {
    auth->Replace(std::move(next_auth));
  }
  if (auto* lambda_tools = dynamic_cast<catalog::LambdaToolSource*>(provider)) {
    lambda_tools->catalog().SetTargets(std::move(options->targets));
    lambda_tools->catalog().SetPolicy(*policy);
  }
  spdlog::info("config reloaded from {}", ForLog(file->path));
}

// The file's metrics and keep-warm settings where the flags left the defaults (--keep-warm rules add to it).
void ApplyToMetricsConfig(const GatewayConfig& file, MetricsConfig& config) {
  config.http_public = config.http_public || file.metrics_public;
  config.allow_remote = config.allow_remote || file.metrics_allow_remote;
  if (config.listen.empty()) {
    config.listen = file.metrics_listen;
  }
  const catalog::KeepWarmOptions defaults;
  if (file.has_keep_warm && config.keep_warm.enabled == defaults.enabled &&
      config.keep_warm.jitter == defaults.jitter) {
    config.keep_warm = file.keep_warm;
  }
}

// A key for one purpose, derived from the deployment key; empty without one.
std::string DeriveKey(const std::string& deployment_key, std::string_view purpose) {
  if (deployment_key.empty()) {
    return "";
  }
  Digest derived = HmacSha256(deployment_key, purpose);
  return std::string(reinterpret_cast<const char*>(derived.data()), derived.size());
}

// Replicas that share the deployment key open each other's MRTR state and resume each other's sessions;
// without one, both keys are this process's own.
void SetDeploymentKeys(const ServeConfig& config, const std::string& deployment_key,
                       mcp::ServerOptions& options) {
  options.request_state_key = DeriveKey(deployment_key, "lambda-mcp MRTR request state v1");
  if (config.transport == "http") {
    options.session_ticket_key = DeriveKey(deployment_key, "lambda-mcp session ticket v1");
    options.session_max_age = std::chrono::seconds(config.session_max_age_s);
  }
}

mcp::ServerOptions MakeServerOptions(const ServeConfig& config, const GatewayConfig& file) {
  mcp::ServerOptions options;
  options.tasks = file.tasks;  // the file's `tasks:` section; the flags beat it
  ApplyTaskFlags(config.tasks, options.tasks);
  options.page_size = config.page_size;
  options.max_message_bytes = config.max_message_bytes;
  options.worker_threads = config.worker_threads;
  options.max_calls = config.max_calls;
  options.max_queued_calls = config.max_queued_calls;
  options.max_calls_per_session = config.max_calls_per_session;
  options.max_queued_calls_per_session = config.max_queued_calls_per_session;
  options.max_calls_per_principal = config.max_calls_per_principal;
  options.max_queued_calls_per_principal = config.max_queued_calls_per_principal;
  options.call_queue_timeout = std::chrono::milliseconds(config.call_queue_timeout_ms);
  options.list_ttl = std::chrono::milliseconds(config.list_ttl_ms);
  options.request_state_ttl = std::chrono::milliseconds(config.request_state_ttl_ms);
  if (config.transport == "stdio") {
    // One client, one session: the per-session and per-principal caps (fairness between HTTP clients) would
    // only shrink the server below --max-calls (no cap when unset) and --max-queued-calls.
    options.max_calls_per_session = options.max_calls_per_principal =
        config.max_calls > 0 ? config.max_calls : std::numeric_limits<size_t>::max();
    options.max_queued_calls_per_session = options.max_queued_calls_per_principal = config.max_queued_calls;
  }
  if (!config.instructions.empty()) {
    options.instructions = config.instructions;
  }
  return options;
}

int RunServe(ServeConfig config, const LambdaFlags& lambda, MetricsConfig metrics_config) {
  // The config file: the catalog's options, targets, principals and policy; flags beat it.
  auto file = LoadConfigFile(lambda);
  if (!file.ok()) {
    for (const auto& line : ForLogLines(file.error().message)) {
      spdlog::error("{}", line);
    }
    return 2;
  }
  if (const char* env = std::getenv("LAMBDA_MCP_STATE"); config.state.empty() && env && *env) {
    config.state = env;  // the flag beats it; it beats the file's `state:`
  }
  ApplyToServeConfig(*file, config);
  if (Status valid = config.Validate(); !valid.ok()) {
    spdlog::error("{}", ForLog(valid.error().message, 2000));
    return 2;
  }
  ApplyToMetricsConfig(*file, metrics_config);
  if (Status valid = PrepareMetricsConfig(metrics_config); !valid.ok()) {
    spdlog::error("{}", ForLog(valid.error().message, 2000));
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);  // a closed stdout shows up as EPIPE from write()
  BlockSignals();            // before any thread starts; SignalWatcher handles them below

  // What replicas share (tasks, rate limit buckets, the result cache): Redis, or nothing (in memory). An
  // unreachable Redis is a warning: the server starts and those operations fail until it is back.
  mcp::ServerOptions server_options = MakeServerOptions(config, *file);  // the keys come with the provider
  auto shared = state::OpenSharedState(config.state,
                                       {.task_limits = server_options.tasks.store,
                                        .cache_max_entry_bytes = file->guardrails.cache.max_entry_bytes},
                                       Clock::System());
  if (!shared.ok()) {
    spdlog::error("{}", ForLog(shared.error().message, 1000));
    return 2;
  }

  // Tools, with the metrics registry their calls are recorded in.
  metrics::Registry registry;
  std::string deployment_key;
  std::unique_ptr<mcp::ToolProvider> provider =
      MakeToolProvider(config, lambda, *file, &deployment_key, registry, *shared);
  if (!provider) {
    return 2;
  }
  // Metrics collectors, keep-warm pings, and (if asked) the separate /metrics listener.
  auto observability = ServeMetrics::Start(metrics_config, registry, *provider);
  if (!observability.ok()) {
    spdlog::error("{}", ForLog(observability.error().message, 1000));
    return 2;
  }

  // Memory freed after a large message goes back to the OS instead of staying in malloc's arenas.
  MemoryReclaimer reclaimer;
  reclaimer.Start();

  // The MCP core.
  SetDeploymentKeys(config, deployment_key, server_options);
  server_options.tasks.shared_store = shared->tasks.get();
  mcp::McpServer server(*provider, server_options);

  // Streamable HTTP: sessions per Mcp-Session-Id; SIGTERM/SIGINT stop it gracefully (bounded by the grace).
  if (config.transport == "http") {
    // /readyz: ready once some target's first discovery succeeded, with each target's status (the fixtures
    // are always ready).
    std::function<bool()> ready;
    std::function<mcp::Json()> ready_detail;
    if (auto* lambda_tools = dynamic_cast<catalog::LambdaToolSource*>(provider.get())) {
      ready = [lambda_tools] { return lambda_tools->catalog().Ready(); };
      ready_detail = [lambda_tools] {
        return mcp::Json{{"targets", catalog::TargetStatusJson(lambda_tools->catalog().TargetStatuses(),
                                                               /*with_errors=*/false)}};
      };
    }
    auto auth = MakeAuthenticator(config);
    if (!auth.ok()) {
      for (const auto& line : ForLogLines(auth.error().message)) {
        spdlog::error("{}", line);
      }
      return 2;
    }
    // SIGHUP swaps the authenticator (a reloaded token list) under running requests.
    std::shared_ptr<transport::ReloadableAuthenticator> reloadable;
    if (*auth) {
      reloadable = std::make_shared<transport::ReloadableAuthenticator>(*auth);
    }
    auto http =
        StartHttpServer(config, server, reloadable, ready, ready_detail,
                        {.expose = (*observability)->Exposition(), .is_public = metrics_config.http_public});
    if (!http.ok()) {
      spdlog::error("{}", ForLog(http.error().message, 1000));
      return 2;
    }
    SignalWatcher signals(
        [&](int sig) {
          spdlog::info("received signal {}; draining for {} ms, then shutting down", sig,
                       config.drain_delay_ms);
          (*http)->Drain();
          std::this_thread::sleep_for(std::chrono::milliseconds(config.drain_delay_ms));
          (*http)->Stop();
        },
        [&] { Reload(config, lambda, provider.get(), reloadable.get()); });
    (*http)->Wait();
    spdlog::info("lambda-mcp stopped");
    return 0;
  }

  // stdio: one session for the process; stdout carries protocol only.
  transport::StdioTransport stdio(STDIN_FILENO, STDOUT_FILENO, {.max_line_bytes = config.max_message_bytes});
  SignalWatcher signals(
      [&](int sig) {
        spdlog::info("received signal {}; shutting down", sig);
        stdio.Stop();
      },
      [&] { Reload(config, lambda, provider.get(), nullptr); });
  std::unique_ptr<mcp::Session> session =
      server.CreateSession(stdio, {.principal = config.stdio_principal, .transport = "stdio"});
  spdlog::info("lambda-mcp serving on stdio");
  stdio.Run(*session);

  // Every pending call gets its response: queued ones "not invoked" at once, running ones their result
  // if they finish within the grace, else "may have run". Each is written to stdout before we exit.
  session->Shutdown(std::chrono::milliseconds(config.shutdown_grace_ms));
  session.reset();
  spdlog::info("lambda-mcp stopped");
  return 0;
}

// The tools and the MCP core: what serves, and how many tools/call run and wait.
void AddCoreFlags(CLI::App& command, ServeConfig& config) {
  command.add_flag("--conformance-fixtures", config.conformance_fixtures,
                   "Serve the MCP conformance fixture tools instead of Lambda functions");
  command.add_option("--page-size", config.page_size, "Tools per tools/list page")->capture_default_str();
  command.add_option("--max-message-bytes", config.max_message_bytes, "Largest accepted JSON-RPC message")
      ->capture_default_str();
  command
      .add_option("--workers", config.worker_threads,
                  "Threads that start tools/call (and run tools that block while they wait)")
      ->capture_default_str();
  command
      .add_option("--max-calls", config.max_calls, "tools/call in flight at once, in all; 0 = no such cap")
      ->capture_default_str();
  command
      .add_option("--max-queued-calls", config.max_queued_calls, "tools/call waiting for a worker, in all")
      ->capture_default_str();
  command
      .add_option("--max-calls-per-session", config.max_calls_per_session,
                  "tools/call running at once for one client session")
      ->capture_default_str();
  command
      .add_option("--max-queued-calls-per-session", config.max_queued_calls_per_session,
                  "tools/call of one session waiting for a worker; more are refused")
      ->capture_default_str();
  command
      .add_option("--max-calls-per-principal", config.max_calls_per_principal,
                  "tools/call running at once over all sessions of one principal")
      ->capture_default_str();
  command
      .add_option("--max-queued-calls-per-principal", config.max_queued_calls_per_principal,
                  "tools/call of one principal waiting for a worker; more are refused")
      ->capture_default_str();
  command
      .add_option("--call-queue-timeout-ms", config.call_queue_timeout_ms,
                  "A tools/call waiting longer for a worker is answered 'not invoked' (0: no limit)")
      ->capture_default_str();
  command
      .add_option(
          "--list-ttl-ms", config.list_ttl_ms,
          "MCP 2026-07-28: how long clients may cache server/discover and tools/list (ttlMs; 0: always "
          "refetch)")
      ->capture_default_str();
  command
      .add_option(
          "--request-state-ttl-ms", config.request_state_ttl_ms,
          "MCP 2026-07-28: how long the state of a tool that asked for input stays valid for its retry")
      ->capture_default_str();
  command.add_option(
      "--state", config.state,
      "Where replicas share tasks, rate limit buckets and the result cache: redis://HOST:PORT[/DB] "
      "(or env LAMBDA_MCP_STATE, or the config file's state:); default: in memory, per replica");
  command.add_flag("--no-tasks", config.tasks.no_tasks,
                   "No MCP tasks: task-optional tools run synchronously, task-required ones are refused");
  command.add_option("--task-ttl", config.tasks.ttl,
                     "How long a finished task's result is kept, e.g. 30m, 1h (beats the config file's "
                     "tasks.ttl; default 1h)");
  command
      .add_option("--shutdown-grace-ms", config.shutdown_grace_ms,
                  "On EOF or SIGTERM, running calls may finish within this; then they are answered -32603")
      ->capture_default_str();
  command
      .add_option(
          "--drain-delay-ms", config.drain_delay_ms,
          "HTTP: on SIGTERM, /readyz fails at once and requests are still served this long before the "
          "server stops accepting (let the balancer's health check notice)")
      ->capture_default_str();
}

// Streamable HTTP: where, who may connect, and the connection and session caps.
void AddHttpFlags(CLI::App& command, ServeConfig& config, std::string& http_listen) {
  command.add_option("--http", http_listen,
                     "Serve Streamable HTTP on HOST:PORT (e.g. 127.0.0.1:0) instead of stdio");
  command.add_option(
      "--auth-token-file", config.auth_token_file,
      "HTTP: require this static bearer token (first line of the file; or env LAMBDA_MCP_AUTH_TOKEN)");
  command.add_option("--oauth-issuer", config.oauth_issuer,
                     "HTTP: accept JWT access tokens from this issuer");
  command.add_option("--oauth-audience", config.oauth_audiences,
                     "HTTP: accepted token audience (repeatable)");
  command.add_option("--oauth-jwks-url", config.oauth_jwks_url, "HTTP: the issuer's JWKS URL");
  command
      .add_option("--oauth-jwks-refetch-interval", config.oauth_jwks_refetch_s,
                  "HTTP: seconds between JWKS refetches for unknown key ids (rotation)")
      ->capture_default_str();
  command
      .add_option("--oauth-required-scopes", config.oauth_required_scopes, "HTTP: scopes every token needs")
      ->delimiter(',');
  command
      .add_option("--allowed-origins", config.allowed_origins,
                  "HTTP: browser Origins allowed besides loopback ones (comma-separated)")
      ->delimiter(',');
  command
      .add_option("--allowed-hosts", config.allowed_hosts,
                  "HTTP: Host header names allowed besides loopback ones (comma-separated)")
      ->delimiter(',');
  command
      .add_option("--session-idle-timeout", config.session_idle_timeout_s,
                  "HTTP: idle session expiry, seconds")
      ->capture_default_str();
  command
      .add_option("--session-max-age", config.session_max_age_s,
                  "HTTP: with a deployment key (LAMBDA_MCP_AUDIT_KEY_FILE), how long a session id (a ticket "
                  "every replica resumes) stays valid, seconds")
      ->capture_default_str();
  command
      .add_option("--max-connections", config.http_max_connections,
                  "HTTP: open connections (each open SSE stream holds one); beyond, a fast 503")
      ->capture_default_str();
  command
      .add_option("--max-connections-per-address", config.http_max_connections_per_address,
                  "HTTP: open connections per client IP address")
      ->capture_default_str();
  command
      .add_option("--max-connections-per-principal", config.http_max_connections_per_principal,
                  "HTTP: open connections per authenticated client")
      ->capture_default_str();
  command
      .add_option("--header-timeout-ms", config.http_header_timeout_ms,
                  "HTTP: the whole request head must arrive within this")
      ->capture_default_str();
  command
      .add_option("--max-sessions", config.http_max_sessions,
                  "HTTP: MCP sessions; beyond, the least recently active idle one is evicted")
      ->capture_default_str();
  command
      .add_option("--max-sessions-per-principal", config.http_max_sessions_per_principal,
                  "HTTP: MCP sessions per authenticated client")
      ->capture_default_str();
  command
      .add_option("--unconfirmed-session-timeout", config.http_unconfirmed_session_timeout_s,
                  "HTTP: seconds before a session that sent nothing after initialize expires")
      ->capture_default_str();
  command.add_option("--public-url", config.public_url,
                     "HTTP: scheme://host[:port] clients use (OAuth metadata)");
  command.add_flag("--insecure-no-auth", config.allow_unauthenticated_remote,
                   "HTTP: allow a non-loopback address without authentication");
}

}  // namespace

CommandRun SetUpServe(CLI::App& command, const GlobalOptions& /*globals*/) {
  auto config = std::make_shared<ServeConfig>();
  AddCoreFlags(command, *config);
  auto http_listen = std::make_shared<std::string>();
  AddHttpFlags(command, *config, *http_listen);
  auto lambda = std::make_shared<LambdaFlags>();
  AddLambdaFlags(command, *lambda);
  auto metrics_config = std::make_shared<MetricsConfig>();
  AddMetricsFlags(command, *metrics_config);
  return [config, lambda, http_listen, metrics_config] {
    if (!http_listen->empty()) {
      if (Status parsed = ParseHttpListen(*http_listen, *config); !parsed.ok()) {
        spdlog::error("{}", ForLog(parsed.error().message));
        return 2;
      }
    }
    return RunServe(*config, *lambda, *metrics_config);
  };
}

}  // namespace lmcp::app
