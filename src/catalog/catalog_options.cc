#include "catalog/catalog_options.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "aws/function_ref.h"
#include "common/strings.h"

namespace lmcp::catalog {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"FUNCTION_PREFIX", "function-prefix", "string", "",
     "Expose functions whose name starts with this (case-sensitive); the prefix is stripped from tool "
     "names."},
    {"FUNCTION_LIST", "function-list", "list", "",
     "Comma-separated functions to expose: names, name:qualifier, or (partial) ARNs. Union with the prefix."},
    {"FUNCTION_TAG_KEY", "function-tag-key", "string", "",
     "With FUNCTION_TAG_VALUE: keep only functions carrying this tag with that value (intersection)."},
    {"FUNCTION_TAG_VALUE", "function-tag-value", "string", "", "See FUNCTION_TAG_KEY."},
    {"FUNCTION_ALLOW_ALL", "function-allow-all", "bool", "false",
     "Expose every function in the region when no prefix, list or tag filter is set (off: nothing is "
     "exposed)."},
    {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "function-input-schema-arn-tag-key", "string", "",
     "Tag whose value is an EventBridge Schema Registry ARN; that schema becomes the tool's inputSchema."},
    {"LAMBDA_MCP_INPUT_SCHEMA_DIR", "input-schema-dir", "string", "",
     "Directory of JSON Schema files named after the functions (<function-name>.json): a function's file "
     "becomes its tool's inputSchema, before any registry schema (no Schema Registry needed)."},
    {"FUNCTION_QUALIFIER_TAG_KEY", "function-qualifier-tag-key", "string", "",
     "Tag whose value is the alias or version to invoke (overrides FUNCTION_QUALIFIER)."},
    {"FUNCTION_QUALIFIER", "function-qualifier", "string", "",
     "Alias or version invoked when neither FUNCTION_LIST nor a tag gives one (empty: $LATEST)."},
    {"AWS_PROFILE", "profile", "string", "", "AWS profile (empty: the default credential chain)."},
    {"AWS_REGION", "region", "string", "",
     "AWS region (empty: AWS_DEFAULT_REGION, then the profile's region; none at all is an error)."},
    {"LAMBDA_MCP_COMPAT", "compat", "string", "",
     "\"reference\": the reference server's {\"parameters\":{...}} input wrapper and result texts."},
    {"LAMBDA_MCP_REFRESH_SECONDS", "refresh-seconds", "int", "300",
     "Re-discover functions this often; tools/list_changed is sent when the set changes (0: never)."},
    {"LAMBDA_MCP_DISCOVERY_WAIT_SECONDS", "discovery-wait-seconds", "int", "30",
     "How long tools/list waits for the first discovery before answering with an error."},
    {"LAMBDA_MCP_INVOKE_TIMEOUT_MARGIN_SECONDS", "invoke-timeout-margin-seconds", "int", "10",
     "Invoke read timeout = the function's own Timeout + this margin."},
    {"LAMBDA_MCP_INVOKE_TIMEOUT_SECONDS", "invoke-timeout-seconds", "int", "0",
     "Fixed Invoke read timeout for every function (0: derived from each function's Timeout)."},
    {"LAMBDA_MCP_MAX_RESULT_BYTES", "max-result-bytes", "int", "6291456",
     "Text results longer than this are truncated with a visible notice (default: Lambda's 6 MB response "
     "limit; structuredContent is always whole)."},
    {"LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION", "max-concurrency-per-function", "int", "0",
     "At most this many calls in flight per function; others wait (0: unlimited)."},
    {"LAMBDA_MCP_PROGRESS_SECONDS", "progress-seconds", "int", "5",
     "While a call waits for its function, send progress notifications this often (when the client asked; 0: "
     "never)."},
    {"LAMBDA_MCP_TASK_OPTIONAL_OVER_SECONDS", "task-optional-over-seconds", "int", "60",
     "A function whose Timeout exceeds this may run as an MCP task (execution.taskSupport optional) unless "
     "its mcp:task-support tag says otherwise (900: never by Timeout)."},
    {"LAMBDA_MCP_LOG_TAIL", "log-tail", "bool", "false",
     "Invoke with LogType=Tail and add the last 4 KB of the function's log to error results."},
    {"LAMBDA_MCP_VALIDATE_ARGUMENTS", "validate-arguments", "bool", "true",
     "Validate tool arguments against the input schema before invoking."},
    {"LAMBDA_MCP_AUDIT_LOG", "audit-log", "string", "stderr",
     "Where the per-call audit JSON lines go: stderr, off, or a file path (appended)."},
    {"LAMBDA_MCP_AUDIT_KEY_FILE", "audit-key-file", "string", "",
     "File holding the audit HMAC key (64 hex digits, mode 0600). Empty: "
     "$XDG_STATE_HOME/lambda-mcp/audit.key "
     "(else ~/.local/state/lambda-mcp/audit.key), generated on first use."},
};

std::optional<bool> ParseBool(const std::string& v) {
  std::string l = AsciiLower(Trim(v));
  if (l == "true" || l == "1" || l == "yes" || l == "on") {
    return true;
  }
  if (l == "false" || l == "0" || l == "no" || l == "off" || l.empty()) {
    return false;
  }
  return std::nullopt;
}

}  // namespace

const std::vector<OptionSpec>& CatalogOptionSpecs() { return kSpecs; }

OptionValues CatalogEnvironment() {
  OptionValues out;
  for (const auto& spec : kSpecs) {
    if (const char* v = std::getenv(spec.key)) {
      out[spec.key] = v;
    }
  }
  return out;
}

std::vector<std::string> UnknownVariableWarnings(const std::vector<std::string>& names) {
  // Read elsewhere than the catalog: the HTTP token, the state store, the config file.
  std::vector<std::string> known = {"LAMBDA_MCP_AUTH_TOKEN", "LAMBDA_MCP_STATE", "LAMBDA_MCP_CONFIG"};
  for (const auto& spec : kSpecs) {
    known.emplace_back(spec.key);
  }
  std::vector<std::string> out;
  for (const auto& name : names) {
    if ((!name.starts_with("FUNCTION_") && !name.starts_with("LAMBDA_MCP_")) ||
        std::find(known.begin(), known.end(), name) != known.end()) {
      continue;
    }
    std::string hint = ClosestMatch(name, known);
    out.push_back(name + " is not a lambda-mcp variable and is ignored" +
                  (hint.empty() ? " (docs/config.md lists them)" : "; did you mean " + hint + "?"));
  }
  return out;
}

std::vector<std::string> EnvironmentNames() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    out.emplace_back(entry.substr(0, entry.find('=')));
  }
  return out;
}

std::vector<std::string> SplitFunctionList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) {
      comma = text.size();
    }
    std::string entry = std::string(Trim(text.substr(start, comma - start)));
    if (!entry.empty()) {
      out.push_back(entry);
    }
    start = comma + 1;
  }
  return out;
}

namespace {

// Reads settings from the merged sources, collecting every problem instead of stopping at the first.
class OptionReader {
 public:
  explicit OptionReader(const OptionSources& sources) {
    for (const auto* src : {&sources.file, &sources.env, &sources.flags}) {
      for (const auto& [k, v] : *src) {
        merged_[CanonicalKey(k)] = v;
      }
    }
  }
  std::optional<std::string> Get(const char* key) const {
    auto it = merged_.find(key);
    if (it == merged_.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  void String(const char* key, std::string& out) const {
    if (auto v = Get(key)) {
      out = *v;
    }
  }
  void Bool(const char* key, bool& out) {
    if (auto v = Get(key)) {
      if (auto b = ParseBool(*v)) {
        out = *b;
      } else {
        Problem(std::string(key) + ": expected true or false, got \"" + *v + "\"");
      }
    }
  }
  template <typename T>
  void Integer(const char* key, long long min, long long max, T& out) {
    if (auto v = Get(key)) {
      std::string t = std::string(Trim(*v));
      char* end = nullptr;
      errno = 0;
      long long n = t.empty() ? 0 : std::strtoll(t.c_str(), &end, 10);
      if (t.empty() || errno != 0 || *end != '\0' || n < min || n > max) {
        Problem(std::string(key) + ": expected an integer from " + std::to_string(min) + " to " +
                std::to_string(max) + ", got \"" + *v + "\"");
        return;
      }
      out = T(n);
    }
  }
  void Problem(std::string text) { problems_.push_back(std::move(text)); }
  // Every problem at once, or OK.
  Status Verdict() const {
    if (problems_.empty()) {
      return Ok();
    }
    std::string msg = "invalid configuration (" + std::to_string(problems_.size()) + " problem" +
                      (problems_.size() == 1 ? "" : "s") + "):";
    for (const auto& p : problems_) {
      msg += "\n  " + p;
    }
    return Error::InvalidArgument(msg);
  }

 private:
  OptionValues merged_;
  std::vector<std::string> problems_;
};

// FUNCTION_LIST: names, name:qualifier or (partial) ARNs; a function listed twice must name one qualifier.
void ReadFunctionList(OptionReader& r, SelectionOptions& o) {
  auto list = r.Get("FUNCTION_LIST");
  if (!list) {
    return;
  }
  std::map<std::string, std::string> qualifier_of;
  for (const auto& entry : SplitFunctionList(*list)) {
    auto ref = aws::ParseFunctionRef(entry);
    if (!ref.ok()) {
      r.Problem("FUNCTION_LIST: \"" + entry +
                "\" is not a function name, name:qualifier or Lambda function ARN");
      continue;
    }
    auto [it, inserted] = qualifier_of.emplace(ref->name, ref->qualifier);
    if (!inserted) {
      if (it->second != ref->qualifier) {
        r.Problem("FUNCTION_LIST: function \"" + ref->name + "\" is listed with two different qualifiers");
      }
      continue;
    }
    o.function_list.push_back(*ref);
  }
}

void ReadCompat(OptionReader& r, CatalogOptions& o) {
  if (auto c = r.Get("LAMBDA_MCP_COMPAT")) {
    std::string v = AsciiLower(Trim(*c));
    if (v == "reference") {
      o.compat = CompatMode::kReference;
    } else if (v.empty() || v == "none" || v == "off") {
      o.compat = CompatMode::kNone;
    } else {
      r.Problem("LAMBDA_MCP_COMPAT: expected \"reference\" or \"none\", got \"" + *c + "\"");
    }
  }
}

}  // namespace

std::string CanonicalKey(std::string key) {
  for (auto& c : key) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return key;
}

Result<CatalogOptions> LoadCatalogOptions(const OptionSources& sources) {
  OptionReader r(sources);
  CatalogOptions o;
  TargetOptions& t = o.targets.emplace_back();  // "default", no namespace
  SelectionOptions& sel = t.selection;
  // The reference server uses these three verbatim (no trimming), so do we.
  r.String("FUNCTION_PREFIX", sel.function_prefix);
  r.String("FUNCTION_TAG_KEY", sel.tag_key);
  r.String("FUNCTION_TAG_VALUE", sel.tag_value);
  r.String("FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", t.schema_arn_tag_key);
  r.String("LAMBDA_MCP_INPUT_SCHEMA_DIR", t.schema_dir);
  if (!t.schema_dir.empty() && !std::filesystem::is_directory(t.schema_dir)) {
    r.Problem("LAMBDA_MCP_INPUT_SCHEMA_DIR: \"" + t.schema_dir + "\" is not a directory");
  }
  r.String("FUNCTION_QUALIFIER_TAG_KEY", t.qualifier_tag_key);
  r.String("AWS_PROFILE", t.credentials.profile);
  if (!t.credentials.profile.empty()) {
    t.credentials.kind = CredentialOptions::Kind::kProfile;
  }
  r.String("AWS_REGION", t.region);
  t.region = std::string(Trim(t.region));
  r.Bool("FUNCTION_ALLOW_ALL", sel.allow_all);
  r.Bool("LAMBDA_MCP_LOG_TAIL", o.log_tail);
  r.Bool("LAMBDA_MCP_VALIDATE_ARGUMENTS", o.validate_arguments);
  if (auto q = r.Get("FUNCTION_QUALIFIER")) {
    t.default_qualifier = std::string(Trim(*q));
    if (!t.default_qualifier.empty() && !aws::IsValidQualifier(t.default_qualifier)) {
      r.Problem("FUNCTION_QUALIFIER: \"" + *q + "\" is not an alias or version");
    }
  }
  ReadFunctionList(r, sel);
  ReadCompat(r, o);
  r.Integer("LAMBDA_MCP_REFRESH_SECONDS", 0, 7 * 24 * 3600, o.refresh_interval);
  r.Integer("LAMBDA_MCP_DISCOVERY_WAIT_SECONDS", 0, 3600, o.discovery_wait);
  r.Integer("LAMBDA_MCP_INVOKE_TIMEOUT_MARGIN_SECONDS", 0, 900, o.invoke_timeout_margin);
  r.Integer("LAMBDA_MCP_INVOKE_TIMEOUT_SECONDS", 0, 3600, o.invoke_timeout);
  r.Integer("LAMBDA_MCP_MAX_RESULT_BYTES", 1024, 64LL * 1024 * 1024, o.max_result_bytes);
  r.Integer("LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION", 0, 100000, o.max_concurrency_per_function);
  r.Integer("LAMBDA_MCP_PROGRESS_SECONDS", 0, 3600, o.progress_interval);
  r.Integer("LAMBDA_MCP_TASK_OPTIONAL_OVER_SECONDS", 0, 900, o.task_optional_over);
  if (auto a = r.Get("LAMBDA_MCP_AUDIT_LOG")) {
    o.audit_log = std::string(Trim(*a));
    if (o.audit_log.empty()) {
      o.audit_log = "stderr";
    }
  }
  if (auto k = r.Get("LAMBDA_MCP_AUDIT_KEY_FILE")) {
    o.audit_key_file = std::string(Trim(*k));
  }
  if (sel.half_tag_filter()) {
    o.warnings.push_back("Both FUNCTION_TAG_KEY and FUNCTION_TAG_VALUE must be set to filter by tag.");
  }
  if (!sel.has_selection() && !sel.half_tag_filter()) {
    o.warnings.push_back(
        "No functions are selected, so no tools are exposed: set FUNCTION_PREFIX, FUNCTION_LIST or "
        "FUNCTION_TAG_KEY+FUNCTION_TAG_VALUE, or FUNCTION_ALLOW_ALL=true to expose every function in the "
        "region.");
  }
  if (Status verdict = r.Verdict(); !verdict.ok()) {
    return verdict.error();
  }
  return o;
}

}  // namespace lmcp::catalog
