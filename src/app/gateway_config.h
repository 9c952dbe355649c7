#pragma once
// The config file: a YAML (or JSON) map. Plain top-level keys are the catalog's flat options
// (FUNCTION_PREFIX, LAMBDA_MCP_AUDIT_LOG, ... in either case; docs/config.md); the structured sections make
// lambda-mcp a gateway (docs/gateway.md):
//   targets:     accounts/regions, each with credentials, selection, namespace  → catalog::TargetOptions
//   principals:  the stdio principal, named static bearer tokens, OAuth settings
//   policy:      ordered allow/deny rules per principal                          → catalog::PolicyOptions
//   limits, breaker, cache: the call chain's guardrails                         → catalog::GuardrailOptions
//   metrics, keep_warm: /metrics and keep-warm pings                            → serve's MetricsConfig
//   tasks:       MCP tasks (TTL, limits; optional_over is the catalog's)        → mcp::TaskOptions
//   state:       where replicas share state: redis://HOST:PORT[/DB] or memory   → ServeConfig::state
// Loading checks the whole file and reports every problem at once, each with its path and, for an unknown
// key, the closest known one. Pure except for reading the file (and, with check_files, the token files).

#include <string>
#include <vector>

#include "app/config.h"
#include "catalog/catalog_options.h"
#include "catalog/guardrail_options.h"
#include "catalog/keep_warm.h"
#include "catalog/policy.h"
#include "catalog/policy_options.h"
#include "catalog/target_options.h"
#include "common/result.h"
#include "mcp/server.h"

namespace lmcp::app {

struct OAuthSettings {
  std::string issuer;
  std::vector<std::string> audiences;
  std::string jwks_url;
  std::vector<std::string> required_scopes;
};

struct GatewayConfig {
  std::string path;                             // the file ("" = none: everything from flags and environment)
  catalog::OptionValues flat;                   // the plain top-level keys, canonical (FUNCTION_PREFIX)
  std::vector<catalog::TargetOptions> targets;  // empty = one target from the flat keys
  std::string stdio_principal = "stdio";
  std::vector<NamedToken> tokens;  // files relative to the config file's directory, made absolute
  OAuthSettings oauth;
  catalog::PolicyOptions policy;
  bool has_guardrails = false;  // a limits, breaker or cache section is present
  catalog::GuardrailOptions guardrails;
  bool has_keep_warm = false;
  catalog::KeepWarmOptions keep_warm;
  mcp::TaskOptions tasks;      // the `tasks:` section (its optional_over is in `flat`)
  std::string state;           // `state:` redis://HOST:PORT[/DB] or memory ("" = not set)
  std::string metrics_listen;  // "" = none
  bool metrics_public = false;
  bool metrics_allow_remote = false;
};

struct LoadConfigOptions {
  bool check_files = true;  // read the token files (that they exist and hold a strong token)
};

// Reads and checks `path`. kNotFound when it cannot be read; kInvalidArgument listing every problem, one per
// line ("config file F:\n  targets[1].region: ...").
Result<GatewayConfig> LoadGatewayConfig(const std::string& path, const LoadConfigOptions& options = {});

// The file's settings of `serve` (principals, OAuth) where the flags left them unset: flags beat the file.
void ApplyToServeConfig(const GatewayConfig& file, ServeConfig& config);

// The plain keys that describe the one target of the env-only setup (FUNCTION_PREFIX, AWS_REGION, ...); with
// `targets:` listed, each target says these itself.
const std::vector<std::string>& TargetOptionKeys();

// The file's policy, compiled (allow-all when it has none). The loader already checked it, so this fails
// only for a GatewayConfig built by hand.
Result<std::shared_ptr<const catalog::Policy>> CompilePolicy(const GatewayConfig& file);

// The same for text already in memory (tests); `path` only names it and anchors relative token files.
Result<GatewayConfig> ParseGatewayConfig(const std::string& text, const std::string& path,
                                         const LoadConfigOptions& options = {});

}  // namespace lmcp::app
