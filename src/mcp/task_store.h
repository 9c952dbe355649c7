#pragma once
// Where MCP tasks live between the tools/call that creates one and the tasks/get that reads its result: the
// TaskStore seam. The task runner (mcp/task_runner.h) writes records; any session reads them. In memory
// (InMemoryTaskStore), bounded by a number of tasks, per owner and in total, and by a memory cap; or shared
// between replicas (state/redis_task_store.h), where a store's change feed (Subscribe) tells every replica
// that a record changed, so the replica running a task learns of a cancel or an answer given elsewhere.
//
// A record is plain data: a store holds no threads, stop sources or callbacks. Expiry is by the injected
// clock's wall time (Clock::Now), so replicas agree on it: a record whose expires_at has passed is gone
// for every reader, whether or not it has been removed yet. Implementations are thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
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
  // The record, or nullopt when unknown, expired or evicted (or when the store cannot be read: see Read).
  virtual std::optional<TaskRecord> Get(const std::string& id) = 0;
  // Get, with a store failure as an error (kUnavailable "task store unavailable: ...") instead of nullopt.
  virtual Result<std::optional<TaskRecord>> Read(const std::string& id) { return Get(id); }
  // Atomically reads the record, lets `change` modify it (returning false = leave it as it was) and writes
  // it back; returns the record as stored afterwards. kNotFound when unknown, expired or evicted. A shared
  // store may run `change` more than once (on a fresh copy each time, when another writer got there first),
  // so it must set everything it reports on each run.
  virtual Result<TaskRecord> Update(const std::string& id,
                                    const std::function<bool(TaskRecord&)>& change) = 0;
  // `owner`'s records, oldest first, at most `limit`, starting after `cursor` (empty = from the start; a
  // cursor from a previous page). kInvalidArgument for a cursor this store did not issue.
  virtual Result<TaskPage> List(const std::string& owner, const std::string& cursor, size_t limit) = 0;
  virtual void Remove(const std::string& id) = 0;
  // Deletes every expired record; returns how many. Reads ignore expired records anyway.
  virtual size_t RemoveExpired() = 0;

  // The change feed: `on_change` gets the id of each record created or updated, by this process or (a
  // shared store) by any replica, after the write, without the store's locks held, from any thread; and ""
  // when changes may have been missed (a shared store's feed reconnected): then anything may have changed.
  // Calls to one subscriber never overlap, and none starts after Unsubscribe returns. The callback may call
  // the store (also Update, whose own change then reaches it again, from the same thread).
  virtual uint64_t Subscribe(std::function<void(const std::string& id)> on_change) {
    return feed_.Add(std::move(on_change));
  }
  virtual void Unsubscribe(uint64_t token) { feed_.Remove(token); }
  // True when other processes write this store too (a record may be running elsewhere).
  virtual bool shared() const { return false; }

 protected:
  // The subscribers of Subscribe; a store calls Publish after each write.
  class ChangeFeed {
   public:
    uint64_t Add(std::function<void(const std::string&)> on_change);
    void Remove(uint64_t token);
    void Publish(const std::string& id);

   private:
    struct Subscriber {
      std::recursive_mutex mu;  // held while it is called: Remove waits; a nested Publish may re-enter
      bool live = true;
      std::function<void(const std::string&)> on_change;
    };
    std::mutex mu_;
    uint64_t next_ = 1;
    std::vector<std::pair<uint64_t, std::shared_ptr<Subscriber>>> subscribers_;
  };
  ChangeFeed feed_;
};

}  // namespace lmcp::mcp
