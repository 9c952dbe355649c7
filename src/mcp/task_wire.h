#pragma once
// How a task looks on the wire in each era. 2025-11-25: the Task object with `ttl`/`pollInterval`, wrapped
// as {task} when created, and tasks/result's answer. 2026-07-28 (the io.modelcontextprotocol/tasks
// extension): a flat Task with `ttlMs`/`pollIntervalMs`, resultType "task" when created, and tasks/get's
// DetailedTask inlining result, error or inputRequests. Pure functions.

#include <nlohmann/json.hpp>
#include <variant>

#include "jsonrpc/message.h"
#include "mcp/task_store.h"

namespace lmcp::mcp {

inline constexpr char kTasksExtension[] = "io.modelcontextprotocol/tasks";
// The related-task _meta key of 2025-11-25 (on tasks/result's answer).
inline constexpr char kMetaRelatedTask[] = "io.modelcontextprotocol/related-task";

// True when capabilities (initialize's or a request's _meta) declare the tasks extension.
bool DeclaresTasksExtension(const Json& client_capabilities);
// The -32021 refusal for a client that did not declare the extension: data.requiredCapabilities names it.
jsonrpc::RpcError TasksExtensionRequired();

// 2025-11-25's Task: {taskId, status, statusMessage?, createdAt, lastUpdatedAt, ttl, pollInterval}.
Json RenderTask2025(const TaskRecord& task);
// tasks/result of an ended task: what the tools/call would have answered (its result with the related-task
// _meta, or its JSON-RPC error; a cancelled task answers an error saying so).
std::variant<Json, jsonrpc::RpcError> TaskOutcome2025(const TaskRecord& task);
// The extension's Task: {taskId, status, statusMessage?, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs};
// `detailed` (tasks/get, notifications/tasks) adds result, error or inputRequests as the status has them.
Json RenderTaskExtension(const TaskRecord& task, bool detailed);

}  // namespace lmcp::mcp
