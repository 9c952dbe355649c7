#include "mcp/task_wire.h"

#include <algorithm>
#include <chrono>

#include "common/iso8601.h"
#include "jsonrpc/error_codes.h"

namespace lmcp::mcp {

namespace {

// The record's lifetime from creation in ms: until its expiry once known, else its TTL (at least).
int64_t TtlMs(const TaskRecord& task) {
  auto ttl = task.expires_at
                 ? std::chrono::duration_cast<std::chrono::milliseconds>(*task.expires_at - task.created_at)
                 : task.ttl;
  return std::max<int64_t>(1, ttl.count());
}

Json Base(const TaskRecord& task) {
  Json out{{"taskId", task.id}, {"status", TaskStatusName(task.status)}};
  if (!task.status_message.empty()) {
    out["statusMessage"] = task.status_message;
  }
  out["createdAt"] = FormatIso8601Millis(task.created_at);
  out["lastUpdatedAt"] = FormatIso8601Millis(task.updated_at);
  return out;
}

}  // namespace

bool DeclaresTasksExtension(const Json& client_capabilities) {
  if (!client_capabilities.is_object()) {
    return false;
  }
  auto extensions = client_capabilities.find("extensions");
  if (extensions == client_capabilities.end() || !extensions->is_object()) {
    return false;
  }
  auto tasks = extensions->find(kTasksExtension);
  return tasks != extensions->end() && !tasks->is_null();
}

jsonrpc::RpcError TasksExtensionRequired() {
  return jsonrpc::RpcError::MissingClientCapability(
      Json{{"extensions", {{kTasksExtension, Json::object()}}}});
}

Json RenderTask2025(const TaskRecord& task) {
  Json out = Base(task);
  out["ttl"] = TtlMs(task);
  out["pollInterval"] = std::max<int64_t>(1, task.poll_interval.count());
  return out;
}

std::variant<Json, jsonrpc::RpcError> TaskOutcome2025(const TaskRecord& task) {
  switch (task.status) {
    case TaskStatus::kCompleted: {
      Json result = task.result.is_object() ? task.result : Json::object();
      result["_meta"][kMetaRelatedTask] = {{"taskId", task.id}};
      return result;
    }
    case TaskStatus::kFailed:
      return jsonrpc::RpcError{task.error.value("code", jsonrpc::kInternalError),
                               task.error.value("message", "Internal error"),
                               task.error.contains("data") ? task.error["data"] : Json()};
    default:
      return jsonrpc::RpcError::Internal("Internal error: task " + task.id + " was cancelled" +
                                         (task.status_message.empty() ? "" : ": " + task.status_message));
  }
}

Json RenderTaskExtension(const TaskRecord& task, bool detailed) {
  Json out = Base(task);
  out["ttlMs"] = TtlMs(task);
  out["pollIntervalMs"] = std::max<int64_t>(1, task.poll_interval.count());
  if (!detailed) {
    return out;
  }
  if (task.status == TaskStatus::kCompleted) {
    out["result"] = task.result.is_object() ? task.result : Json::object();
  } else if (task.status == TaskStatus::kFailed) {
    out["error"] =
        task.error.is_object() ? task.error : Json{{"code", -32603}, {"message", "Internal error"}};
  } else if (task.status == TaskStatus::kInputRequired) {
    out["inputRequests"] = task.input_requests.is_object() ? task.input_requests : Json::object();
  }
  return out;
}

}  // namespace lmcp::mcp
