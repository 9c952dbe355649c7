// lambda-mcp: parse the command line, set up logging, run the chosen subcommand.

#include <malloc.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <vector>

#include "app/commands.h"
#include "common/log_text.h"
#include "common/version.h"

namespace lmcp::app {
namespace {

// Every subcommand: help and dispatch both come from these rows.
constexpr CommandSpec kCommands[] = {
    {"serve", "Run the MCP server on stdio, or Streamable HTTP with --http", &SetUpServe},
    {"local", "Run a local AWS Lambda endpoint serving the handlers of a SAM template", &SetUpLocal},
    {"tools", "Discover the Lambda functions and print the tools serve would expose", &SetUpTools},
    {"doctor",
     "Check the region, credentials, identity, endpoint, permissions and selection serve would use, each "
     "problem with its fix",
     &SetUpDoctor},
    {"check-config", "Check a config file (targets, principals, policy) without starting anything",
     &SetUpCheckConfig},
    {"config",
     "Print an MCP client's config entry for this server (--client claude-desktop|cursor|vscode|claude-code)",
     &SetUpConfig},
    {"version", "Print the version", &SetUpVersion},
};

// Logs go to stderr only: stdout belongs to the protocol.
bool SetUpLogging(const std::string& level_name) {
  auto logger = spdlog::stderr_color_mt("lambda-mcp");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  auto level = spdlog::level::from_str(level_name);
  if (level == spdlog::level::off && level_name != "off") {
    spdlog::error("unknown log level '{}'", ForLog(level_name));
    return false;
  }
  spdlog::set_level(level);
  return true;
}

int Main(int argc, char** argv) {
  // Payload-sized buffers (Lambda allows 6 MB) go straight to mmap and back to the OS when freed, and a few
  // arenas serve the worker threads, so memory returns to its baseline after large calls.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_ARENA_MAX, 4);
  CLI::App cli{"lambda-mcp: AWS Lambda functions as MCP tools", "lambda-mcp"};
  cli.require_subcommand(1);
  cli.fallthrough();  // global options may also follow the subcommand: `lambda-mcp serve --log-level debug`
  cli.set_version_flag("--version", VersionLine());
  GlobalOptions globals;
  cli.add_option("--log-level", globals.log_level, "trace, debug, info, warn, error, critical or off")
      ->capture_default_str();

  // Register each subcommand and remember which one runs.
  std::vector<std::pair<CLI::App*, CommandRun>> commands;
  for (const CommandSpec& spec : kCommands) {
    CLI::App* sub = cli.add_subcommand(spec.name, spec.description);
    commands.emplace_back(sub, spec.setup(*sub, globals));
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (!SetUpLogging(globals.log_level)) {
    return 2;
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) {
      return run();
    }
  }
  return 2;
}

}  // namespace
}  // namespace lmcp::app

int main(int argc, char** argv) { return lmcp::app::Main(argc, argv); }
