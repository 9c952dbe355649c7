// `lambda-mcp doctor`: every target of the serve configuration checked against AWS (app/doctor.h), each
// finding on one line with its fix. Exit status 0 when nothing failed, 1 when something did, 2 when the
// configuration itself cannot be read.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/doctor.h"
#include "app/lambda_options.h"
#include "common/log_text.h"

namespace lmcp::app {
namespace {

int RunDoctor(const LambdaFlags& flags, const GlobalOptions& globals) {
  if (globals.log_level == "info") {  // the findings say what the info lines would
    spdlog::set_level(spdlog::level::warn);
  }
  auto file = LoadConfigFile(flags);
  auto options = file.ok() ? LoadLambdaOptions(flags, *file) : Result<catalog::CatalogOptions>(file.error());
  if (!options.ok()) {
    std::printf("lambda-mcp doctor: the configuration cannot be used:\n");
    for (const auto& line : ForLogLines(options.error().message)) {
      std::printf("  FAIL  config       %s\n", ForLog(line, 2000).c_str());
    }
    return 2;
  }
  const DoctorContext context{.compat = options->compat, .task_optional_over = options->task_optional_over};
  int failed = 0;
  for (const auto& target : options->targets) {
    std::printf("target %s\n", target.name.c_str());
    std::fflush(stdout);
    auto findings = CheckTarget(target, context);
    std::printf("%s", FormatFindings(findings).c_str());
    failed += static_cast<int>(std::count_if(
        findings.begin(), findings.end(), [](const Finding& f) { return f.level == Finding::Level::kFail; }));
  }
  std::printf(failed == 0 ? "No problem found.\n" : "%d problem(s) found.\n", failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace

CommandRun SetUpDoctor(CLI::App& command, const GlobalOptions& globals) {
  auto flags = std::make_shared<LambdaFlags>();
  AddLambdaFlags(command, *flags);
  return [flags, &globals] { return RunDoctor(*flags, globals); };
}

}  // namespace lmcp::app
