#include "catalog/catalog_options.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>
#include <set>

#include <yaml-cpp/yaml.h>

namespace lmcp::catalog {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"FUNCTION_PREFIX", "function-prefix", "string", "",
     "Expose functions whose name starts with this (case-sensitive); the prefix is stripped from tool names."},
    {"FUNCTION_LIST", "function-list", "list", "",
     "Comma-separated functions to expose: names, name:qualifier, or (partial) ARNs. Union with the prefix."},
    {"FUNCTION_TAG_KEY", "function-tag-key", "string", "",
     "With FUNCTION_TAG_VALUE: keep only functions carrying this tag with that value (intersection)."},
    {"FUNCTION_TAG_VALUE", "function-tag-value", "string", "", "See FUNCTION_TAG_KEY."},
    {"FUNCTION_ALLOW_ALL", "function-allow-all", "bool", "false",
     "Expose every function in the region when no prefix, list or tag filter is set (off: nothing is exposed)."},
    {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "function-input-schema-arn-tag-key", "string", "",
     "Tag whose value is an EventBridge Schema Registry ARN; that schema becomes the tool's inputSchema."},
    {"FUNCTION_QUALIFIER_TAG_KEY", "function-qualifier-tag-key", "string", "",
     "Tag whose value is the alias or version to invoke (overrides FUNCTION_QUALIFIER)."},
    {"FUNCTION_QUALIFIER", "function-qualifier", "string", "",
     "Alias or version invoked when neither FUNCTION_LIST nor a tag gives one (empty: $LATEST)."},
    {"AWS_PROFILE", "profile", "string", "", "AWS profile (empty: the default credential chain)."},
    {"AWS_REGION", "region", "string", "", "AWS region (empty: AWS_DEFAULT_REGION, then the profile's region; none at all is an error)."},
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
    {"LAMBDA_MCP_MAX_RESULT_BYTES", "max-result-bytes", "int", "1048576",
     "Text results longer than this are truncated with a visible notice."},
    {"LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION", "max-concurrency-per-function", "int", "0",
     "At most this many calls in flight per function; others wait (0: unlimited)."},
    {"LAMBDA_MCP_PROGRESS_SECONDS", "progress-seconds", "int", "5",
     "While a call waits for its function, send progress notifications this often (when the client asked; 0: never)."},
    {"LAMBDA_MCP_LOG_TAIL", "log-tail", "bool", "false",
     "Invoke with LogType=Tail and add the last 4 KB of the function's log to error results."},
    {"LAMBDA_MCP_VALIDATE_ARGUMENTS", "validate-arguments", "bool", "true",
     "Validate tool arguments against the input schema before invoking."},
    {"LAMBDA_MCP_AUDIT_LOG", "audit-log", "string", "stderr",
     "Where the per-call audit JSON lines go: stderr, off, or a file path (appended)."},
    {"LAMBDA_MCP_AUDIT_KEY_FILE", "audit-key-file", "string", "",
     "File holding the audit HMAC key (64 hex digits, mode 0600). Empty: $XDG_STATE_HOME/lambda-mcp/audit.key "
     "(else ~/.local/state/lambda-mcp/audit.key), generated on first use."},
};

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n\f\v");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(b, e - b + 1);
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string CanonicalKey(std::string key) {
  for (auto& c : key) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return key;
}

std::optional<bool> ParseBool(const std::string& v) {
  std::string l = Lower(Trim(v));
  if (l == "true" || l == "1" || l == "yes" || l == "on") return true;
  if (l == "false" || l == "0" || l == "no" || l == "off" || l.empty()) return false;
  return std::nullopt;
}

bool ValidFunctionName(const std::string& n) {
  static const std::regex re("[A-Za-z0-9_-]{1,170}");
  return std::regex_match(n, re);
}

bool ValidQualifier(const std::string& q) {
  static const std::regex re("\\$LATEST|[A-Za-z0-9_-]{1,128}");
  return std::regex_match(q, re);
}

}  // namespace

const std::vector<OptionSpec>& CatalogOptionSpecs() { return kSpecs; }

OptionValues CatalogEnvironment() {
  OptionValues out;
  for (const auto& spec : kSpecs) {
    if (const char* v = std::getenv(spec.key)) out[spec.key] = v;
  }
  return out;
}

std::vector<std::string> SplitFunctionList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string entry = Trim(text.substr(start, comma - start));
    if (!entry.empty()) out.push_back(entry);
    start = comma + 1;
  }
  return out;
}

std::optional<FunctionRef> ParseFunctionRef(const std::string& entry) {
  FunctionRef ref;
  ref.raw = entry;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = entry.find(':', start);
    parts.push_back(entry.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() >= 7 && parts[0] == "arn") {
    // arn:partition:lambda:region:account:function:name[:qualifier]
    if (parts[2] != "lambda" || parts[5] != "function" || parts.size() > 8) return std::nullopt;
    ref.is_arn = true;
    ref.region = parts[3];
    ref.account = parts[4];
    ref.name = parts[6];
    if (parts.size() == 8) ref.qualifier = parts[7];
  } else if (parts.size() >= 3 && parts[1] == "function") {
    // account:function:name[:qualifier]
    if (parts.size() > 4) return std::nullopt;
    ref.is_arn = true;
    ref.account = parts[0];
    ref.name = parts[2];
    if (parts.size() == 4) ref.qualifier = parts[3];
  } else if (parts.size() == 2) {
    ref.name = parts[0];
    ref.qualifier = parts[1];
  } else if (parts.size() == 1) {
    ref.name = parts[0];
  } else {
    return std::nullopt;
  }
  if (!ValidFunctionName(ref.name)) return std::nullopt;
  if (parts.size() > 1 && !ref.qualifier.empty() && !ValidQualifier(ref.qualifier)) return std::nullopt;
  if (ref.is_arn && !ref.account.empty() &&
      !std::regex_match(ref.account, std::regex("[0-9]{12}"))) {
    return std::nullopt;
  }
  return ref;
}

Result<CatalogOptions> LoadCatalogOptions(const OptionSources& sources) {
  OptionValues merged;
  for (const auto* src : {&sources.file, &sources.env, &sources.flags}) {
    for (const auto& [k, v] : *src) merged[CanonicalKey(k)] = v;
  }
  std::vector<std::string> problems;
  CatalogOptions o;
  auto get = [&](const char* key) -> std::optional<std::string> {
    auto it = merged.find(key);
    if (it == merged.end()) return std::nullopt;
    return it->second;
  };
  auto str = [&](const char* key, std::string& out) {
    if (auto v = get(key)) out = *v;
  };
  auto boolean = [&](const char* key, bool& out) {
    if (auto v = get(key)) {
      if (auto b = ParseBool(*v)) {
        out = *b;
      } else {
        problems.push_back(std::string(key) + ": expected true or false, got \"" + *v + "\"");
      }
    }
  };
  auto integer = [&](const char* key, long long min, long long max, auto& out) {
    if (auto v = get(key)) {
      std::string t = Trim(*v);
      char* end = nullptr;
      errno = 0;
      long long n = t.empty() ? 0 : std::strtoll(t.c_str(), &end, 10);
      if (t.empty() || errno != 0 || *end != '\0' || n < min || n > max) {
        problems.push_back(std::string(key) + ": expected an integer from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", got \"" + *v + "\"");
        return;
      }
      using T = std::remove_reference_t<decltype(out)>;
      out = T(n);
    }
  };

  // The reference server uses these three verbatim (no trimming), so do we.
  str("FUNCTION_PREFIX", o.function_prefix);
  str("FUNCTION_TAG_KEY", o.tag_key);
  str("FUNCTION_TAG_VALUE", o.tag_value);
  str("FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", o.schema_arn_tag_key);
  str("FUNCTION_QUALIFIER_TAG_KEY", o.qualifier_tag_key);
  str("AWS_PROFILE", o.aws_profile);
  str("AWS_REGION", o.aws_region);
  o.aws_region = Trim(o.aws_region);
  boolean("FUNCTION_ALLOW_ALL", o.allow_all);
  boolean("LAMBDA_MCP_LOG_TAIL", o.log_tail);
  boolean("LAMBDA_MCP_VALIDATE_ARGUMENTS", o.validate_arguments);

  if (auto q = get("FUNCTION_QUALIFIER")) {
    o.default_qualifier = Trim(*q);
    if (!o.default_qualifier.empty() && !ValidQualifier(o.default_qualifier)) {
      problems.push_back("FUNCTION_QUALIFIER: \"" + *q + "\" is not an alias or version");
    }
  }
  if (auto list = get("FUNCTION_LIST")) {
    std::map<std::string, std::string> qualifier_of;
    for (const auto& entry : SplitFunctionList(*list)) {
      auto ref = ParseFunctionRef(entry);
      if (!ref) {
        problems.push_back("FUNCTION_LIST: \"" + entry +
                           "\" is not a function name, name:qualifier or Lambda function ARN");
        continue;
      }
      auto [it, inserted] = qualifier_of.emplace(ref->name, ref->qualifier);
      if (!inserted) {
        if (it->second != ref->qualifier) {
          problems.push_back("FUNCTION_LIST: function \"" + ref->name +
                             "\" is listed with two different qualifiers");
        }
        continue;
      }
      o.function_list.push_back(*ref);
    }
  }
  if (auto c = get("LAMBDA_MCP_COMPAT")) {
    std::string v = Lower(Trim(*c));
    if (v == "reference") {
      o.compat = CompatMode::kReference;
    } else if (v.empty() || v == "none" || v == "off") {
      o.compat = CompatMode::kNone;
    } else {
      problems.push_back("LAMBDA_MCP_COMPAT: expected \"reference\" or \"none\", got \"" + *c + "\"");
    }
  }
  integer("LAMBDA_MCP_REFRESH_SECONDS", 0, 7 * 24 * 3600, o.refresh_interval);
  integer("LAMBDA_MCP_DISCOVERY_WAIT_SECONDS", 0, 3600, o.discovery_wait);
  integer("LAMBDA_MCP_INVOKE_TIMEOUT_MARGIN_SECONDS", 0, 900, o.invoke_timeout_margin);
  integer("LAMBDA_MCP_INVOKE_TIMEOUT_SECONDS", 0, 3600, o.invoke_timeout);
  integer("LAMBDA_MCP_MAX_RESULT_BYTES", 1024, 64LL * 1024 * 1024, o.max_result_bytes);
  integer("LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION", 0, 100000, o.max_concurrency_per_function);
  integer("LAMBDA_MCP_PROGRESS_SECONDS", 0, 3600, o.progress_interval);
  if (auto a = get("LAMBDA_MCP_AUDIT_LOG")) {
    o.audit_log = Trim(*a);
    if (o.audit_log.empty()) o.audit_log = "stderr";
  }
  if (auto k = get("LAMBDA_MCP_AUDIT_KEY_FILE")) {
    o.audit_key_file = Trim(*k);
  }

  if (o.half_tag_filter()) {
    o.warnings.push_back("Both FUNCTION_TAG_KEY and FUNCTION_TAG_VALUE must be set to filter by tag.");
  }
  if (!o.has_selection() && !o.half_tag_filter()) {
    o.warnings.push_back(
        "No functions are selected, so no tools are exposed: set FUNCTION_PREFIX, FUNCTION_LIST or "
        "FUNCTION_TAG_KEY+FUNCTION_TAG_VALUE, or FUNCTION_ALLOW_ALL=true to expose every function in the region.");
  }

  if (!problems.empty()) {
    std::string msg = "invalid configuration (" + std::to_string(problems.size()) + " problem" +
                      (problems.size() == 1 ? "" : "s") + "):";
    for (const auto& p : problems) msg += "\n  " + p;
    return Error::InvalidArgument(msg);
  }
  return o;
}

Result<OptionValues> ReadConfigFile(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Error::NotFound("config file " + path + ": cannot be read");
  } catch (const YAML::Exception& e) {
    return Error::InvalidArgument("config file " + path + ": " + e.what());
  }
  OptionValues out;
  if (root.IsNull()) return out;
  if (!root.IsMap()) return Error::InvalidArgument("config file " + path + ": expected a map of settings");
  std::vector<std::string> problems;
  for (const auto& kv : root) {
    std::string key = CanonicalKey(kv.first.as<std::string>());
    const YAML::Node& v = kv.second;
    if (v.IsScalar()) {
      out[key] = v.as<std::string>();
    } else if (v.IsNull()) {
      out[key] = "";
    } else if (v.IsSequence()) {
      std::string joined;
      bool ok = true;
      for (const auto& item : v) {
        if (!item.IsScalar()) ok = false;
        if (!ok) break;
        if (!joined.empty()) joined += ",";
        joined += item.as<std::string>();
      }
      if (ok) {
        out[key] = joined;
      } else {
        problems.push_back(key + ": a list may only hold plain values");
      }
    } else {
      problems.push_back(key + ": nested maps are not supported");
    }
  }
  if (!problems.empty()) {
    std::string msg = "config file " + path + ":";
    for (const auto& p : problems) msg += "\n  " + p;
    return Error::InvalidArgument(msg);
  }
  return out;
}

}  // namespace lmcp::catalog
