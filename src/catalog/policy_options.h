#pragma once
// The per-client policy as configured: an ordered list of rules. The first rule that matches both the
// principal and the tool decides (allow or deny); when a policy is configured and no rule matches, the call
// is denied and the tool is not listed. Without a policy (enabled == false) every selected tool is allowed.
// Pure values; catalog/policy.h compiles and evaluates them.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lmcp::catalog {

// Which callers a rule is for. Every given condition must hold; an empty match is any principal.
struct PrincipalMatch {
  std::vector<std::string> names;  // globs on mcp::Identity::name ("token:alice", "oauth:*"); any of them
  // claim → accepted values; the claim (a string, or an array of strings such as `groups`) must hold one.
  std::map<std::string, std::vector<std::string>> claims;
  std::vector<std::string> scopes;  // the principal must hold all of them
};

// Which tools a rule covers. Every given condition must hold; an empty match is every tool.
struct ToolMatch {
  std::vector<std::string> names;           // globs on the tool name (namespace included); any of them
  std::vector<std::string> targets;         // target names; any of them
  std::map<std::string, std::string> tags;  // function tags; all of them, exact values ("*" = any value)
  std::map<std::string, bool> annotations;  // readOnlyHint, destructiveHint, idempotentHint, openWorldHint
};

struct PolicyRule {
  std::string id;     // unique; written to the audit log with every decision it makes
  bool allow = true;  // false: deny
  PrincipalMatch principals;
  ToolMatch tools;
  // A JSON Schema the arguments must also satisfy (allow rules only), e.g. {"properties":{"amount":
  // {"maximum":500}}}; null = none.
  nlohmann::json arguments;
};

struct PolicyOptions {
  bool enabled = false;  // a `policy` section is present: default deny
  std::vector<PolicyRule> rules;
};

}  // namespace lmcp::catalog
