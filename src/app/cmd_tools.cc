// `lambda-mcp tools`: runs one discovery of every target (in parallel) with the serve configuration and
// prints the tools that would be exposed (name, target, function, qualifier, schema source) and, with
// several targets, each target's status. A target that failed is named with its reason; the others' tools
// are still printed (exit status 1 when any target failed).

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/lambda_options.h"
#include "catalog/lambda_tool_source.h"
#include "common/log_text.h"

namespace lmcp::app {
namespace {

int RunTools(const LambdaFlags& flags, bool json) {
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
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *entries) {
      out.push_back({{"name", e.definition.name},
                     {"target", e.target},
                     {"function", e.function.name},
                     {"function_arn", e.function.arn},
                     {"qualifier", e.qualifier},
                     {"schema", e.schema_source},
                     {"title", e.definition.title},
                     {"annotations", e.definition.annotations},
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
  std::printf("%-40s %-12s %-40s %-12s %s\n", "TOOL", "TARGET", "FUNCTION", "QUALIFIER", "SCHEMA");
  for (const auto& e : *entries) {
    std::printf("%-40s %-12s %-40s %-12s %s\n", e.definition.name.c_str(), e.target.c_str(),
                e.function.name.c_str(), e.qualifier.empty() ? "$LATEST" : e.qualifier.c_str(),
                e.schema_source.c_str());
  }
  if (statuses.size() > 1) {
    for (const auto& t : statuses) {
      std::fprintf(stderr, "target %s: %s, %zu tool(s)%s%s\n", t.name.c_str(), t.ok ? "ok" : "error", t.tools,
                   t.ok ? "" : ": ", t.ok ? "" : ForLog(t.last_error, 1000).c_str());
    }
  }
  std::fprintf(stderr, "%zu tool(s)\n", entries->size());
  return s.ok() ? 0 : 1;
}

}  // namespace

CommandRun SetUpTools(CLI::App& command, const GlobalOptions& /*globals*/) {
  auto flags = std::make_shared<LambdaFlags>();
  auto json = std::make_shared<bool>(false);
  command.add_flag("--json", *json, "Print the tools as JSON (with their input schemas)");
  AddLambdaFlags(command, *flags);
  return [flags, json] { return RunTools(*flags, *json); };
}

}  // namespace lmcp::app
