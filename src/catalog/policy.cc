#include "catalog/policy.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"

namespace lmcp::catalog {

struct Policy::Rule {
  std::string id;
  bool allow = true;
  PrincipalMatch principals;
  ToolMatch tools;
  std::shared_ptr<const ArgumentValidator> arguments;  // null: no constraint
};

namespace {

constexpr const char* kHints[] = {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"};

bool AnyGlob(const std::vector<std::string>& patterns, const std::string& text) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return GlobMatch(p, text); });
}

// The claim `name`: a top-level claim of that name, else a dotted path into nested objects
// ("realm_access.roles"); null when absent.
const mcp::Json* FindClaim(const mcp::Json& claims, const std::string& name) {
  if (!claims.is_object()) {
    return nullptr;
  }
  if (auto it = claims.find(name); it != claims.end()) {
    return &*it;
  }
  const mcp::Json* at = &claims;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = std::min(name.find('.', start), name.size());
    if (!at->is_object()) {
      return nullptr;
    }
    auto it = at->find(name.substr(start, dot - start));
    if (it == at->end()) {
      return nullptr;
    }
    at = &*it;
    start = dot + 1;
  }
  return at;
}

// A claim value as text: strings as they are, numbers and booleans as JSON ("42", "true"); else nothing.
bool ClaimText(const mcp::Json& v, std::string& out) {
  if (v.is_string()) {
    out = v.get<std::string>();
    return true;
  }
  if (v.is_number() || v.is_boolean()) {
    out = v.dump();
    return true;
  }
  return false;
}

// The claim (a value, or an array of them such as `groups`) holds one of `accepted`.
bool ClaimHolds(const mcp::Json* claim, const std::vector<std::string>& accepted) {
  if (claim == nullptr) {
    return false;
  }
  auto one = [&](const mcp::Json& v) {
    std::string text;
    return ClaimText(v, text) && std::find(accepted.begin(), accepted.end(), text) != accepted.end();
  };
  if (claim->is_array()) {
    return std::any_of(claim->begin(), claim->end(), one);
  }
  return one(*claim);
}

bool PrincipalMatches(const PrincipalMatch& m, const mcp::Identity& caller) {
  if (!m.names.empty() && !AnyGlob(m.names, caller.name)) {
    return false;
  }
  for (const auto& [claim, accepted] : m.claims) {
    if (!ClaimHolds(FindClaim(caller.claims, claim), accepted)) {
      return false;
    }
  }
  return std::all_of(m.scopes.begin(), m.scopes.end(), [&](const std::string& s) {
    return std::find(caller.scopes.begin(), caller.scopes.end(), s) != caller.scopes.end();
  });
}

// A tool's hint as MCP defines it when the tool does not say: not read-only, destructive unless read-only,
// not idempotent, open-world.
bool Hint(const mcp::Json& annotations, const std::string& hint) {
  auto given = [&](const char* name) -> const mcp::Json* {
    if (!annotations.is_object()) {
      return nullptr;
    }
    auto it = annotations.find(name);
    return it != annotations.end() && it->is_boolean() ? &*it : nullptr;
  };
  if (const mcp::Json* v = given(hint.c_str())) {
    return v->get<bool>();
  }
  if (hint == "destructiveHint") {
    return !Hint(annotations, "readOnlyHint");
  }
  return hint == "openWorldHint";
}

bool ToolMatches(const ToolMatch& m, const ToolEntry& tool) {
  if (!m.names.empty() && !AnyGlob(m.names, tool.definition.name)) {
    return false;
  }
  if (!m.targets.empty() && std::find(m.targets.begin(), m.targets.end(), tool.target) == m.targets.end()) {
    return false;
  }
  for (const auto& [key, value] : m.tags) {
    auto it = tool.tags.find(key);
    if (it == tool.tags.end() || (value != "*" && it->second != value)) {
      return false;
    }
  }
  for (const auto& [hint, wanted] : m.annotations) {
    if (Hint(tool.definition.annotations, hint) != wanted) {
      return false;
    }
  }
  return true;
}

// Every problem of one rule, as "policy[<index>].<field>: what".
void CheckRule(const PolicyRule& r, size_t index, std::vector<std::string>& problems,
               std::shared_ptr<const ArgumentValidator>& validator) {
  const std::string at = "policy[" + std::to_string(index) + "]";
  if (r.id.empty()) {
    problems.push_back(at + ".id: missing: every rule needs an id (it goes to the audit log)");
  }
  auto empty_glob = [](const std::vector<std::string>& globs) {
    return std::any_of(globs.begin(), globs.end(), [](const std::string& g) { return g.empty(); });
  };
  if (empty_glob(r.principals.names)) {
    problems.push_back(at + ".principals.names: an empty name matches no principal");
  }
  if (empty_glob(r.tools.names)) {
    problems.push_back(at + ".tools.names: an empty name matches no tool");
  }
  for (const auto& [claim, accepted] : r.principals.claims) {
    if (claim.empty() || accepted.empty()) {
      problems.push_back(at + ".principals.claims: claim '" + claim +
                         "' needs a name and at least one value");
    }
  }
  for (const auto& [hint, wanted] : r.tools.annotations) {
    if (std::find(std::begin(kHints), std::end(kHints), hint) == std::end(kHints)) {
      std::string near = ClosestMatch(hint, std::vector<std::string>(std::begin(kHints), std::end(kHints)));
      problems.push_back(at + ".tools.annotations: unknown annotation '" + hint + "'" +
                         (near.empty() ? "" : "; did you mean '" + near + "'?") +
                         " (readOnlyHint, destructiveHint, idempotentHint, openWorldHint)");
    }
  }
  if (r.arguments.is_null()) {
    return;
  }
  if (!r.allow) {
    problems.push_back(at + ".arguments: only allow rules constrain arguments");
  } else if (!r.arguments.is_object() && !r.arguments.is_boolean()) {
    problems.push_back(at + ".arguments: a JSON Schema object, e.g. {properties: {amount: {maximum: 500}}}");
  } else if (auto compiled = ArgumentValidator::Create(r.arguments); !compiled.ok()) {
    problems.push_back(at + ".arguments: " + compiled.error().message);
  } else {
    validator = std::move(compiled).value();
  }
}

}  // namespace

Policy::Policy() = default;
Policy::~Policy() = default;

std::shared_ptr<const Policy> Policy::AllowAll() { return std::shared_ptr<const Policy>(new Policy()); }

std::shared_ptr<const Policy> Policy::Compile(const PolicyOptions& options,
                                              std::vector<std::string>& problems) {
  std::shared_ptr<Policy> policy(new Policy());
  policy->enabled_ = options.enabled;
  const size_t before = problems.size();
  std::vector<std::string> ids;
  for (size_t i = 0; i < options.rules.size(); ++i) {
    const PolicyRule& r = options.rules[i];
    Rule rule{
        .id = r.id, .allow = r.allow, .principals = r.principals, .tools = r.tools, .arguments = nullptr};
    CheckRule(r, i, problems, rule.arguments);
    if (!r.id.empty() && std::find(ids.begin(), ids.end(), r.id) != ids.end()) {
      problems.push_back("policy[" + std::to_string(i) + "].id: rule id '" + r.id + "' is used twice");
    }
    ids.push_back(r.id);
    policy->rules_.push_back(std::move(rule));
  }
  if (problems.size() != before) {
    return nullptr;
  }
  return policy;
}

Decision Policy::Evaluate(const mcp::Identity& caller, const ToolEntry& tool,
                          const mcp::Json* arguments) const {
  if (!enabled_) {
    return Decision{.allowed = true, .rule_id = "", .why = "no policy", .argument_problems = {}};
  }
  for (const Rule& rule : rules_) {
    if (!PrincipalMatches(rule.principals, caller) || !ToolMatches(rule.tools, tool)) {
      continue;
    }
    Decision d{.allowed = rule.allow,
               .rule_id = rule.id,
               .why = std::string(rule.allow ? "allowed" : "denied") + " by rule '" + rule.id + "'",
               .argument_problems = {}};
    if (rule.allow && rule.arguments && arguments != nullptr) {
      d.argument_problems = rule.arguments->Validate(*arguments);
      if (!d.argument_problems.empty()) {
        d.why = "arguments outside the constraint of rule '" + rule.id + "'";
      }
    }
    return d;
  }
  return Decision{
      .allowed = false, .rule_id = "", .why = "no rule matches: denied by default", .argument_problems = {}};
}

mcp::ToolList VisibleTools::For(const mcp::Identity& caller, const std::shared_ptr<const Policy>& policy,
                                const std::shared_ptr<const std::vector<ToolEntry>>& entries) {
  std::vector<bool> visible(entries->size());
  for (size_t i = 0; i < entries->size(); ++i) {
    visible[i] = policy->Evaluate(caller, (*entries)[i]).allowed;
  }
  std::lock_guard lock(mu_);
  if (policy_ != policy || entries_ != entries || lists_.size() >= kMaxLists) {
    policy_ = policy;
    entries_ = entries;
    lists_.clear();
  }
  mcp::ToolList& list = lists_[visible];
  if (!list) {
    auto tools = std::make_shared<std::vector<mcp::ToolDefinition>>();
    for (size_t i = 0; i < entries->size(); ++i) {
      if (visible[i]) {
        tools->push_back((*entries)[i].definition);
      }
    }
    list = std::move(tools);
  }
  return list;
}

}  // namespace lmcp::catalog
