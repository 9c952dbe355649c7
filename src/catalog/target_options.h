#pragma once
// One target: an AWS account and region to discover functions in and invoke them, with its own credentials,
// selection, qualifier and schema rules, and a tool-name namespace. The env-only setup is one target named
// "default" with no namespace; a gateway config file lists several. Pure values.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "aws/function_ref.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

using FunctionRef = aws::FunctionRef;

// Where a target's credentials come from.
struct CredentialOptions {
  enum class Kind { kDefaultChain, kProfile, kAssumeRole };
  Kind kind = Kind::kDefaultChain;
  std::string profile;  // kProfile; with kAssumeRole: the source profile ("" = the default chain)
  // kAssumeRole: STS AssumeRole with the source credentials, refreshed before expiry.
  std::string role_arn;
  std::string external_id;  // "" = none
  std::string session_name = "lambda-mcp";
  std::chrono::seconds duration{3600};
  bool operator==(const CredentialOptions&) const = default;
};

// Which functions become tools. Name stage = prefix OR list; tag stage intersects. Nothing is selected
// without one of them unless allow_all is set.
struct SelectionOptions {
  std::string function_prefix;             // case-sensitive starts-with; stripped from tool names
  std::vector<FunctionRef> function_list;  // exact names, ARNs or name:qualifier
  std::string tag_key;                     // both key and value set → tag filter
  std::string tag_value;
  bool allow_all = false;

  bool tag_filter() const { return !tag_key.empty() && !tag_value.empty(); }
  bool half_tag_filter() const { return tag_key.empty() != tag_value.empty(); }
  bool name_filter() const { return !function_prefix.empty() || !function_list.empty(); }
  bool has_selection() const { return name_filter() || tag_filter() || allow_all; }
  bool operator==(const SelectionOptions&) const = default;
};

// What a tool says about itself, set from config for functions whose name matches `function` (a glob);
// a function tag (mcp:title, mcp:read-only, mcp:destructive, mcp:idempotent, mcp:open-world,
// mcp:task-support) wins over it.
struct ToolOverride {
  std::string function;  // glob on the function name ("*" any run, "?" one character)
  std::string title;     // "" = unset
  std::optional<bool> read_only;
  std::optional<bool> destructive;
  std::optional<bool> idempotent;
  std::optional<bool> open_world;
  std::optional<mcp::TaskSupport> task_support;  // unset: by the function's Timeout
  bool operator==(const ToolOverride&) const = default;
};

struct TargetOptions {
  std::string name = "default";  // [a-z0-9_-]{1,32}, unique; named in logs, /readyz, audit and policy rules
  std::string tool_prefix;       // namespace prepended to every tool name ("prod_"); "" = none
  std::string region;            // "" = the environment's or profile's
  std::string endpoint_url;      // "" = the environment's (AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL)
  CredentialOptions credentials;
  SelectionOptions selection;
  std::string schema_arn_tag_key;  // tag whose value is a Schema Registry ARN
  std::string schema_dir;          // <function-name>.json files: input schemas without the registry
  std::string qualifier_tag_key;   // tag whose value is the alias/version to invoke
  std::string default_qualifier;   // "" = $LATEST
  std::vector<ToolOverride> tools;
  // Equal targets keep their discovery across a reload (LambdaCatalog::SetTargets).
  bool operator==(const TargetOptions&) const = default;
};

}  // namespace lmcp::catalog
