#pragma once
// The Lambda catalog's options on a CLI11 command: one flag per catalog option (from CatalogOptionSpecs)
// plus --config FILE (or LAMBDA_MCP_CONFIG), merged flags > environment > file. Built once; not thread-safe.

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "catalog/catalog_options.h"
#include "common/result.h"

namespace lmcp::app {

struct LambdaFlags {
  std::string config_file;
  std::map<std::string, std::string> values;    // by option key, as given on the command line
  std::map<std::string, CLI::Option*> options;  // to tell given flags from absent ones
};

// Registers the flags on `command`; `flags` must outlive parsing.
void AddLambdaFlags(CLI::App& command, LambdaFlags& flags);

// Reads the config file (if any), the environment and the given flags; validates; logs every problem.
Result<catalog::CatalogOptions> LoadLambdaOptions(const LambdaFlags& flags);

}  // namespace lmcp::app
