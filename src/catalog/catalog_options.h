#pragma once
// The Lambda catalog's configuration: which functions become tools and how they are invoked. A plain struct
// with defaults, loaded from three flat key/value sources merged flags > environment > config file, every
// problem reported at once. Keys are the reference server's environment names (FUNCTION_PREFIX, ...);
// CatalogOptionSpecs() is the table the app registers its flags from and docs/config.md documents.
// Pure values; no I/O except ReadConfigFile.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aws/function_ref.h"
#include "common/result.h"

namespace lmcp::catalog {

// One FUNCTION_LIST entry: a name, name:qualifier, a full or partial ARN (optionally qualified); `raw` is the
// entry as written (trimmed).
using FunctionRef = aws::FunctionRef;

enum class CompatMode { kNone, kReference };

struct CatalogOptions {
  // Selection. Name stage = prefix OR list; tag stage intersects. Nothing is selected without one of them
  // unless allow_all is set.
  std::string function_prefix;             // case-sensitive starts-with; stripped from tool names
  std::vector<FunctionRef> function_list;  // exact names, ARNs or name:qualifier
  std::string tag_key;                     // both key and value set → tag filter
  std::string tag_value;
  bool allow_all = false;          // FUNCTION_ALLOW_ALL: expose every function when no filter is set
  std::string schema_arn_tag_key;  // tag whose value is a Schema Registry ARN
  std::string qualifier_tag_key;   // tag whose value is the alias/version to invoke
  std::string default_qualifier;   // "" = $LATEST

  // AWS; empty = the aws layer's own resolution (AWS_PROFILE / AWS_REGION / profile / defaults).
  std::string aws_profile;
  std::string aws_region;

  // Behaviour.
  CompatMode compat = CompatMode::kNone;       // kReference: {"parameters":{...}} wrapper and reference texts
  std::chrono::seconds refresh_interval{300};  // periodic re-discovery; 0 = never
  std::chrono::seconds discovery_wait{30};     // how long tools/list waits for the first discovery
  std::chrono::seconds invoke_timeout_margin{10};  // read timeout = function Timeout + margin
  std::chrono::seconds invoke_timeout{0};          // > 0: fixed read timeout for every function
  std::size_t max_result_bytes = 1024 * 1024;      // text results beyond this are truncated with a notice
  int max_concurrency_per_function = 0;            // 0 = unlimited
  std::chrono::seconds progress_interval{5};  // progress notifications while waiting (if asked); 0 = none
  bool log_tail = false;                      // LogType=Tail; the log tail goes into error results
  bool validate_arguments = true;             // validate arguments against the input schema
  std::string audit_log = "stderr";           // "stderr", "off" or a file path (appended)
  std::string audit_key_file;                 // audit HMAC key; "" = the default path, generated there

  // Non-fatal findings of loading, to be logged at WARNING (e.g. only one tag variable set).
  std::vector<std::string> warnings;

  bool tag_filter() const { return !tag_key.empty() && !tag_value.empty(); }
  bool half_tag_filter() const { return tag_key.empty() != tag_value.empty(); }
  bool name_filter() const { return !function_prefix.empty() || !function_list.empty(); }
  // True when some filter selects functions (or allow_all is set); false → no tools, said clearly.
  bool has_selection() const { return name_filter() || tag_filter() || allow_all; }
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

// The catalog keys present in the process environment.
OptionValues CatalogEnvironment();

// Merges flags > env > file and validates. On failure, one kInvalidArgument whose message lists every
// problem, one per line.
Result<CatalogOptions> LoadCatalogOptions(const OptionSources& sources);

// Reads a YAML or JSON config file into a flat map: scalar values as text, sequences joined with ",".
// Keys may be written FUNCTION_PREFIX or function_prefix (or function-prefix); they come back upper case
// with '_'. Nested maps are rejected.
Result<OptionValues> ReadConfigFile(const std::string& path);

// Splits FUNCTION_LIST like the reference: on ",", trimmed, empty entries dropped.
std::vector<std::string> SplitFunctionList(const std::string& text);

}  // namespace lmcp::catalog
