// MCP tasks in a session: which tools/call become tasks, and the tasks/* methods of each era. 2025-11-25
// (a session that negotiated it): the client asks with params.task; tasks/get, tasks/result (waits for the
// end), tasks/list and tasks/cancel. 2026-07-28 (the io.modelcontextprotocol/tasks extension, stateless):
// the client declares the extension in the request's capabilities and the server decides; tasks/get,
// tasks/update and tasks/cancel, and notifications/tasks on subscriptions/listen. The tasks themselves live
// in the server's TaskRunner and outlive the session.

#include <spdlog/spdlog.h>

#include <utility>

#include "common/log_text.h"
#include "jsonrpc/error_codes.h"
#include "mcp/protocol.h"
#include "mcp/session_impl.h"
#include "mcp/task_wire.h"

namespace lmcp::mcp {

using jsonrpc::Message;
using jsonrpc::Reply;
using jsonrpc::RpcError;

namespace {

RpcError TaskNotFound() { return RpcError::InvalidParams("Failed to retrieve task: Task not found"); }

// The task store failed (a shared store that is down): the request could not be served, by no fault of it.
RpcError TaskStoreError(const Error& error) { return RpcError::Internal("Internal error: " + error.message); }

std::variant<std::string, RpcError> TaskIdOf(const Message& m) {
  if (m.params.is_object()) {
    if (auto id = m.params.find("taskId"); id != m.params.end() && id->is_string() && !id->empty()) {
      return id->get<std::string>();
    }
  }
  return RpcError::InvalidParams("Invalid params: " + m.method + " needs a string taskId");
}

Reply OutcomeReply(const TaskRecord& task) {
  auto outcome = TaskOutcome2025(task);
  if (auto* error = std::get_if<RpcError>(&outcome)) {
    return std::move(*error);
  }
  return Reply::Ok(std::get<Json>(std::move(outcome)));
}

}  // namespace

void SessionImpl::RegisterTaskHandlers() {
  dispatcher_.OnRequest("tasks/get", [this](const Message& m, const auto&) { return TaskGet(m, false); });
  dispatcher_.OnRequest("tasks/result",
                        [this](const Message& m, const jsonrpc::Responder& r) { return TaskResult(m, r); });
  dispatcher_.OnRequest("tasks/list", [this](const Message& m, const auto&) { return TaskList(m); });
  dispatcher_.OnRequest("tasks/cancel",
                        [this](const Message& m, const auto&) { return TaskCancel(m, false); });
  stateless_dispatcher_.OnRequest("tasks/get",
                                  [this](const Message& m, const auto&) { return TaskGet(m, true); });
  stateless_dispatcher_.OnRequest("tasks/update",
                                  [this](const Message& m, const auto&) { return TaskUpdate(m); });
  stateless_dispatcher_.OnRequest("tasks/cancel",
                                  [this](const Message& m, const auto&) { return TaskCancel(m, true); });
}

// ---- tools/call → task ----

std::optional<Reply> SessionImpl::RouteToTask(const Message& m, Call& call, const ToolDefinition* tool) {
  if (tool == nullptr || tool->task_support == TaskSupport::kForbidden) {
    if (tool != nullptr && !call.meta && HasTasks(protocol_version()) && m.params.contains("task")) {
      return RpcError::MethodNotFound("Method not found: tool " + call.name +
                                      " does not run as a task (execution.taskSupport is forbidden)");
    }
    return std::nullopt;  // an unknown tool is the provider's to report
  }
  const bool required = tool->task_support == TaskSupport::kRequired;
  if (!server_.tasks().options().enabled) {
    if (required) {
      return RpcError::Internal("Internal error: tool " + call.name +
                                " runs only as a task, and tasks are disabled on this server");
    }
    return std::nullopt;
  }
  bool wants_task;
  if (call.meta) {
    // The extension: the server decides, for a client that declared it on this request.
    wants_task = DeclaresTasksExtension(call.meta->client_capabilities);
    if (!wants_task && required) {
      return TasksExtensionRequired();
    }
    if (wants_task && tool->input_before_task && call.input_responses.is_null()) {
      return std::nullopt;  // MRTR first: the retry with the answers becomes the task
    }
  } else {
    auto task = m.params.find("task");
    wants_task = HasTasks(protocol_version()) && task != m.params.end() && task->is_object();
    if (!wants_task && required) {
      return RpcError::MethodNotFound("Method not found: tool " + call.name +
                                      " must be called as a task (execution.taskSupport is required)" +
                                      (HasTasks(protocol_version()) ? "" : "; tasks need MCP 2025-11-25"));
    }
  }
  if (!wants_task) {
    return std::nullopt;
  }
  return StartTask(m, call);
}

Reply SessionImpl::StartTask(const Message& m, Call& call) {
  TaskRequest request{.tool = call.name,
                      .identity = options_.identity,
                      .protocol_version = call.meta ? call.meta->protocol_version : protocol_version(),
                      .stateless = call.meta != nullptr,
                      .request_meta = call.request_meta,
                      .input_responses = call.input_responses,
                      .request_state = call.request_state};
  if (call.meta) {
    request.client_capabilities = call.meta->client_capabilities;
  } else {
    std::lock_guard lock(mu_);
    request.client_capabilities = client_capabilities_;
    if (auto ttl = m.params["task"].find("ttl"); ttl != m.params["task"].end() && ttl->is_number_unsigned()) {
      request.requested_ttl = std::chrono::milliseconds(ttl->get<uint64_t>());
    }
  }
  request.arguments = std::move(call.arguments);
  auto started = server_.tasks().Start(std::move(request));
  if (!started.ok()) {
    NotInvoked(call, ToolProvider::NotInvoked::kRefused, "task not created: " + started.error().message);
    return RpcError::Internal("Internal error: the task for tool " + call.name +
                              " was not created: " + started.error().message);
  }
  spdlog::debug("mcp: tools/call {} runs as task {}", ForLog(call.name), started->id);
  if (call.meta) {
    Json created = RenderTaskExtension(*started, false);
    created["resultType"] = "task";
    return Reply::Ok(std::move(created));
  }
  return Reply::Ok(Json{{"task", RenderTask2025(*started)}});
}

// ---- tasks/* ----

std::optional<RpcError> SessionImpl::TasksGate(const Message& m, bool stateless) {
  if (!server_.tasks().options().enabled || (!stateless && !HasTasks(protocol_version()))) {
    return RpcError::MethodNotFound("Method not found: " + m.method);
  }
  if (stateless) {
    auto meta = std::get<RequestMeta>(ReadRequestMeta(m.params));
    if (!DeclaresTasksExtension(meta.client_capabilities)) {
      return TasksExtensionRequired();
    }
  }
  return std::nullopt;
}

Reply SessionImpl::TaskGet(const Message& m, bool stateless) {
  if (auto refused = TasksGate(m, stateless)) {
    return std::move(*refused);
  }
  auto id = TaskIdOf(m);
  if (auto* bad = std::get_if<RpcError>(&id)) {
    return std::move(*bad);
  }
  auto found = server_.tasks().Find(options_.principal, std::get<std::string>(id));
  if (!found.ok()) {
    return TaskStoreError(found.error());
  }
  auto& task = *found;
  if (!task) {
    return TaskNotFound();
  }
  return Reply::Ok(stateless ? RenderTaskExtension(*task, true) : RenderTask2025(*task));
}

Reply SessionImpl::TaskList(const Message& m) {
  if (auto refused = TasksGate(m, false)) {
    return std::move(*refused);
  }
  std::string cursor;
  if (m.params.is_object()) {
    if (auto c = m.params.find("cursor"); c != m.params.end() && !c->is_null()) {
      if (!c->is_string()) {
        return RpcError::InvalidParams("Invalid params: unknown cursor");
      }
      cursor = c->get<std::string>();
    }
  }
  size_t page = server_.options().page_size > 0 ? server_.options().page_size : 100;
  auto listed = server_.tasks().List(options_.principal, cursor, page);
  if (!listed.ok() && listed.error().code != ErrorCode::kInvalidArgument) {
    return TaskStoreError(listed.error());
  }
  if (!listed.ok()) {
    return RpcError::InvalidParams("Invalid params: unknown cursor");
  }
  Json tasks = Json::array();
  for (const TaskRecord& task : listed->tasks) {
    tasks.push_back(RenderTask2025(task));
  }
  Json result{{"tasks", std::move(tasks)}};
  if (!listed->next_cursor.empty()) {
    result["nextCursor"] = listed->next_cursor;
  }
  return Reply::Ok(std::move(result));
}

Reply SessionImpl::TaskCancel(const Message& m, bool stateless) {
  if (auto refused = TasksGate(m, stateless)) {
    return std::move(*refused);
  }
  auto id = TaskIdOf(m);
  if (auto* bad = std::get_if<RpcError>(&id)) {
    return std::move(*bad);
  }
  auto cancelled = server_.tasks().Cancel(options_.principal, std::get<std::string>(id));
  if (!cancelled.ok() && cancelled.error().code == ErrorCode::kNotFound) {
    return TaskNotFound();
  }
  if (!cancelled.ok() && cancelled.error().code == ErrorCode::kUnavailable) {
    return TaskStoreError(cancelled.error());
  }
  if (stateless) {
    return Reply::Ok(Json::object());  // an ack, also for a task that had ended (idempotent)
  }
  if (!cancelled.ok()) {
    return RpcError::InvalidParams("Invalid params: cannot cancel task: " + cancelled.error().message);
  }
  return Reply::Ok(RenderTask2025(*cancelled));
}

Reply SessionImpl::TaskUpdate(const Message& m) {
  if (auto refused = TasksGate(m, true)) {
    return std::move(*refused);
  }
  auto id = TaskIdOf(m);
  if (auto* bad = std::get_if<RpcError>(&id)) {
    return std::move(*bad);
  }
  auto responses = m.params.find("inputResponses");
  if (responses == m.params.end() || !responses->is_object()) {
    return RpcError::InvalidParams("Invalid params: tasks/update needs an inputResponses object");
  }
  if (Status updated = server_.tasks().Update(options_.principal, std::get<std::string>(id), *responses);
      !updated.ok()) {
    return updated.error().code == ErrorCode::kNotFound ? TaskNotFound() : TaskStoreError(updated.error());
  }
  return Reply::Ok(Json::object());
}

// tasks/result waits for the task to end. The watcher answers through the TaskWait, never through `this`
// directly, so a session that closed its waits (EndTaskWait, Shutdown) is never reached afterwards.
Reply SessionImpl::TaskResult(const Message& m, const jsonrpc::Responder& responder) {
  if (auto refused = TasksGate(m, false)) {
    return std::move(*refused);
  }
  auto id = TaskIdOf(m);
  if (auto* bad = std::get_if<RpcError>(&id)) {
    return std::move(*bad);
  }
  const std::string task_id = std::get<std::string>(id);
  TaskRunner& runner = server_.tasks();
  auto found = runner.Find(options_.principal, task_id);
  if (!found.ok()) {
    return TaskStoreError(found.error());
  }
  auto& task = *found;
  if (!task) {
    return TaskNotFound();
  }
  if (IsTerminal(task->status)) {
    return OutcomeReply(*task);
  }
  auto wait = std::make_shared<TaskWait>();
  wait->id = m.id;
  wait->responder = responder;
  std::string key = jsonrpc::IdKey(m.id);
  {
    std::lock_guard lock(mu_);
    if (!accepting_) {
      return RpcError::Internal("Internal error: the server is shutting down");
    }
    if (calls_.count(key) > 0 || subscriptions_.count(key) > 0 || task_waits_.count(key) > 0) {
      return RpcError::InvalidRequest("Invalid Request: request id is already in use");
    }
    std::erase_if(task_waits_, [](const auto& entry) {
      std::lock_guard wait_lock(entry.second->mu);
      return !entry.second->open;
    });
    task_waits_[key] = wait;
  }
  auto answer = [wait, &runner](const TaskRecord& record) {
    if (!IsTerminal(record.status)) {
      return;
    }
    std::lock_guard lock(wait->mu);
    if (!wait->open) {
      return;
    }
    wait->open = false;
    auto outcome = TaskOutcome2025(record);
    if (auto* error = std::get_if<RpcError>(&outcome)) {
      wait->responder(jsonrpc::MakeError(wait->id, *error));
    } else {
      wait->responder(jsonrpc::MakeResult(wait->id, std::get<Json>(std::move(outcome))));
    }
    runner.Unwatch(wait->watch);
  };
  uint64_t watch = runner.Watch({task_id}, answer);
  {
    std::lock_guard lock(wait->mu);
    wait->watch = watch;
  }
  // It may have ended between the Get above and the Watch.
  if (auto now = runner.Get(options_.principal, task_id); now && IsTerminal(now->status)) {
    answer(*now);
  }
  return Reply::Deferred();
}

bool SessionImpl::EndTaskWait(const std::string& key, std::optional<Json> response) {
  std::shared_ptr<TaskWait> wait;
  {
    std::lock_guard lock(mu_);
    auto it = task_waits_.find(key);
    if (it == task_waits_.end()) {
      return false;
    }
    wait = it->second;
    task_waits_.erase(it);
  }
  std::lock_guard lock(wait->mu);
  server_.tasks().Unwatch(wait->watch);
  if (wait->open) {
    wait->open = false;
    wait->responder(std::move(response));
  }
  return true;
}

// ---- subscriptions/listen: notifications/tasks ----

std::optional<RpcError> SessionImpl::WatchTasks(const Message& m, const Json& filter, Subscription& sub,
                                                Json& acknowledged) {
  auto ids = filter.find("taskIds");
  if (ids == filter.end() || ids->is_null()) {
    return std::nullopt;
  }
  if (!ids->is_array()) {
    return RpcError::InvalidParams("Invalid params: notifications.taskIds must be an array of task ids");
  }
  if (auto refused = TasksGate(m, true)) {
    return refused;
  }
  std::vector<std::string> owned;
  for (const Json& id : *ids) {
    if (!id.is_string()) {
      return RpcError::InvalidParams("Invalid params: notifications.taskIds must be an array of task ids");
    }
    if (server_.tasks().Get(options_.principal, id.get<std::string>())) {
      owned.push_back(id.get<std::string>());  // unknown and foreign ids are left out of the acknowledgement
    }
  }
  acknowledged["taskIds"] = owned;
  auto feed = std::make_shared<TaskFeed>();
  feed->open = false;  // Listen opens it once the acknowledgement is out
  feed->session = this;
  feed->subscription_id = m.id;
  feed->watch = server_.tasks().Watch(std::move(owned), [feed](const TaskRecord& record) {
    std::lock_guard lock(feed->mu);
    if (!feed->open) {
      return;
    }
    Json params = RenderTaskExtension(record, true);
    params["_meta"] = {{kMetaSubscriptionId, feed->subscription_id}};
    feed->session->Send(jsonrpc::MakeNotification("notifications/tasks", std::move(params)),
                        feed->subscription_id);
  });
  sub.tasks = std::move(feed);
  return std::nullopt;
}

}  // namespace lmcp::mcp
