#include "app/gateway_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>

#include "app/config_reader.h"
#include "aws/function_ref.h"
#include "catalog/policy.h"
#include "catalog/target_checks.h"
#include "common/file.h"
#include "common/strings.h"
#include "transport/http_auth.h"

namespace lmcp::app {
namespace {

const std::vector<std::string> kSections = {"targets", "principals", "policy"};
const std::vector<std::string> kSelectionKeys = {"FUNCTION_PREFIX",
                                                 "FUNCTION_LIST",
                                                 "FUNCTION_TAG_KEY",
                                                 "FUNCTION_TAG_VALUE",
                                                 "FUNCTION_ALLOW_ALL",
                                                 "FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY",
                                                 "FUNCTION_QUALIFIER_TAG_KEY",
                                                 "FUNCTION_QUALIFIER",
                                                 "AWS_PROFILE",
                                                 "AWS_REGION"};

bool Matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

// FUNCTION_PREFIX, function_prefix and function-prefix are one key.
std::string CanonicalKey(std::string key) {
  for (auto& c : key) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return key;
}

// A plain top-level key: a catalog option, with a scalar or a list of scalars as its value.
void ReadFlatKey(const std::string& raw_key, const ConfigNode& value, GatewayConfig& out,
                 ConfigProblems& problems) {
  std::string key = CanonicalKey(raw_key);
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
    if (!item.ExpectMap({"function", "title", "read_only", "destructive", "idempotent", "open_world"})) {
      continue;
    }
    catalog::ToolOverride o;
    o.function = item["function"].String().value_or("");
    o.title = item["title"].String().value_or("");
    o.read_only = item["read_only"].Bool();
    o.destructive = item["destructive"].Bool();
    o.idempotent = item["idempotent"].Bool();
    o.open_world = item["open_world"].Bool();
    out.push_back(std::move(o));
  }
}

catalog::TargetOptions ReadTarget(const ConfigNode& node) {
  catalog::TargetOptions t;
  node.ExpectMap({"name", "namespace", "region", "endpoint_url", "credentials", "select", "qualifier_tag",
                  "default_qualifier", "schema_tag", "tools"});
  t.name = node["name"].String().value_or("");
  t.tool_prefix = node["namespace"].String().value_or("");
  t.region = node["region"].String().value_or("");
  t.endpoint_url = node["endpoint_url"].String().value_or("");
  ReadCredentials(node["credentials"], t.credentials);
  ReadSelection(node["select"], t.selection);
  t.qualifier_tag_key = node["qualifier_tag"].String().value_or("");
  t.schema_arn_tag_key = node["schema_tag"].String().value_or("");
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

Result<GatewayConfig> ParseRoot(const YAML::Node& root, const std::string& path,
                                const LoadConfigOptions& options) {
  GatewayConfig out;
  out.path = path;
  ConfigProblems problems;
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    return Error::InvalidArgument("config file " + path + ": expected a map of settings");
  }
  ConfigNode doc(root, "", problems);
  bool has_policy = false;  // `policy:` even without rules: default deny
  for (auto& [key, value] : doc.Entries()) {
    has_policy = has_policy || key == "policy";
    if (std::find(kSections.begin(), kSections.end(), key) == kSections.end()) {
      ReadFlatKey(key, value, out, problems);
    }
  }
  for (const auto& item : doc["targets"].Items()) {
    out.targets.push_back(ReadTarget(item));
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
    for (const auto& key : kSelectionKeys) {
      if (out.flat.count(key)) {
        problems.Add(AsciiLower(key),
                     "with targets listed, set this per target (targets[].select, region, "
                     "credentials, qualifier_tag, default_qualifier, schema_tag)");
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
