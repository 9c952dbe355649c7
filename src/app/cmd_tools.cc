// `lambda-mcp tools`: runs one discovery with the serve configuration and prints the tools that would be
// exposed (name, function, qualifier, schema source), or the reason discovery failed (exit status 1).

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
  Status s = (*source)->catalog().DiscoverNow();
  if (!s.ok()) {
    std::fprintf(stderr, "lambda-mcp tools: discovery failed: %s\n", ForLog(s.error().message, 1000).c_str());
    return 1;
  }
  auto entries = (*source)->catalog().entries();
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *entries) {
      out.push_back({{"name", e.definition.name},
                     {"function", e.function.name},
                     {"function_arn", e.function.arn},
                     {"qualifier", e.qualifier},
                     {"schema", e.schema_source},
                     {"description", e.definition.description},
                     {"inputSchema", e.definition.input_schema}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%-40s %-40s %-12s %s\n", "TOOL", "FUNCTION", "QUALIFIER", "SCHEMA");
  for (const auto& e : *entries) {
    std::printf("%-40s %-40s %-12s %s\n", e.definition.name.c_str(), e.function.name.c_str(),
                e.qualifier.empty() ? "$LATEST" : e.qualifier.c_str(), e.schema_source.c_str());
  }
  std::fprintf(stderr, "%zu tool(s)\n", entries->size());
  return 0;
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
