// `lambda-mcp check-config FILE`: reads and checks a config file the way `serve` would, without starting
// anything or calling AWS. Prints a summary and exits 0, or every problem (one per line) and exits 2.

#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/gateway_config.h"
#include "common/log_text.h"
#include "common/strings.h"
#include "state/shared_state.h"

namespace lmcp::app {
namespace {

std::string DescribeCredentials(const catalog::CredentialOptions& c) {
  using Kind = catalog::CredentialOptions::Kind;
  switch (c.kind) {
    case Kind::kProfile:
      return "profile " + c.profile;
    case Kind::kAssumeRole:
      return "assume " + c.role_arn + (c.profile.empty() ? "" : " from profile " + c.profile);
    case Kind::kDefaultChain:
      break;
  }
  return "the default credential chain";
}

void PrintSummary(const GatewayConfig& config) {
  std::printf("%s: OK\n", config.path.c_str());
  if (config.targets.empty()) {
    std::printf("  targets: one, from the plain keys and the environment (no namespace)\n");
  }
  for (const auto& t : config.targets) {
    std::printf("  target %s: namespace '%s', region %s, %s\n", t.name.c_str(), t.tool_prefix.c_str(),
                t.region.empty() ? "from the environment" : t.region.c_str(),
                DescribeCredentials(t.credentials).c_str());
  }
  std::vector<std::string> tokens;
  for (const auto& token : config.tokens) {
    tokens.push_back("token:" + token.name);
  }
  std::printf("  principals: stdio '%s'%s%s\n", config.stdio_principal.c_str(),
              tokens.empty() ? "" : ("; " + Join(tokens, ", ")).c_str(),
              config.oauth.issuer.empty() ? "" : ("; OAuth from " + config.oauth.issuer).c_str());
  if (!config.policy.enabled) {
    std::printf("  policy: none (every selected tool is allowed to every principal)\n");
  } else {
    std::printf("  policy: %zu rule(s), first match decides, otherwise denied\n", config.policy.rules.size());
  }
  std::printf("  state: %s\n", state::DescribeState(config.state).c_str());
  if (config.guardrails.rate_limits.fail_open) {
    std::printf("  limits: open when the shared limit store is down (calls go through unlimited)\n");
  }
  const mcp::TaskOptions& t = config.tasks;
  if (!t.enabled) {
    std::printf("  tasks: off\n");
  } else {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    std::printf(
        "  tasks: results kept %llds, %d running at most (%d per principal), %zu kept (%zu per principal), "
        "%zu MiB\n",
        static_cast<long long>(duration_cast<seconds>(t.ttl).count()), t.max_running,
        t.max_running_per_principal, t.store.max_tasks, t.store.max_tasks_per_owner, t.store.max_bytes >> 20);
  }
}

int RunCheckConfig(const std::string& path) {
  auto config = LoadGatewayConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 2;
  }
  // The plain keys are checked alone: what the file says, whatever the environment adds when serving.
  auto options = catalog::LoadCatalogOptions({.file = config->flat});
  if (!options.ok()) {
    std::fprintf(stderr, "config file %s:\n", path.c_str());
    for (const auto& line : ForLogLines(options.error().message)) {
      std::fprintf(stderr, "  %s\n", line.c_str());
    }
    return 2;
  }
  PrintSummary(*config);
  return 0;
}

}  // namespace

CommandRun SetUpCheckConfig(CLI::App& command, const GlobalOptions& /*globals*/) {
  auto path = std::make_shared<std::string>();
  command.add_option("FILE", *path, "The config file (YAML or JSON)")->required();
  return [path] { return RunCheckConfig(*path); };
}

}  // namespace lmcp::app
