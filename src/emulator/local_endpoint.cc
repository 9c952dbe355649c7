#include "emulator/local_endpoint.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "aws/sigv4.h"
#include "common/file.h"
#include "common/host_policy.h"
#include "common/log_text.h"
#include "emulator/template.h"

namespace lmcp::emulator {

namespace {

// The template's functions (or none), the synthetic ones, checked and sorted.
Result<Deployment> LoadDeployment(const LocalOptions& options) {
  Deployment deployment;
  deployment.region = options.region;
  deployment.account_id = options.account_id;
  if (!options.template_path.empty()) {
    TemplateOptions topts;
    topts.region = options.region;
    topts.account_id = options.account_id;
    auto loaded = LoadTemplateFile(options.template_path, topts);
    if (!loaded.ok()) {
      return loaded.error();
    }
    deployment = std::move(*loaded);
    for (const auto& w : deployment.warnings) {
      spdlog::warn("{}", ForLog(w, 1000));
    }
    if (options.strict && !deployment.warnings.empty()) {
      return Error::InvalidArgument("template has parts lambda-mcp local does not emulate (--strict): " +
                                    deployment.warnings.front());
    }
  }
  if (options.synthetic_functions > 0) {
    std::map<std::string, std::string> tags;
    for (const auto& kv : options.synthetic_tags) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        return Error::InvalidArgument("--synthetic-tag needs key=value, got " + kv);
      }
      tags[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    AddSyntheticFunctions(deployment, options.synthetic_functions, options.synthetic_prefix, tags);
  }
  if (options.echo_all) {
    for (auto& f : deployment.functions) {
      f.runtime = "echo";
    }
  }
  std::string err;
  if (!FinalizeDeployment(deployment, &err)) {
    return Error::InvalidArgument(err);
  }
  return deployment;
}

// The fault file's rules, then the --fault flags', then the --deny flags'.
Result<std::vector<FaultRule>> LoadFaultRules(const LocalOptions& options) {
  std::vector<FaultRule> rules;
  if (!options.faults_file.empty()) {
    auto text = ReadWholeFile(options.faults_file);
    if (!text.ok()) {
      return Error::NotFound("cannot read fault file " + options.faults_file);
    }
    auto parsed = ParseFaultDocument(*text);
    if (!parsed.ok()) {
      return parsed.error();
    }
    rules = std::move(*parsed);
  }
  for (const auto& flag : options.fault_flags) {
    auto rule = ParseFaultFlag(flag);
    if (!rule.ok()) {
      return rule.error();
    }
    rules.push_back(std::move(*rule));
  }
  for (const auto& flag : options.deny_flags) {
    auto rule = ParseDenyFlag(flag);
    if (!rule.ok()) {
      return rule.error();
    }
    rules.push_back(std::move(*rule));
  }
  return rules;
}

ServiceOptions MakeServiceOptions(const LocalOptions& options, bool loopback) {
  ServiceOptions sopts;
  sopts.check_signatures = options.check_signatures;
  aws::Credentials creds;
  creds.access_key_id = options.access_key_id;
  creds.secret_access_key = options.secret_access_key;
  creds.session_token = options.session_token;
  sopts.credentials.push_back(creds);
  sopts.verifier = &aws::Verify;
  sopts.account_concurrency = options.account_concurrency;
  sopts.host_for_urls = options.host;
  sopts.bound_to_loopback = loopback;
  return sopts;
}

HttpServerOptions MakeHttpOptions(const LocalOptions& options) {
  HttpServerOptions http;
  http.limits.max_body_bytes = options.max_body_bytes;
  http.header_timeout = std::chrono::milliseconds(options.header_timeout_ms);
  http.idle_timeout = std::chrono::milliseconds(options.idle_timeout_ms);
  http.max_connections = options.max_connections;
  return http;
}

}  // namespace

Result<std::unique_ptr<LocalEndpoint>> LocalEndpoint::Create(const LocalOptions& options, Clock& clock) {
  const bool loopback = IsLoopbackBindAddress(options.host);
  if (!loopback && options.check_signatures && options.secret_access_key == kDemoSecretAccessKey) {
    return Error::InvalidArgument(
        "--host " + options.host +
        " can be reached from other machines, and the built-in demo secret is public: "
        "pass your own --access-key-id and --secret-access-key");
  }
  if (!loopback && !options.check_signatures) {
    spdlog::warn("lambda-mcp local: --no-auth on {}: anyone who can reach it can run your functions",
                 ForLog(options.host));
  }
  std::unique_ptr<LocalEndpoint> ep(new LocalEndpoint());
  ep->options_ = options;
  Result<Deployment> deployment = LoadDeployment(options);
  if (!deployment.ok()) {
    return deployment.error();
  }
  Result<std::vector<FaultRule>> rules = LoadFaultRules(options);
  if (!rules.ok()) {
    return rules.error();
  }

  ProcessRuntimeOptions ropts;
  ropts.runtimes_dir = options.runtimes_dir.empty() ? FindRuntimesDir() : options.runtimes_dir;
  ropts.python = options.python;
  ropts.node = options.node;
  ropts.region = options.region;
  bool needs_processes = std::any_of(deployment->functions.begin(), deployment->functions.end(),
                                     [](const auto& f) { return f.runtime != "echo"; });
  if (needs_processes && ropts.runtimes_dir.empty()) {
    return Error::NotFound("cannot find the runtime bootstraps (python_bootstrap.py); set LMCP_RUNTIMES_DIR");
  }
  if (needs_processes) {
    spdlog::info("local: runtime bootstraps from {}", ropts.runtimes_dir);
  }

  ep->service_ = std::make_unique<LocalService>(std::move(*deployment), MakeServiceOptions(options, loopback),
                                                std::make_unique<ProcessRuntime>(ropts), clock);
  ep->service_->faults().Replace(std::move(*rules));
  LocalService* service = ep->service_.get();
  ep->server_ = std::make_unique<HttpServer>([service](const ServerRequest& r) { return service->Handle(r); },
                                             MakeHttpOptions(options));
  auto port = ep->server_->Listen(options.host, options.port);
  if (!port.ok()) {
    return port.error();
  }
  ep->service_->set_port_for_urls(*port);
  return ep;
}

LocalEndpoint::~LocalEndpoint() { Stop(); }

void LocalEndpoint::Start() { server_->Start(); }

void LocalEndpoint::Stop() {
  if (stopped_ || !server_) {
    return;
  }
  stopped_ = true;
  server_->Stop();
  service_->WaitForEventInvocations();
}

std::string LocalEndpoint::url() const { return "http://" + options_.host + ":" + std::to_string(port()); }

int RunLocal(const LocalOptions& options) {
  // Block the stop signals in every thread; this thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto ep = LocalEndpoint::Create(options);
  if (!ep.ok()) {
    for (const auto& line : ForLogLines(ep.error().message)) {
      spdlog::error("lambda-mcp local: {}", line);
    }
    return ep.error().code == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  (*ep)->Start();
  const Deployment& d = (*ep)->service().deployment();
  spdlog::info(
      "lambda-mcp local: {} functions, {} schemas, region {}, account {}, signatures {}", d.functions.size(),
      d.schemas.size(), ForLog(d.region), ForLog(d.account_id),
      options.check_signatures ? "checked (key " + ForLog(options.access_key_id) + ")" : "not checked");
  std::printf("lambda-mcp local listening on %s\n", (*ep)->url().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("lambda-mcp local: stopping (signal {})", sig);
  (*ep)->Stop();
  return 0;
}

}  // namespace lmcp::emulator
