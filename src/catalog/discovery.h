#pragma once
// One discovery pass over one target: list every function, apply the target's selection (name stage ∪, tag
// stage ∩), read every selected function's tags once (Tagging GetResources, falling back to per-function
// ListTags), resolve qualifiers and Schema Registry schemas, name the tools (the target's namespace first)
// and describe them (title and annotations, tool_annotations.h). Synchronous and stateless; DiscoveredTools
// runs it in the background, one per target.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog_options.h"
#include "catalog/input_schema.h"
#include "catalog/lambda_backend.h"
#include "catalog/target_options.h"
#include "common/result.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

// Everything needed to list and call one tool. Immutable once built.
struct ToolEntry {
  mcp::ToolDefinition definition;
  FunctionInfo function;
  std::string qualifier;         // "" = $LATEST
  std::string qualifier_source;  // "list", "tag", "default" or ""
  // "registry <arn>", "registry <arn> (arguments not validated: <why>)", "none", or
  // "none (<why the registry schema was not used>)"
  std::string schema_source;
  Json event_schema;  // the schema the arguments (the event) must satisfy; null when none
  std::shared_ptr<const ArgumentValidator> validator;  // null: no validation (also when event_schema is set)
  std::string target;                                  // the target's name
  Tags tags;  // all of the function's tags (empty when they could not be read)
  // RequestResponse, or Event (tag mcp:invocation-type): Lambda queues the event and answers 202 at once.
  InvocationType invocation_type = InvocationType::kRequestResponse;
  // The target's backend, which invokes the function; kept alive by the entry after the target is removed
  // (null in tests that invoke through the chain's own backend).
  std::shared_ptr<LambdaBackend> backend;
};

struct DiscoveryResult {
  std::vector<ToolEntry> tools;       // in ListFunctions order
  std::vector<std::string> warnings;  // log at WARNING
  std::vector<std::string> infos;     // log at INFO
  int functions_listed = 0;
  bool used_list_tags_fallback = false;
  // No tool: why the selection kept no function, with the fix ("" when there are tools). Names no function
  // the selection left out: tools/list shows it to clients.
  std::string nothing_selected;
};

// Fails only when the tool set cannot be known (ListFunctions failed, tags needed for the filter, schema or
// qualifier tag cannot be read). Tags that nothing selects by are read too (title, annotations, policy);
// when they cannot be read that is a warning. The error message names the cause and the fix. Entries get
// the target's name; their `backend` is left for the caller to set. Functions whose Timeout exceeds
// `task_optional_over` may run as MCP tasks unless tagged otherwise (tool_execution.h).
Result<DiscoveryResult> Discover(const TargetOptions& target, CompatMode compat, LambdaBackend& backend,
                                 std::chrono::seconds task_optional_over = kDefaultTaskOptionalOver);

// Whether two discoveries expose the same tools (names, definitions, targets).
bool SameTools(const std::vector<ToolEntry>& a, const std::vector<ToolEntry>& b);

// "Cause. Fix." for a failed AWS call during discovery.
std::string ExplainDiscoveryError(const Error& error, const std::string& operation);

}  // namespace lmcp::catalog
