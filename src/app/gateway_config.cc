#include "app/gateway_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <regex>
#include <set>

#include "app/config_reader.h"
#include "app/task_config.h"
#include "aws/function_ref.h"
#include "catalog/policy.h"
#include "catalog/target_checks.h"
#include "common/file.h"
#include "common/strings.h"
#include "state/shared_state.h"
#include "transport/http_auth.h"

namespace lmcp::app {
namespace {

const std::vector<std::string> kSections = {"targets", "principals", "policy",    "limits", "breaker",
                                            "cache",   "metrics",    "keep_warm", "tasks",  "state"};

bool Matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

// A plain top-level key: a catalog option, with a scalar or a list of scalars as its value.
void ReadFlatKey(const std::string& raw_key, const ConfigNode& value, GatewayConfig& out,
                 ConfigProblems& problems) {
  std::string key = catalog::CanonicalKey(raw_key);
  std::vector<std::string> known = kSections;
  bool is_option = false;
  for (const auto& spec : catalog::CatalogOptionSpecs()) {
    known.push_back(AsciiLower(spec.key));
    is_option = is_option || key == spec.key;
  }
  if (!is_option) {
    std::string hint = ClosestMatch(AsciiLower(key), known);
    problems.Add(raw_key, hint.empty() ? "unknown key (see docs/config.md and docs/gateway.md)"
                                       : "unknown key; did you mean '" + hint + "'?");
    return;
  }
  out.flat[key] = Join(value.StringList(), ",");
}

void ReadCredentials(const ConfigNode& node, catalog::CredentialOptions& c) {
  using Kind = catalog::CredentialOptions::Kind;
  if (!node.present() ||
      !node.ExpectMap({"profile", "role_arn", "external_id", "session_name", "duration"})) {
    return;
  }
  c.profile = node["profile"].String().value_or("");
  c.role_arn = node["role_arn"].String().value_or("");
  c.kind = !c.role_arn.empty()  ? Kind::kAssumeRole
           : !c.profile.empty() ? Kind::kProfile
                                : Kind::kDefaultChain;
  if (c.kind != Kind::kAssumeRole) {
    for (const char* key : {"external_id", "session_name", "duration"}) {
      if (node.Has(key)) {
        node[key].Problem("only with role_arn");
      }
    }
    return;
  }
  c.external_id = node["external_id"].String().value_or("");
  if (auto name = node["session_name"].String()) {
    c.session_name = *name;
  }
  if (auto d = node["duration"].Duration()) {
    c.duration = std::chrono::duration_cast<std::chrono::seconds>(*d);
  }
}

void ReadSelection(const ConfigNode& node, catalog::SelectionOptions& s) {
  if (!node.present()) {
    node.Problem("missing: a target selects its functions with prefix, functions, tag or all");
    return;
  }
  if (!node.ExpectMap({"prefix", "functions", "tag", "all"})) {
    return;
  }
  s.function_prefix = node["prefix"].String().value_or("");
  std::set<std::string> names;
  auto functions = node["functions"];
  for (const auto& entry : functions.StringList()) {
    auto ref = aws::ParseFunctionRef(entry);
    if (!ref.ok()) {
      functions.Problem("'" + entry + "' is not a function name, name:qualifier or Lambda function ARN");
    } else if (!names.insert(ref->name).second) {
      functions.Problem("function '" + ref->name + "' is listed twice");
    } else {
      s.function_list.push_back(*ref);
    }
  }
  auto tag = node["tag"].Entries();
  if (tag.size() > 1) {
    node["tag"].Problem("one key: value pair");
  }
  for (auto& [key, value] : tag) {
    s.tag_key = key;
    s.tag_value = value.String().value_or("");
  }
  s.allow_all = node["all"].Bool().value_or(false);
  if (!s.has_selection()) {
    node.Problem("selects nothing: give prefix, functions, tag or all: true");
  }
}

void ReadToolOverrides(const ConfigNode& node, std::vector<catalog::ToolOverride>& out) {
  for (const auto& item : node.Items()) {
    if (!item.ExpectMap(
            {"function", "title", "read_only", "destructive", "idempotent", "open_world", "task_support"})) {
      continue;
    }
    catalog::ToolOverride o;
    o.function = item["function"].String().value_or("");
    o.title = item["title"].String().value_or("");
    o.read_only = item["read_only"].Bool();
    o.destructive = item["destructive"].Bool();
    o.idempotent = item["idempotent"].Bool();
    o.open_world = item["open_world"].Bool();
    if (auto support = item["task_support"].String()) {
      o.task_support = mcp::ParseTaskSupport(*support);
      if (!o.task_support) {
        item["task_support"].Problem("'" + *support + "': forbidden, optional or required");
      }
    }
    out.push_back(std::move(o));
  }
}

catalog::TargetOptions ReadTarget(const ConfigNode& node) {
  catalog::TargetOptions t;
  node.ExpectMap({"name", "namespace", "region", "endpoint_url", "credentials", "select", "qualifier_tag",
                  "default_qualifier", "schema_tag", "schema_dir", "tools"});
  t.name = node["name"].String().value_or("");
  t.tool_prefix = node["namespace"].String().value_or("");
  t.region = node["region"].String().value_or("");
  t.endpoint_url = node["endpoint_url"].String().value_or("");
  ReadCredentials(node["credentials"], t.credentials);
  ReadSelection(node["select"], t.selection);
  t.qualifier_tag_key = node["qualifier_tag"].String().value_or("");
  t.schema_arn_tag_key = node["schema_tag"].String().value_or("");
  t.schema_dir = node["schema_dir"].String().value_or("");
  t.default_qualifier = node["default_qualifier"].String().value_or("");
  ReadToolOverrides(node["tools"], t.tools);
  return t;
}

void ReadPrincipals(const ConfigNode& node, const std::string& base_dir, const LoadConfigOptions& options,
                    GatewayConfig& out) {
  if (!node.present() || !node.ExpectMap({"stdio", "tokens", "oauth"})) {
    return;
  }
  out.stdio_principal = node["stdio"].String().value_or(out.stdio_principal);
  std::set<std::string> names;
  for (const auto& item : node["tokens"].Items()) {
    if (!item.ExpectMap({"name", "file"})) {
      continue;
    }
    NamedToken token{item["name"].String().value_or(""), item["file"].String().value_or("")};
    if (!Matches(token.name, "[A-Za-z0-9_.@-]{1,64}")) {
      item["name"].Problem("'" + token.name + "': 1 to 64 of A-Z, a-z, 0-9, _, ., @ and -");
    } else if (!names.insert(token.name).second) {
      item["name"].Problem("token name '" + token.name + "' is used twice");
    }
    if (token.file.empty()) {
      item["file"].Problem("missing: the file holding the token");
    } else {
      token.file = (std::filesystem::path(base_dir) / token.file).lexically_normal().string();
      if (options.check_files) {
        if (auto read = transport::ReadTokenFile(token.file); !read.ok()) {
          item["file"].Problem(read.error().message);
        }
      }
    }
    out.tokens.push_back(std::move(token));
  }
  ConfigNode oauth = node["oauth"];
  if (oauth.present() && oauth.ExpectMap({"issuer", "audiences", "jwks_url", "required_scopes"})) {
    out.oauth.issuer = oauth["issuer"].String().value_or("");
    out.oauth.audiences = oauth["audiences"].StringList();
    out.oauth.jwks_url = oauth["jwks_url"].String().value_or("");
    out.oauth.required_scopes = oauth["required_scopes"].StringList();
    if (out.oauth.issuer.empty() || out.oauth.audiences.empty()) {
      oauth.Problem("needs issuer and audiences");
    }
  }
}

catalog::PrincipalMatch ReadPrincipalMatch(const ConfigNode& node) {
  catalog::PrincipalMatch m;
  if (!node.present() || !node.ExpectMap({"names", "claims", "scopes"})) {
    return m;
  }
  m.names = node["names"].StringList();
  for (auto& [claim, values] : node["claims"].Entries()) {
    m.claims[claim] = values.StringList();
  }
  m.scopes = node["scopes"].StringList();
  return m;
}

catalog::ToolMatch ReadToolMatch(const ConfigNode& node, const std::set<std::string>& target_names) {
  catalog::ToolMatch m;
  if (!node.present() || !node.ExpectMap({"names", "targets", "tags", "annotations"})) {
    return m;
  }
  m.names = node["names"].StringList();
  m.targets = node["targets"].StringList();
  for (const auto& target : m.targets) {
    if (!target_names.count(target)) {
      std::vector<std::string> known(target_names.begin(), target_names.end());
      std::string hint = ClosestMatch(target, known);
      node["targets"].Problem(
          "unknown target '" + target + "'" +
          (hint.empty() ? " (targets: " + Join(known, ", ") + ")" : "; did you mean '" + hint + "'?"));
    }
  }
  for (auto& [tag, value] : node["tags"].Entries()) {
    m.tags[tag] = value.String().value_or("");
  }
  for (auto& [name, value] : node["annotations"].Entries()) {  // names checked by Policy::Compile
    if (auto b = value.Bool()) {
      m.annotations[name] = *b;
    }
  }
  return m;
}

void ReadPolicy(const ConfigNode& node, const std::set<std::string>& target_names, GatewayConfig& out) {
  out.policy.enabled = true;
  if (!node.present()) {
    return;  // `policy:` with no rules: everything denied
  }
  for (const auto& item : node.Items()) {
    if (!item.ExpectMap({"id", "effect", "principals", "tools", "arguments"})) {
      continue;
    }
    catalog::PolicyRule rule;
    rule.id = item["id"].String().value_or("");
    std::string effect = item["effect"].String().value_or("allow");
    if (effect != "allow" && effect != "deny") {
      item["effect"].Problem("'" + effect + "': allow or deny");
    }
    rule.allow = effect != "deny";
    rule.principals = ReadPrincipalMatch(item["principals"]);
    rule.tools = ReadToolMatch(item["tools"], target_names);
    rule.arguments = item["arguments"].Json();
    out.policy.rules.push_back(std::move(rule));
  }
}

std::optional<catalog::Rate> ReadRate(const ConfigNode& node) {
  auto text = node.String();
  if (!text) {
    return std::nullopt;
  }
  auto rate = catalog::ParseRate(*text);
  if (!rate.ok()) {
    node.Problem(rate.error().message);
    return std::nullopt;
  }
  return *rate;
}

// {glob: rate, ...} in order.
std::vector<catalog::GlobRate> ReadGlobRates(const ConfigNode& node) {
  std::vector<catalog::GlobRate> out;
  for (auto& [glob, value] : node.Entries()) {
    if (auto rate = ReadRate(value)) {
      out.push_back({.glob = glob, .rate = *rate});
    }
  }
  return out;
}

void ReadLimits(const ConfigNode& node, catalog::RateLimitOptions& o) {
  if (!node.present() ||
      !node.ExpectMap({"global", "per_principal", "per_target", "per_tool", "principals", "tools",
                       "concurrent_per_principal", "concurrent_per_tool", "tool_tags", "on_store_error"})) {
    return;
  }
  o.global = ReadRate(node["global"]).value_or(o.global);
  o.per_principal = ReadRate(node["per_principal"]).value_or(o.per_principal);
  o.per_target = ReadRate(node["per_target"]).value_or(o.per_target);
  o.per_tool = ReadRate(node["per_tool"]).value_or(o.per_tool);
  o.principals = ReadGlobRates(node["principals"]);
  o.tools = ReadGlobRates(node["tools"]);
  o.max_concurrent_per_principal =
      static_cast<int>(node["concurrent_per_principal"].Integer(0, 100000).value_or(0));
  o.max_concurrent_per_tool = static_cast<int>(node["concurrent_per_tool"].Integer(0, 100000).value_or(0));
  o.tool_tags = node["tool_tags"].Bool().value_or(o.tool_tags);
  if (ConfigNode on_error = node["on_store_error"]; on_error.present()) {
    auto text = on_error.String();
    if (text && (*text == "closed" || *text == "open")) {
      o.fail_open = *text == "open";
    } else if (text) {
      on_error.Problem(
          "expected closed (refuse calls while the shared limit store is down) or open (allow them)");
    }
  }
}

std::chrono::seconds Seconds(const ConfigNode& node, std::chrono::seconds fallback) {
  auto d = node.Duration();
  return d ? std::chrono::duration_cast<std::chrono::seconds>(*d) : fallback;
}

void ReadBreaker(const ConfigNode& node, catalog::CircuitBreakerOptions& o) {
  o.enabled = true;  // the section turns it on
  if (!node.present() || !node.ExpectMap({"enabled", "consecutive_failures", "failure_rate", "window",
                                          "min_calls", "cooldown"})) {
    return;
  }
  o.enabled = node["enabled"].Bool().value_or(true);
  o.consecutive_failures =
      static_cast<int>(node["consecutive_failures"].Integer(0, 1000).value_or(o.consecutive_failures));
  o.failure_rate = node["failure_rate"].Fraction().value_or(o.failure_rate);
  o.window = Seconds(node["window"], o.window);
  o.min_calls = static_cast<int>(node["min_calls"].Integer(1, 1000000).value_or(o.min_calls));
  o.cooldown = Seconds(node["cooldown"], o.cooldown);
}

void ReadCache(const ConfigNode& node, catalog::ResultCacheOptions& o) {
  if (!node.present() ||
      !node.ExpectMap({"tools", "max_entries", "max_bytes", "max_entry_bytes", "tool_tags"})) {
    return;
  }
  for (const auto& item : node["tools"].Items()) {
    if (!item.ExpectMap({"match", "ttl", "shared"})) {
      continue;
    }
    catalog::CacheRule rule;
    rule.glob = item["match"].String().value_or("");
    if (rule.glob.empty()) {
      item["match"].Problem("missing: a tool name or glob");
    }
    rule.ttl = Seconds(item["ttl"], rule.ttl);
    rule.shared = item["shared"].Bool().value_or(false);
    o.tools.push_back(std::move(rule));
  }
  o.max_entries = static_cast<std::size_t>(
      node["max_entries"].Integer(1, 10'000'000).value_or(static_cast<long long>(o.max_entries)));
  o.max_bytes = static_cast<std::size_t>(
      node["max_bytes"].Integer(1024, 1LL << 40).value_or(static_cast<long long>(o.max_bytes)));
  o.max_entry_bytes = static_cast<std::size_t>(
      node["max_entry_bytes"].Integer(1, 1LL << 32).value_or(static_cast<long long>(o.max_entry_bytes)));
  o.tool_tags = node["tool_tags"].Bool().value_or(o.tool_tags);
}

void ReadKeepWarm(const ConfigNode& node, catalog::KeepWarmOptions& o, ConfigProblems& problems) {
  if (!node.present() ||
      !node.ExpectMap({"enabled", "tag", "payload", "jitter", "max_concurrency", "rules"})) {
    return;
  }
  o.enabled = node["enabled"].Bool().value_or(o.enabled);
  if (auto tag = node["tag"].String()) {
    o.tag_key = *tag;
  }
  if (auto payload = node["payload"].String()) {
    o.payload = *payload;
  }
  o.jitter = node["jitter"].Fraction().value_or(o.jitter);
  o.max_concurrency = static_cast<int>(node["max_concurrency"].Integer(1, 1000).value_or(o.max_concurrency));
  for (const auto& item : node["rules"].Items()) {
    if (!item.ExpectMap({"function", "every", "concurrency"})) {
      continue;
    }
    catalog::KeepWarmRule rule;
    rule.function = item["function"].String().value_or("");
    rule.every = Seconds(item["every"], rule.every);
    rule.concurrency = static_cast<int>(item["concurrency"].Integer(1, 1000).value_or(1));
    o.rules.push_back(std::move(rule));
  }
  for (const auto& problem : catalog::KeepWarmProblems(o)) {
    problems.Add("keep_warm", problem);
  }
}

void ReadMetrics(const ConfigNode& node, GatewayConfig& out) {
  if (!node.present() || !node.ExpectMap({"listen", "public", "allow_remote"})) {
    return;
  }
  out.metrics_listen = node["listen"].String().value_or("");
  out.metrics_public = node["public"].Bool().value_or(false);
  out.metrics_allow_remote = node["allow_remote"].Bool().value_or(false);
}

Result<GatewayConfig> ParseRoot(const YAML::Node& root, const std::string& path,
                                const LoadConfigOptions& options) {
  GatewayConfig out;
  out.path = path;
  ConfigProblems problems;
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    return Error::InvalidArgument("config file " + path + ": expected a map of settings");
  }
  ConfigNode doc(root, "", problems);
  bool has_policy = false;   // `policy:` even without rules: default deny
  bool has_breaker = false;  // `breaker:` alone turns the breaker on with its defaults
  for (auto& [key, value] : doc.Entries()) {
    has_policy = has_policy || key == "policy";
    has_breaker = has_breaker || key == "breaker";
    out.has_guardrails = out.has_guardrails || key == "limits" || key == "breaker" || key == "cache";
    out.has_keep_warm = out.has_keep_warm || key == "keep_warm";
    if (std::find(kSections.begin(), kSections.end(), key) == kSections.end()) {
      ReadFlatKey(key, value, out, problems);
    }
  }
  const std::filesystem::path file_dir = std::filesystem::path(path).parent_path();
  for (const auto& item : doc["targets"].Items()) {
    out.targets.push_back(ReadTarget(item));
    std::string& dir = out.targets.back().schema_dir;
    if (!dir.empty() && std::filesystem::path(dir).is_relative()) {
      dir = (file_dir / dir).string();  // relative to the config file, like every path in it
    }
    if (!dir.empty() && !std::filesystem::is_directory(dir)) {
      problems.Add("targets[" + out.targets.back().name + "].schema_dir",
                   "\"" + dir + "\" is not a directory");
    }
  }
  for (const auto& problem : catalog::ValidateTargets(out.targets)) {
    problems.AddLine(problem);
  }
  std::set<std::string> target_names = {"default"};
  if (!out.targets.empty()) {
    target_names.clear();
    for (const auto& t : out.targets) {
      target_names.insert(t.name);
    }
    for (const auto& key : TargetOptionKeys()) {
      if (out.flat.count(key)) {
        problems.Add(AsciiLower(key),
                     "with targets listed, set this per target (targets[].select, region, "
                     "credentials, qualifier_tag, default_qualifier, schema_tag, schema_dir)");
      }
    }
  }
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  ReadPrincipals(doc["principals"], base_dir, options, out);
  if (has_policy) {
    ReadPolicy(doc["policy"], target_names, out);
    std::vector<std::string> policy_problems;  // ids, globs, claims, annotations, argument schemas
    catalog::Policy::Compile(out.policy, policy_problems);
    for (auto& line : policy_problems) {
      problems.AddLine(std::move(line));
    }
  }
  ReadLimits(doc["limits"], out.guardrails.rate_limits);
  if (has_breaker) {
    ReadBreaker(doc["breaker"], out.guardrails.breaker);
  }
  ReadCache(doc["cache"], out.guardrails.cache);
  ReadKeepWarm(doc["keep_warm"], out.keep_warm, problems);
  ReadMetrics(doc["metrics"], out);
  ReadTasksSection(doc["tasks"], out.tasks, out.flat);
  if (ConfigNode state = doc["state"]; state.present()) {
    if (auto text = state.String()) {
      if (auto bad = state::StateUrlProblems(*text); !bad.empty()) {
        state.Problem(bad.front().substr(bad.front().find(':') + 2));  // without the "--state: "
      } else {
        out.state = *text;
      }
    }
  }
  if (!problems.empty()) {
    std::string message = "config file " + path + ":";
    for (const auto& line : problems.lines()) {
      message += "\n  " + line;
    }
    return Error::InvalidArgument(message);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& TargetOptionKeys() {
  static const std::vector<std::string> kKeys = {"FUNCTION_PREFIX",
                                                 "FUNCTION_LIST",
                                                 "FUNCTION_TAG_KEY",
                                                 "FUNCTION_TAG_VALUE",
                                                 "FUNCTION_ALLOW_ALL",
                                                 "FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY",
                                                 "FUNCTION_QUALIFIER_TAG_KEY",
                                                 "FUNCTION_QUALIFIER",
                                                 "LAMBDA_MCP_INPUT_SCHEMA_DIR",
                                                 "AWS_PROFILE",
                                                 "AWS_REGION"};
  return kKeys;
}

Result<GatewayConfig> ParseGatewayConfig(const std::string& text, const std::string& path,
                                         const LoadConfigOptions& options) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error::InvalidArgument("config file " + path + ": " + e.what());
  }
  return ParseRoot(root, path, options);
}

Result<GatewayConfig> LoadGatewayConfig(const std::string& path, const LoadConfigOptions& options) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return Error::NotFound("config file " + path + ": cannot be read (" + text.error().message + ")");
  }
  return ParseGatewayConfig(*text, path, options);
}

Result<std::shared_ptr<const catalog::Policy>> CompilePolicy(const GatewayConfig& file) {
  std::vector<std::string> problems;
  auto policy = catalog::Policy::Compile(file.policy, problems);
  if (!policy) {
    return Error::InvalidArgument("policy: " + Join(problems, "; "));
  }
  return policy;
}

void ApplyToServeConfig(const GatewayConfig& file, ServeConfig& config) {
  if (config.state.empty()) {
    config.state = file.state;
  }
  config.auth_tokens = file.tokens;
  config.stdio_principal = file.stdio_principal;
  if (config.oauth_issuer.empty() && !file.oauth.issuer.empty()) {
    config.oauth_issuer = file.oauth.issuer;
    config.oauth_audiences = file.oauth.audiences;
    config.oauth_jwks_url = file.oauth.jwks_url;
    config.oauth_required_scopes = file.oauth.required_scopes;
  }
}

}  // namespace lmcp::app
