#pragma once
// The in-memory TaskStore: one process's tasks, bounded by TaskStoreLimits (count in total and per owner,
// approximate bytes), expired records dropped lazily on read and eagerly when room is needed. Thread-safe:
// one mutex; Update runs its `change` under it, so a change must not call back into the store. The change
// feed (Subscribe) is a direct call after each Create and each Update that changed the record.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "mcp/task_store.h"

namespace lmcp::mcp {

class InMemoryTaskStore final : public TaskStore {
 public:
  InMemoryTaskStore(TaskStoreLimits limits, Clock& clock);

  Result<void> Create(TaskRecord record) override;
  std::optional<TaskRecord> Get(const std::string& id) override;
  // `change` works on a copy. A change of id or owner is refused (kInternal, the record stays as it was). A
  // write that takes the total past max_bytes (a big result) is kept, and other ended records are evicted,
  // soonest expiry first, until the total fits again or none is left.
  Result<TaskRecord> Update(const std::string& id, const std::function<bool(TaskRecord&)>& change) override;
  // Creation order (the order of Create calls); `limit` 0 counts as 1. The cursor names a position, not an
  // owner: given to another owner it still lists only that owner's records.
  Result<TaskPage> List(const std::string& owner, const std::string& cursor, size_t limit) override;
  void Remove(const std::string& id) override;
  size_t RemoveExpired() override;

  size_t size() const;   // records held, expired ones not yet removed included
  size_t bytes() const;  // their ApproximateBytes

 private:
  const TaskStoreLimits limits_;
  Clock& clock_;
  mutable std::mutex mu_;
  size_t unreported_evictions_ = 0;  // evicted since the last warning
  Clock::SteadyTime last_warning_{};
  bool warned_ = false;
  using ExpiryKey = std::pair<Clock::WallTime, std::string>;  // (expires_at, id), soonest first
  struct Entry {
    TaskRecord record;
    uint64_t seq = 0;  // creation order: List's order and its cursor
    size_t bytes = 0;  // record.ApproximateBytes() as of the last write
  };
  struct Owner {
    std::map<uint64_t, std::string> by_seq;  // seq -> id
    std::set<ExpiryKey> ended;               // this owner's terminal records
  };
  using Entries = std::unordered_map<std::string, Entry>;

  static bool Expired(const Entry& entry, Clock::WallTime now);
  void Index(const Entry& entry);    // into every index below; counts its bytes
  void Unindex(const Entry& entry);  // the reverse
  void Erase(Entries::iterator it);
  void Evict(ExpiryKey key);
  size_t RemoveExpiredLocked(Clock::WallTime now);
  size_t OwnerCount(const std::string& owner) const;
  // Frees what a new record of `owner` holding `bytes` needs, or fails (evicting nothing) when even
  // evicting every ended record would not be enough.
  Result<void> MakeRoom(const std::string& owner, size_t bytes, Clock::WallTime now);
  // After an Update grew the total past max_bytes: evicts ended records other than `keep`.
  void EvictForMemory(const std::string& keep, Clock::WallTime now);
  void ReportEvictions(size_t evicted);  // under mu_
  // Create and Update without the change feed (called after, outside mu_).
  Result<void> CreateLocked(TaskRecord record);
  Result<TaskRecord> UpdateLocked(const std::string& id, const std::function<bool(TaskRecord&)>& change,
                                  bool& changed);

  Entries entries_;
  std::unordered_map<std::string, Owner> owners_;  // only owners with records
  std::set<ExpiryKey> expiry_;                     // every record with an expires_at
  std::set<ExpiryKey> ended_;                      // terminal records; no expires_at sorts last
  uint64_t next_seq_ = 0;
  size_t bytes_ = 0;
  size_t ended_bytes_ = 0;  // the part of bytes_ held by terminal records
};

}  // namespace lmcp::mcp
