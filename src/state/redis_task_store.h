#pragma once
// MCP task records in Redis, shared by every replica (mcp::TaskStore).
//   <prefix>task:<id>            the record as JSON; expires (PEXPIRE) at its expires_at, or, while it has
//                                none (running), after `running_expiry` (a safety bound far above Lambda's
//                                15 minutes, so a record whose replica died does not stay forever)
//   <prefix>tasks:owner:<owner>  sorted set of the owner's ids by creation time (ms): List, oldest first
//   <prefix>tasks:all            sorted set of every id: the max_tasks count
//   <prefix>task-changes         channel: every write publishes the record's id (the change feed)
// Create is one Lua script: the id must be new, and max_tasks_per_owner / max_tasks are enforced atomically
// over the live records (ids whose record expired are trimmed from the sets first), with the in-memory
// store's message. Unlike the in-memory store, ended records are not evicted to make room (Redis expires
// them at their TTL) and max_bytes is left to Redis's maxmemory. Update is WATCH/MULTI/EXEC with bounded
// retries. Expiry is also checked on read against the injected clock, as the in-memory store does. Every
// Redis failure is kUnavailable "task store unavailable: ..." (Get: nullopt; Read: the error).
// The change feed: one SUBSCRIBE connection (a background thread, reconnecting) per store.

#include <chrono>
#include <memory>
#include <string>

#include "common/clock.h"
#include "mcp/task_store.h"
#include "state/redis_client.h"

namespace lmcp::state {

struct RedisTaskStoreOptions {
  mcp::TaskStoreLimits limits;
  std::chrono::milliseconds running_expiry{std::chrono::hours(24)};
  std::string prefix = "lmcp:";
  bool change_feed = true;  // false: no subscriber thread (tests of the records alone)
};

class RedisTaskStore final : public mcp::TaskStore {
 public:
  RedisTaskStore(std::shared_ptr<RedisClient> redis, RedisTaskStoreOptions options, Clock& clock);
  ~RedisTaskStore() override;

  Result<void> Create(mcp::TaskRecord record) override;
  std::optional<mcp::TaskRecord> Get(const std::string& id) override;
  Result<std::optional<mcp::TaskRecord>> Read(const std::string& id) override;
  Result<mcp::TaskRecord> Update(const std::string& id,
                                 const std::function<bool(mcp::TaskRecord&)>& change) override;
  // Cursor: the creation time and id of the last record listed (base64url); limit 0 counts as 1.
  Result<mcp::TaskPage> List(const std::string& owner, const std::string& cursor, size_t limit) override;
  void Remove(const std::string& id) override;
  size_t RemoveExpired() override { return 0; }  // Redis expires records itself
  bool shared() const override { return true; }
  bool feed_connected() const { return subscriber_ && subscriber_->subscribed(); }

 private:
  std::string TaskKey(const std::string& id) const { return options_.prefix + "task:" + id; }
  std::string OwnerKey(const std::string& owner) const { return options_.prefix + "tasks:owner:" + owner; }
  std::string ExpiryMs(const mcp::TaskRecord& record) const;  // PX for the record, at least 1

  std::shared_ptr<RedisClient> redis_;
  const RedisTaskStoreOptions options_;
  Clock& clock_;
  std::unique_ptr<RedisSubscriber> subscriber_;
};

// The record's JSON, as stored (tests).
std::string TaskRecordToJson(const mcp::TaskRecord& record);
Result<mcp::TaskRecord> TaskRecordFromJson(std::string_view text);

}  // namespace lmcp::state
