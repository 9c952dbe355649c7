#pragma once
// One discovery pass: list every function, apply the selection (name stage ∪, tag stage ∩), read tags once
// (Tagging GetResources, falling back to per-function ListTags), resolve qualifiers and Schema Registry
// schemas, and name the tools. Synchronous and stateless; LambdaCatalog runs it in the background.

#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog_options.h"
#include "catalog/input_schema.h"
#include "catalog/lambda_backend.h"
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
  Tags tags;           // the function's tags (mcp:rate-limit, mcp:cache-ttl, ... are read per call)
  std::string target;  // the name of the target (account/region) it was discovered in; "" = the only one
};

struct DiscoveryResult {
  std::vector<ToolEntry> tools;       // in ListFunctions order
  std::vector<std::string> warnings;  // log at WARNING
  std::vector<std::string> infos;     // log at INFO
  int functions_listed = 0;
  bool used_list_tags_fallback = false;
};

// Fails only when the tool set cannot be known (ListFunctions failed, tags needed for the filter cannot be
// read). The error message names the cause and the fix.
Result<DiscoveryResult> Discover(const CatalogOptions& options, LambdaBackend& backend);

// Whether two discoveries expose the same tools (names, definitions, targets).
bool SameTools(const std::vector<ToolEntry>& a, const std::vector<ToolEntry>& b);

// "Cause. Fix." for a failed AWS call during discovery.
std::string ExplainDiscoveryError(const Error& error, const std::string& operation);

}  // namespace lmcp::catalog
