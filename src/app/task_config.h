#pragma once
// MCP tasks as configured: the config file's `tasks:` section and serve's task flags → mcp::TaskOptions
// (ServerOptions::tasks). Every key is optional; unset ones keep TaskOptions' defaults. `optional_over`
// belongs to the catalog (LAMBDA_MCP_TASK_OPTIONAL_OVER_SECONDS, the Timeout above which a function may run
// as a task) and is passed on as that flat key, so flags and the environment beat it as for any catalog
// option. Not thread-safe; used while loading.

#include <string>
#include <vector>

#include "app/config.h"
#include "app/config_reader.h"
#include "catalog/catalog_options.h"
#include "mcp/server.h"

namespace lmcp::app {

// The keys of the `tasks:` section, as docs/config.md lists them.
const std::vector<std::string>& TaskSectionKeys();

// Reads `tasks:` into `tasks`, and its optional_over into `flat` (a problem when `flat` already has
// LAMBDA_MCP_TASK_OPTIONAL_OVER_SECONDS from a plain key). Problems go to the node's ConfigProblems.
void ReadTasksSection(const ConfigNode& node, mcp::TaskOptions& tasks, catalog::OptionValues& flat);

// The problems of the flags, each naming its flag; empty when valid.
std::vector<std::string> TaskFlagProblems(const TaskFlags& flags);
// Applies valid flags (TaskFlagProblems empty) to `tasks`.
void ApplyTaskFlags(const TaskFlags& flags, mcp::TaskOptions& tasks);

}  // namespace lmcp::app
