#pragma once
// The Lambda catalog's configuration: which functions become tools and how they are invoked. A plain struct
// with defaults, loaded from three flat key/value sources merged flags > environment > config file, every
// problem reported at once. Keys are the reference server's environment names (FUNCTION_PREFIX, ...);
// CatalogOptionSpecs() is the table the app registers its flags from and docs/config.md documents.
// Pure values; no I/O (the app reads the config file: app/gateway_config.h).

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aws/function_ref.h"
#include "catalog/guardrail_options.h"
#include "catalog/target_options.h"
#include "common/result.h"

namespace lmcp::catalog {

enum class CompatMode { kNone, kReference };

// Functions whose Timeout exceeds this may run as MCP tasks unless a tag says otherwise (tool_execution.h).
inline constexpr std::chrono::seconds kDefaultTaskOptionalOver{60};

struct CatalogOptions {
  // Where functions come from and which become tools: one target per account/region (target_options.h).
  // The flat keys (FUNCTION_PREFIX, AWS_REGION, ...) build exactly one, named "default", with no namespace.
  std::vector<TargetOptions> targets;

  // Behaviour.
  CompatMode compat = CompatMode::kNone;       // kReference: {"parameters":{...}} wrapper and reference texts
  std::chrono::seconds refresh_interval{300};  // periodic re-discovery; 0 = never
  std::chrono::seconds discovery_wait{30};     // how long tools/list waits for the first discovery
  std::chrono::seconds invoke_timeout_margin{10};  // read timeout = function Timeout + margin
  std::chrono::seconds invoke_timeout{0};          // > 0: fixed read timeout for every function
  std::size_t max_result_bytes = 6 * 1024 * 1024;  // Lambda's response limit; text beyond it is truncated
  int max_concurrency_per_function = 0;            // 0 = unlimited
  std::chrono::seconds progress_interval{5};  // progress notifications while waiting (if asked); 0 = none
  bool log_tail = false;                      // LogType=Tail; the log tail goes into error results
  bool validate_arguments = true;             // validate arguments against the input schema
  std::string audit_log = "stderr";           // "stderr", "off" or a file path (appended)
  std::string audit_key_file;                 // audit HMAC key; "" = the default path, generated there
  GuardrailOptions guardrails;                // rate limits, circuit breaker, result cache (all off)
  // A function whose Timeout exceeds this is task-optional (execution.taskSupport) unless its
  // mcp:task-support tag or a tool override says otherwise; 900 (Lambda's maximum) = never by Timeout.
  std::chrono::seconds task_optional_over = kDefaultTaskOptionalOver;

  // Non-fatal findings of loading, to be logged at WARNING (e.g. only one tag variable set).
  std::vector<std::string> warnings;
};

struct OptionSpec {
  const char* key;   // environment variable and config-file key (also accepted in lower case)
  const char* flag;  // long command-line flag, without "--"
  const char* type;  // "string", "bool", "int", "list"
  const char* default_value;
  const char* help;
};
const std::vector<OptionSpec>& CatalogOptionSpecs();

// Flat key/value maps keyed by OptionSpec::key. Unknown keys are ignored here (the app validates those).
using OptionValues = std::map<std::string, std::string>;
struct OptionSources {
  OptionValues file;
  OptionValues env;
  OptionValues flags;
};

// FUNCTION_PREFIX, function_prefix and function-prefix are one key: upper case, '-' → '_'.
std::string CanonicalKey(std::string key);

// The catalog keys present in the process environment.
OptionValues CatalogEnvironment();

// For each name in `names` (environment variable names) that starts with FUNCTION_ or LAMBDA_MCP_ but is
// none of lambda-mcp's, a warning naming it and, when one is close, the variable meant ("FUNCTION_PREFX is
// not a lambda-mcp variable; did you mean FUNCTION_PREFIX?").
std::vector<std::string> UnknownVariableWarnings(const std::vector<std::string>& names);
// The names in this process's environment.
std::vector<std::string> EnvironmentNames();

// Merges flags > env > file and validates; the target keys fill targets[0] ("default"). On failure, one
// kInvalidArgument whose message lists every problem, one per line.
Result<CatalogOptions> LoadCatalogOptions(const OptionSources& sources);

// Splits FUNCTION_LIST like the reference: on ",", trimmed, empty entries dropped.
std::vector<std::string> SplitFunctionList(const std::string& text);

}  // namespace lmcp::catalog
