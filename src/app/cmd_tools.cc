// `lambda-mcp tools`: runs one discovery of every target (in parallel) with the serve configuration and
// prints the tools that would be exposed (name, target, function, qualifier, task support, invocation type,
// schema source) and, with
// several targets, each target's status. A target that failed is named with its reason; the others' tools
// are still printed (exit status 1 when any target failed).

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/lambda_options.h"
#include "catalog/lambda_tool_source.h"
#include "common/log_text.h"

namespace lmcp::app {
namespace {

struct ToolsArgs {
  bool json = false;
  std::string principal;            // "" = every tool, regardless of policy
  std::vector<std::string> claims;  // KEY=VALUE; a key given twice becomes an array claim
  std::vector<std::string> scopes;
};

// The principal `tools --principal` shows the view of, with the claims and scopes given.
Result<mcp::Identity> IdentityFromArgs(const ToolsArgs& args) {
  mcp::Identity identity{.name = args.principal, .scopes = args.scopes};
  for (const auto& claim : args.claims) {
    auto eq = claim.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::InvalidArgument("--claim wants KEY=VALUE (got \"" + claim + "\")");
    }
    std::string key = claim.substr(0, eq);
    nlohmann::json value = claim.substr(eq + 1);
    nlohmann::json& slot = identity.claims[key];
    if (slot.is_null()) {
      slot = value;
    } else {
      if (!slot.is_array()) {
        slot = nlohmann::json::array({slot});
      }
      slot.push_back(value);
    }
  }
  return identity;
}

// The entries `identity` may see (ToolProvider::ListToolsFor: the policy), in order.
std::vector<const catalog::ToolEntry*> VisibleEntries(mcp::ToolProvider& provider,
                                                      const std::vector<catalog::ToolEntry>& entries,
                                                      const mcp::Identity* identity) {
  std::vector<const catalog::ToolEntry*> out;
  mcp::ToolList visible;
  if (identity != nullptr) {
    auto listed = provider.ListToolsFor(*identity);
    visible = listed.ok() ? *listed : std::make_shared<const std::vector<mcp::ToolDefinition>>();
  }
  for (const auto& e : entries) {
    if (identity == nullptr || mcp::FindTool(*visible, e.definition.name) != nullptr) {
      out.push_back(&e);
    }
  }
  return out;
}

int RunTools(const LambdaFlags& flags, const ToolsArgs& args) {
  const bool json = args.json;
  std::optional<mcp::Identity> identity;
  if (!args.principal.empty()) {
    auto made = IdentityFromArgs(args);
    if (!made.ok()) {
      spdlog::error("{}", made.error().message);
      return 2;
    }
    identity = std::move(made).value();
  } else if (!args.claims.empty() || !args.scopes.empty()) {
    spdlog::error("--claim and --scope describe a --principal");
    return 2;
  }
  auto file = LoadConfigFile(flags);
  if (!file.ok()) {
    for (const auto& line : ForLogLines(file.error().message)) {
      spdlog::error("{}", line);
    }
    return 2;
  }
  auto options = LoadLambdaOptions(flags, *file);
  if (!options.ok()) {
    for (const auto& line : ForLogLines(options.error().message)) {
      spdlog::error("{}", line);
    }
    return 2;
  }
  catalog::LogCatalogOptions(options.value());
  auto source = catalog::LambdaToolSource::Create(options.value(), Clock::System());
  if (!source.ok()) {
    spdlog::error("{}", ForLog(source.error().message, 1000));
    return 2;
  }
  catalog::LambdaCatalog& catalog = (*source)->catalog();
  auto policy = CompilePolicy(*file);
  if (!policy.ok()) {
    spdlog::error("{}", ForLog(policy.error().message, 2000));
    return 2;
  }
  catalog.SetPolicy(*policy);
  Status s = catalog.DiscoverNow();
  auto statuses = catalog.TargetStatuses();
  auto entries = catalog.entries();
  if (!s.ok()) {
    for (const auto& line : ForLogLines(s.error().message)) {
      std::fprintf(stderr, "lambda-mcp tools: discovery failed: %s\n", ForLog(line, 1000).c_str());
    }
  }
  if (!entries) {
    return 1;
  }
  auto shown = VisibleEntries(**source, *entries, identity ? &*identity : nullptr);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto* entry : shown) {
      const catalog::ToolEntry& e = *entry;
      out.push_back({{"name", e.definition.name},
                     {"target", e.target},
                     {"function", e.function.name},
                     {"function_arn", e.function.arn},
                     {"qualifier", e.qualifier},
                     {"schema", e.schema_source},
                     {"title", e.definition.title},
                     {"annotations", e.definition.annotations},
                     {"taskSupport", mcp::TaskSupportName(e.definition.task_support)},
                     {"inputBeforeTask", e.definition.input_before_task},
                     {"invocationType", catalog::InvocationTypeName(e.invocation_type)},
                     {"tags", e.tags},
                     {"description", e.definition.description},
                     {"inputSchema", e.definition.input_schema}});
    }
    if (statuses.size() > 1) {
      out = {{"tools", out}, {"targets", catalog::TargetStatusJson(statuses, /*with_errors=*/true)}};
    }
    std::printf("%s\n", out.dump(2).c_str());
    return s.ok() ? 0 : 1;
  }
  std::printf("%-40s %-12s %-40s %-12s %-9s %-15s %s\n", "TOOL", "TARGET", "FUNCTION", "QUALIFIER", "TASK",
              "INVOKE", "SCHEMA");
  for (const auto* entry : shown) {
    const catalog::ToolEntry& e = *entry;
    std::printf("%-40s %-12s %-40s %-12s %-9s %-15s %s\n", e.definition.name.c_str(), e.target.c_str(),
                e.function.name.c_str(), e.qualifier.empty() ? "$LATEST" : e.qualifier.c_str(),
                mcp::TaskSupportName(e.definition.task_support),
                catalog::InvocationTypeName(e.invocation_type), e.schema_source.c_str());
  }
  if (statuses.size() > 1) {
    for (const auto& t : statuses) {
      std::fprintf(stderr, "target %s: %s, %zu tool(s)%s%s\n", t.name.c_str(), t.ok ? "ok" : "error", t.tools,
                   t.ok ? "" : ": ", t.ok ? "" : ForLog(t.last_error, 1000).c_str());
    }
  }
  for (const auto& t : statuses) {
    if (t.ok && !t.nothing_selected.empty()) {
      std::fprintf(stderr, "%s%s\n", statuses.size() > 1 ? ("target " + t.name + ": ").c_str() : "",
                   ForLog(t.nothing_selected, 1000).c_str());
    }
  }
  std::fprintf(
      stderr, "%zu tool(s)%s\n", shown.size(),
      identity ? (" visible to " + ForLog(identity->name) + " of " + std::to_string(entries->size())).c_str()
               : "");
  return s.ok() ? 0 : 1;
}

}  // namespace

CommandRun SetUpTools(CLI::App& command, const GlobalOptions& /*globals*/) {
  auto flags = std::make_shared<LambdaFlags>();
  auto args = std::make_shared<ToolsArgs>();
  command.add_flag("--json", args->json, "Print the tools as JSON (with their input schemas)");
  command.add_option("--principal", args->principal,
                     "Show only what this principal may see under the config file's policy (token:NAME, "
                     "oauth:SUB, or the stdio principal)");
  command.add_option("--claim", args->claims, "With --principal: a claim KEY=VALUE it holds (repeatable)");
  command.add_option("--scope", args->scopes, "With --principal: a scope it holds (repeatable)");
  AddLambdaFlags(command, *flags);
  return [flags, args] { return RunTools(*flags, *args); };
}

}  // namespace lmcp::app
