#pragma once
// Runs task-augmented tools/call in the background (MCP tasks: 2025-11-25's tasks/* and the 2026-07-28
// io.modelcontextprotocol/tasks extension). Start stores the task before it returns (a tasks/get right after
// finds it) and queues its run on the runner's own workers, beside the tools/call ones; the run calls the
// ToolProvider like any call, with a context that belongs to no session, so a task outlives the request and
// the client that created it. The result goes to the TaskStore, where the owner reads it until the TTL
// passes.
//
// Ownership: a task belongs to the identity name that created it; for anyone else it does not exist (Get,
// Cancel, Update and Watch behave as for an unknown id). Cancel stops the run through the tool's stop token
// (the Lambda Invoke's HTTP request is aborted; the function may still have run). A task's tool is never
// called twice for one round: an input_required task's next round is a new call with the client's answers.
// Thread-safe; watchers are called without the runner's locks held.
//
// Replicas: with a shared store (TaskOptions::shared_store, e.g. Redis), a task runs on the replica that
// created it, and tasks/get|list|result|cancel|update may come to any replica. Every write reaches every
// replica through the store's change feed: the replica running the task stops it when it was cancelled and
// queues its next round when its input was answered elsewhere; each replica calls its own watchers.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "jsonrpc/message.h"
#include "mcp/call_scheduler.h"
#include "mcp/identity.h"
#include "mcp/task_store.h"
#include "mcp/tool_provider.h"

namespace lmcp::mcp {

// MCP tasks (2025-11-25 tasks/*, the 2026-07-28 io.modelcontextprotocol/tasks extension): tools whose
// task_support allows it run in the background and the client polls for the result.
struct TaskOptions {
  bool enabled = true;  // false: no task capability; optional tools run synchronously, required ones refuse
  std::chrono::milliseconds ttl{std::chrono::hours(1)};  // a result is kept this long after its task ends
  std::chrono::milliseconds min_ttl{std::chrono::minutes(1)};  // floor for a 2025-11-25 client's task.ttl
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};  // suggested tasks/get interval
  int max_running = 256;  // task runs at once (their own workers, beside the tools/call ones)
  // Of those, one principal's; the rest of its tasks wait, working. Lower it on a gateway shared by many.
  int max_running_per_principal = 256;
  TaskStoreLimits store;              // the in-memory store's bounds
  TaskStore* shared_store = nullptr;  // null: an in-memory store bounded by `store`; else not owned
};

// What a task's run needs from the request that created it.
struct TaskRequest {
  std::string tool;
  Json arguments = Json::object();
  std::shared_ptr<const Identity> identity;  // the owner
  std::string protocol_version;
  bool stateless = false;              // the 2026-07-28 era: input rounds are possible
  Json request_meta = Json::object();  // params._meta (trace context)
  Json client_capabilities = Json::object();
  Json input_responses;                                    // an MRTR retry's answers (null: none)
  Json request_state;                                      // an MRTR retry's opened state (null: none)
  std::optional<std::chrono::milliseconds> requested_ttl;  // 2025-11-25's params.task.ttl
};

class TaskRunner {
 public:
  TaskRunner(ToolProvider& provider, const TaskOptions& options, Clock& clock);
  ~TaskRunner();  // Shutdown(0)
  TaskRunner(const TaskRunner&) = delete;
  TaskRunner& operator=(const TaskRunner&) = delete;

  // Creates a working task and queues its first round. kResourceExhausted (naming the limit) when the
  // store or the run queue is full; kUnavailable once shutting down.
  Result<TaskRecord> Start(TaskRequest request);
  // The task if `owner` created it and it has not expired (nullopt also when the store cannot be read).
  std::optional<TaskRecord> Get(const std::string& owner, const std::string& id);
  // Get, with a store failure as an error (kUnavailable "task store unavailable: ...").
  Result<std::optional<TaskRecord>> Find(const std::string& owner, const std::string& id);
  Result<TaskPage> List(const std::string& owner, const std::string& cursor, size_t limit);
  // A task that has not ended becomes cancelled at once and its run is stopped; returns the record as it is
  // afterwards. kNotFound for an unknown, foreign or expired id; kFailedPrecondition when it had ended.
  Result<TaskRecord> Cancel(const std::string& owner, const std::string& id);
  // Answers to an input_required task's outstanding requests (tasks/update): answers to keys that are not
  // outstanding are ignored; once none is left the next round is queued (by the replica running the task,
  // when the store is shared). kNotFound as for Cancel. A store failure is an error (kUnavailable), in
  // every method that returns one.
  Status Update(const std::string& owner, const std::string& id, const Json& input_responses);

  // `on_change` gets the record each time one of `ids` changes (status, input requests), from any thread,
  // without the runner's locks held. A call already under way when Unwatch returns may still finish (and
  // one more may start), so it must own, or share, whatever it touches.
  using Watcher = std::function<void(const TaskRecord&)>;
  uint64_t Watch(std::vector<std::string> ids, Watcher on_change);
  void Unwatch(uint64_t token);

  // Stops accepting tasks, lets running rounds finish within `grace`, then stops the rest; a task that did
  // not finish ends failed ("the server shut down; the function may have run"). Idempotent.
  void Shutdown(std::chrono::milliseconds grace);

  const TaskOptions& options() const { return options_; }
  size_t running() const { return scheduler_->running(); }

 private:
  struct Run;
  class Context;

  Status Submit(const std::shared_ptr<Run>& run);
  void RoundOver();
  // Starts a round on a scheduler thread; the round goes on without one while the tool waits.
  void RunRound(const std::shared_ptr<Run>& run, CallScheduler::Finished finished);
  Async<Result<ToolResult>> CallRound(std::shared_ptr<Run> run, Json arguments);
  void Finish(const std::shared_ptr<Run>& run, Result<ToolResult> result);
  void AskForInput(const std::shared_ptr<Run>& run, InputRequired input);
  // Ends the task failed with `error` (status message: `message`, else the error's) unless it had ended;
  // true if it had not.
  bool Fail(const std::string& id, const jsonrpc::RpcError& error, std::string message = {});
  // store_.Update (the store's change feed then calls the watchers); a failed write other than kNotFound
  // (the record expired or was evicted) is logged.
  Result<TaskRecord> Settle(const std::string& id, const std::function<bool(TaskRecord&)>& change);
  void ResumeIfAnswered(const std::shared_ptr<Run>& run, const TaskRecord& record);
  void OnStoreChange(const std::string& id);  // the store's change feed ("" = anything may have changed)
  std::shared_ptr<Run> FindRun(const std::string& id);
  void ForgetRun(const std::string& id);
  void Notify(const TaskRecord& record);
  void SweepExpired();

  ToolProvider& provider_;
  const TaskOptions options_;
  Clock& clock_;
  std::unique_ptr<TaskStore> owned_store_;
  TaskStore& store_;

  mutable std::mutex mu_;  // guards runs_, accepting_, watchers_, last_sweep_
  std::condition_variable_any idle_cv_;
  int rounds_ = 0;                                              // rounds queued or running
  std::unordered_map<std::string, std::shared_ptr<Run>> runs_;  // tasks not yet ended, by id
  bool accepting_ = true;
  uint64_t next_watch_ = 1;
  std::unordered_map<uint64_t, std::pair<std::vector<std::string>, std::shared_ptr<Watcher>>> watchers_;
  Clock::SteadyTime last_sweep_{};
  std::atomic<uint64_t> next_key_{1};
  uint64_t subscription_ = 0;                 // to the store's change feed
  std::unique_ptr<CallScheduler> scheduler_;  // last: its workers stop first
};

}  // namespace lmcp::mcp
