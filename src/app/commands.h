#pragma once
// The CLI's subcommands. Each lives in cmd_<name>.cc and provides a Setup function that registers its
// options on its CLI11 subcommand and returns the code to run once parsing succeeded. main.cc lists them in
// one table (kCommands); adding a command is one row there plus its file.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace lmcp::app {

// Options every command shares; parsed before the command runs.
struct GlobalOptions {
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
};

// Runs the command after parsing; returns the process exit code.
using CommandRun = std::function<int()>;
// Registers options on `command` (storage lives in the returned closure) and returns the runner.
using CommandSetup = CommandRun (*)(CLI::App& command, const GlobalOptions& globals);

struct CommandSpec {
  const char* name;
  const char* description;
  CommandSetup setup;
};

CommandRun SetUpServe(CLI::App& command, const GlobalOptions& globals);        // cmd_serve.cc
CommandRun SetUpVersion(CLI::App& command, const GlobalOptions& globals);      // cmd_version.cc
CommandRun SetUpTools(CLI::App& command, const GlobalOptions& globals);        // cmd_tools.cc
CommandRun SetUpLocal(CLI::App& command, const GlobalOptions& globals);        // cmd_local.cc
CommandRun SetUpCheckConfig(CLI::App& command, const GlobalOptions& globals);  // cmd_check_config.cc
CommandRun SetUpConfig(CLI::App& command, const GlobalOptions& globals);       // cmd_config.cc
CommandRun SetUpDoctor(CLI::App& command, const GlobalOptions& globals);       // cmd_doctor.cc

// "lambda-mcp 0.1.0 (commit abc123def456)": what `version` and `--version` print.
std::string VersionLine();

}  // namespace lmcp::app
