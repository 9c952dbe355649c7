#include "mcp/task_store_memory.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <string_view>
#include <vector>

#include "common/base64.h"

namespace lmcp::mcp {

namespace {

// A List cursor: the creation sequence number of the last record on the previous page.
constexpr std::string_view kCursorPrefix = "lmcp-task1:";

std::string EncodeTaskCursor(uint64_t seq) {
  return Base64UrlEncode(std::string(kCursorPrefix) + std::to_string(seq));
}

std::optional<uint64_t> DecodeTaskCursor(std::string_view cursor) {
  auto raw = Base64UrlDecode(cursor);
  if (!raw.ok() || !raw->starts_with(kCursorPrefix)) {
    return std::nullopt;
  }
  std::string_view digits = std::string_view(*raw).substr(kCursorPrefix.size());
  uint64_t seq = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return seq;
}

}  // namespace

InMemoryTaskStore::InMemoryTaskStore(TaskStoreLimits limits, Clock& clock) : limits_(limits), clock_(clock) {}

bool InMemoryTaskStore::Expired(const Entry& entry, Clock::WallTime now) {
  return entry.record.expires_at.has_value() && *entry.record.expires_at <= now;
}

void InMemoryTaskStore::Index(const Entry& entry) {
  const TaskRecord& r = entry.record;
  bytes_ += entry.bytes;
  Owner& owner = owners_[r.owner];
  owner.by_seq.emplace(entry.seq, r.id);
  if (r.expires_at) {
    expiry_.emplace(*r.expires_at, r.id);
  }
  if (IsTerminal(r.status)) {
    ExpiryKey key{r.expires_at.value_or(Clock::WallTime::max()), r.id};
    ended_.insert(key);
    owner.ended.insert(std::move(key));
    ended_bytes_ += entry.bytes;
  }
}

void InMemoryTaskStore::Unindex(const Entry& entry) {
  const TaskRecord& r = entry.record;
  assert(bytes_ >= entry.bytes);
  bytes_ -= entry.bytes;
  auto owner = owners_.find(r.owner);
  assert(owner != owners_.end());
  owner->second.by_seq.erase(entry.seq);
  if (r.expires_at) {
    expiry_.erase({*r.expires_at, r.id});
  }
  if (IsTerminal(r.status)) {
    ExpiryKey key{r.expires_at.value_or(Clock::WallTime::max()), r.id};
    ended_.erase(key);
    owner->second.ended.erase(key);
    assert(ended_bytes_ >= entry.bytes);
    ended_bytes_ -= entry.bytes;
  }
  if (owner->second.by_seq.empty()) {
    owners_.erase(owner);
  }
}

void InMemoryTaskStore::Erase(Entries::iterator it) {
  Unindex(it->second);
  entries_.erase(it);
}

void InMemoryTaskStore::Evict(ExpiryKey key) {
  auto it = entries_.find(key.second);
  assert(it != entries_.end() && IsTerminal(it->second.record.status));
  Erase(it);
}

size_t InMemoryTaskStore::RemoveExpiredLocked(Clock::WallTime now) {
  size_t removed = 0;
  while (!expiry_.empty() && expiry_.begin()->first <= now) {
    auto it = entries_.find(expiry_.begin()->second);
    assert(it != entries_.end());
    Erase(it);
    ++removed;
  }
  return removed;
}

size_t InMemoryTaskStore::OwnerCount(const std::string& owner) const {
  auto it = owners_.find(owner);
  return it == owners_.end() ? 0 : it->second.by_seq.size();
}

Result<void> InMemoryTaskStore::MakeRoom(const std::string& owner, size_t bytes, Clock::WallTime now) {
  auto fits = [&] {
    return OwnerCount(owner) < limits_.max_tasks_per_owner && entries_.size() < limits_.max_tasks &&
           bytes_ + bytes <= limits_.max_bytes;
  };
  if (fits()) {
    return Ok();
  }
  RemoveExpiredLocked(now);
  if (fits()) {
    return Ok();
  }
  // Running and input_required records stay, so fail (evicting nothing) unless evicting every ended
  // record would make room.
  auto o = owners_.find(owner);
  size_t owner_running = o == owners_.end() ? 0 : o->second.by_seq.size() - o->second.ended.size();
  std::string limit;
  if (owner_running >= limits_.max_tasks_per_owner) {
    limit = std::to_string(limits_.max_tasks_per_owner) + " tasks for principal " + owner;
  } else if (entries_.size() - ended_.size() >= limits_.max_tasks) {
    limit = std::to_string(limits_.max_tasks) + " tasks in total";
  } else if (bytes_ - ended_bytes_ + bytes > limits_.max_bytes) {
    limit = std::to_string(limits_.max_bytes) + " bytes of task memory (this task needs " +
            std::to_string(bytes) + ")";
  }
  if (!limit.empty()) {
    return Error::ResourceExhausted("task limit reached: " + limit + "; wait for some to end or cancel them");
  }
  // Ended records, soonest expiry first: the owner's own for the per-owner cap, anyone's for the others.
  size_t evicted = 0;
  while (OwnerCount(owner) >= limits_.max_tasks_per_owner) {
    Evict(*owners_.at(owner).ended.begin());
    ++evicted;
  }
  while (entries_.size() >= limits_.max_tasks || bytes_ + bytes > limits_.max_bytes) {
    assert(!ended_.empty());
    Evict(*ended_.begin());
    ++evicted;
  }
  ReportEvictions(evicted);
  return Ok();
}

// One WARNING a minute at most, with what was dropped since the last one: a full store evicts on every
// create.
void InMemoryTaskStore::ReportEvictions(size_t evicted) {
  unreported_evictions_ += evicted;
  Clock::SteadyTime now = clock_.Steady();
  if (unreported_evictions_ == 0 || (warned_ && now - last_warning_ < std::chrono::minutes(1))) {
    return;
  }
  spdlog::warn("mcp: task store full: dropped {} ended task result(s) before their TTL to make room{}",
               unreported_evictions_, warned_ ? " (since the last warning)" : "");
  unreported_evictions_ = 0;
  last_warning_ = now;
  warned_ = true;
}

void InMemoryTaskStore::EvictForMemory(const std::string& keep, Clock::WallTime now) {
  RemoveExpiredLocked(now);
  size_t evicted = 0;
  for (auto it = ended_.begin(); bytes_ > limits_.max_bytes && it != ended_.end();) {
    if (it->second == keep) {
      ++it;
      continue;
    }
    ExpiryKey key = *it++;  // erasing another element leaves `it` valid
    Evict(std::move(key));
    ++evicted;
  }
  ReportEvictions(evicted);
}

Result<void> InMemoryTaskStore::Create(TaskRecord record) {
  assert(!record.id.empty());
  std::string id = record.id;
  if (auto created = CreateLocked(std::move(record)); !created.ok()) {
    return created;
  }
  feed_.Publish(id);
  return Ok();
}

Result<void> InMemoryTaskStore::CreateLocked(TaskRecord record) {
  size_t bytes = record.ApproximateBytes();
  std::lock_guard lock(mu_);
  if (entries_.contains(record.id)) {
    return Error{ErrorCode::kAlreadyExists, "task id already in use"};
  }
  if (auto room = MakeRoom(record.owner, bytes, clock_.Now()); !room.ok()) {
    return room;
  }
  std::string id = record.id;
  auto [it, inserted] = entries_.emplace(std::move(id), Entry{std::move(record), next_seq_++, bytes});
  assert(inserted);
  Index(it->second);
  return Ok();
}

std::optional<TaskRecord> InMemoryTaskStore::Get(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  if (Expired(it->second, clock_.Now())) {
    Erase(it);
    return std::nullopt;
  }
  return it->second.record;
}

Result<TaskRecord> InMemoryTaskStore::Update(const std::string& id,
                                             const std::function<bool(TaskRecord&)>& change) {
  bool changed = false;
  auto stored = UpdateLocked(id, change, changed);
  if (changed) {
    feed_.Publish(id);
  }
  return stored;
}

Result<TaskRecord> InMemoryTaskStore::UpdateLocked(const std::string& id,
                                                   const std::function<bool(TaskRecord&)>& change,
                                                   bool& changed) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  Clock::WallTime now = clock_.Now();
  if (it != entries_.end() && Expired(it->second, now)) {
    Erase(it);
    it = entries_.end();
  }
  if (it == entries_.end()) {
    return Error::NotFound("task not found");
  }
  // On a copy, so a change that returns false (or throws) leaves the stored record as it was.
  TaskRecord next = it->second.record;
  if (!change(next)) {
    return it->second.record;
  }
  if (next.id != it->second.record.id || next.owner != it->second.record.owner) {
    return Error::Internal("a task update may not change the task's id or owner");
  }
  changed = true;
  Unindex(it->second);
  it->second.bytes = next.ApproximateBytes();
  it->second.record = std::move(next);
  Index(it->second);
  TaskRecord stored = it->second.record;
  if (bytes_ > limits_.max_bytes) {
    EvictForMemory(id, now);
  }
  return stored;
}

Result<TaskPage> InMemoryTaskStore::List(const std::string& owner, const std::string& cursor, size_t limit) {
  std::lock_guard lock(mu_);
  std::optional<uint64_t> after;
  if (!cursor.empty()) {
    after = DecodeTaskCursor(cursor);
    if (!after || *after >= next_seq_) {
      return Error::InvalidArgument("unknown cursor");
    }
  }
  limit = std::max<size_t>(limit, 1);
  TaskPage page;
  auto o = owners_.find(owner);
  if (o == owners_.end()) {
    return page;
  }
  Clock::WallTime now = clock_.Now();
  const auto& by_seq = o->second.by_seq;
  std::vector<std::string> expired;
  uint64_t last = 0;
  for (auto it = after ? by_seq.upper_bound(*after) : by_seq.begin(); it != by_seq.end(); ++it) {
    const Entry& entry = entries_.at(it->second);
    if (Expired(entry, now)) {
      expired.push_back(it->second);
      continue;
    }
    if (page.tasks.size() == limit) {
      page.next_cursor = EncodeTaskCursor(last);
      break;
    }
    page.tasks.push_back(entry.record);
    last = entry.seq;
  }
  for (const std::string& id : expired) {  // `o` may go with the last of them
    Erase(entries_.find(id));
  }
  return page;
}

void InMemoryTaskStore::Remove(const std::string& id) {
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(id); it != entries_.end()) {
    Erase(it);
  }
}

size_t InMemoryTaskStore::RemoveExpired() {
  std::lock_guard lock(mu_);
  return RemoveExpiredLocked(clock_.Now());
}

size_t InMemoryTaskStore::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

size_t InMemoryTaskStore::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace lmcp::mcp
