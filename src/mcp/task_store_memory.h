#pragma once
// The in-memory TaskStore: one process's tasks, bounded by TaskStoreLimits (count in total and per owner,
// approximate bytes), expired records dropped lazily on read and eagerly when room is needed. Thread-safe.

#include <cstddef>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "mcp/task_store.h"

namespace lmcp::mcp {

class InMemoryTaskStore final : public TaskStore {
 public:
  InMemoryTaskStore(TaskStoreLimits limits, Clock& clock);

  Result<void> Create(TaskRecord record) override;
  std::optional<TaskRecord> Get(const std::string& id) override;
  Result<TaskRecord> Update(const std::string& id, const std::function<bool(TaskRecord&)>& change) override;
  Result<TaskPage> List(const std::string& owner, const std::string& cursor, size_t limit) override;
  void Remove(const std::string& id) override;
  size_t RemoveExpired() override;

  size_t size() const;   // records held, expired ones not yet removed included
  size_t bytes() const;  // their ApproximateBytes

 private:
  const TaskStoreLimits limits_;
  Clock& clock_;
  mutable std::mutex mu_;
  // The helper that implements this adds the containers (by id; per owner in creation order).
};

}  // namespace lmcp::mcp
