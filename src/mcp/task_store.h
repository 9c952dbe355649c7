#pragma once
// Where MCP tasks live between the tools/call that creates one and the tasks/get that reads its result: the
// TaskStore seam. The task runner (mcp/task_runner.h) writes records; any session reads them. Now one
// in-memory implementation (InMemoryTaskStore), bounded by a number of tasks, per owner and in total, and
// by a memory cap; a shared one (Redis) lets several replicas serve one task.
//
// A record is plain data: a store holds no threads, stop sources or callbacks. Expiry is by the injected
// clock's wall time (Clock::Now), so replicas agree on it: a record whose expires_at has passed is gone
// for every reader, whether or not it has been removed yet. Implementations are thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace lmcp::mcp {

using Json = nlohmann::json;

enum class TaskStatus { kWorking, kInputRequired, kCompleted, kFailed, kCancelled };
const char* TaskStatusName(TaskStatus status);  // "working", "input_required", "completed", ...
bool IsTerminal(TaskStatus status);             // completed, failed, cancelled: never changes again

struct TaskRecord {
  std::string id;     // unguessable (128 random bits); the only handle a client has
  std::string owner;  // the principal that created it; nobody else sees it
  std::string tool;
  std::string protocol_version;  // of the request that created it: decides the wire shape
  TaskStatus status = TaskStatus::kWorking;
  std::string status_message;  // empty = omitted
  Clock::WallTime created_at{};
  Clock::WallTime updated_at{};
  // When the record may be deleted; nullopt while it runs (a run is bounded by its function's timeout).
  std::optional<Clock::WallTime> expires_at;
  std::chrono::milliseconds ttl{0};            // how long a result is kept after the task ends
  std::chrono::milliseconds poll_interval{0};  // suggested tasks/get interval
  Json result;                                 // completed: the tool result as rendered for protocol_version
  Json error;                                  // failed: the JSON-RPC error object {code, message, data?}
  Json input_requests;  // input_required: wire key → {method, params}; null otherwise
  // The runner's own: what the next round of an input_required task needs (the tool's state, the keys
  // issued so far, the answers so far). Never rendered.
  Json resume;
  bool cancel_requested = false;  // tasks/cancel was accepted; the runner stops the work

  // Roughly the bytes this record holds, for the memory cap.
  size_t ApproximateBytes() const;
};

struct TaskStoreLimits {
  size_t max_tasks = 10000;           // records kept, over all owners
  size_t max_tasks_per_owner = 1000;  // records kept for one principal
  size_t max_bytes = 256 << 20;       // ApproximateBytes over all records
};

struct TaskPage {
  std::vector<TaskRecord> tasks;
  std::string next_cursor;  // empty = no more
};

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  // Adds a new record (its id must be new). When a limit would be passed, expired records go first, then
  // the ended (terminal) records that expire soonest; a running or input_required record is never evicted,
  // so when only those remain the create fails with kResourceExhausted naming the limit. Once Create
  // returns, Get finds the record (durable create).
  virtual Result<void> Create(TaskRecord record) = 0;
  // The record, or nullopt when unknown, expired or evicted.
  virtual std::optional<TaskRecord> Get(const std::string& id) = 0;
  // Atomically reads the record, lets `change` modify it (returning false = leave it as it was) and writes
  // it back; returns the record as stored afterwards. kNotFound when unknown, expired or evicted.
  virtual Result<TaskRecord> Update(const std::string& id,
                                    const std::function<bool(TaskRecord&)>& change) = 0;
  // `owner`'s records, oldest first, at most `limit`, starting after `cursor` (empty = from the start; a
  // cursor from a previous page). kInvalidArgument for a cursor this store did not issue.
  virtual Result<TaskPage> List(const std::string& owner, const std::string& cursor, size_t limit) = 0;
  virtual void Remove(const std::string& id) = 0;
  // Deletes every expired record; returns how many. Reads ignore expired records anyway.
  virtual size_t RemoveExpired() = 0;
};

}  // namespace lmcp::mcp
