#pragma once
// How a tool runs: as an MCP task or not (execution.taskSupport), and how its function is invoked
// (RequestResponse, or Event: fire and forget). Each comes from the function's tags (mcp:task-support,
// mcp:task-after-input, mcp:invocation-type), else from the first of the target's ToolOverrides whose
// function glob matches and that sets it, else from the function's Timeout: a function that may run longer
// than `task_optional_over` is `optional`, any other `forbidden`. An Event tool answers at once, so it is
// never a task. A tag with a bad value is ignored with a warning naming the allowed values. Pure functions.

#include <chrono>
#include <string>
#include <vector>

#include "catalog/discovery.h"
#include "catalog/target_options.h"

namespace lmcp::catalog {

inline constexpr char kTaskSupportTag[] = "mcp:task-support";         // forbidden | optional | required
inline constexpr char kTaskAfterInputTag[] = "mcp:task-after-input";  // true: asks for input, then the task
inline constexpr char kInvocationTypeTag[] = "mcp:invocation-type";   // RequestResponse (default) | Event

// Sets entry.invocation_type, entry.definition.task_support and entry.definition.input_before_task from
// entry.tags, the target's overrides and entry.function.timeout_seconds.
void ApplyToolExecution(const TargetOptions& target, std::chrono::seconds task_optional_over,
                        ToolEntry& entry, std::vector<std::string>& warnings);

}  // namespace lmcp::catalog
