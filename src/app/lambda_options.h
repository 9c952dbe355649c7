#pragma once
// The Lambda catalog's options on a CLI11 command: one flag per catalog option (from CatalogOptionSpecs)
// plus --config FILE (or LAMBDA_MCP_CONFIG), merged flags > environment > file. Built once; not thread-safe.

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "app/gateway_config.h"
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

// The config file named by --config (else $LAMBDA_MCP_CONFIG), read and checked; an empty GatewayConfig
// when there is none.
Result<GatewayConfig> LoadConfigFile(const LambdaFlags& flags);

// The catalog's options: the config file's plain keys and targets, the environment and the given flags
// (flags > environment > file); validated, every problem in one error.
Result<catalog::CatalogOptions> LoadLambdaOptions(const LambdaFlags& flags, const GatewayConfig& file);

}  // namespace lmcp::app
