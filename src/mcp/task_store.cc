#include "mcp/task_store.h"

#include <algorithm>

namespace lmcp::mcp {

const char* TaskStatusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::kWorking:
      return "working";
    case TaskStatus::kInputRequired:
      return "input_required";
    case TaskStatus::kCompleted:
      return "completed";
    case TaskStatus::kFailed:
      return "failed";
    case TaskStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

bool IsTerminal(TaskStatus status) {
  return status == TaskStatus::kCompleted || status == TaskStatus::kFailed ||
         status == TaskStatus::kCancelled;
}

namespace {

// The heap a string holds beyond its own object: nothing while it fits the small-string buffer.
size_t StringHeap(const std::string& s) { return s.size() <= 15 ? 0 : s.size() + 1; }

// Roughly the bytes a JSON value holds: the value itself plus what its strings, arrays and objects allocate
// (an object member costs a tree node with its key). One walk, no allocation.
size_t JsonBytes(const Json& value) {
  constexpr size_t kMapNode = 32 + sizeof(std::string);  // red-black node links + the key
  size_t n = sizeof(Json);
  switch (value.type()) {
    case Json::value_t::string:
      n += sizeof(std::string) + StringHeap(value.get_ref<const std::string&>());
      break;
    case Json::value_t::array:
      n += sizeof(Json::array_t);
      for (const Json& item : value.get_ref<const Json::array_t&>()) {
        n += JsonBytes(item);
      }
      break;
    case Json::value_t::object:
      n += sizeof(Json::object_t);
      for (const auto& [key, item] : value.get_ref<const Json::object_t&>()) {
        n += kMapNode + StringHeap(key) + JsonBytes(item);
      }
      break;
    case Json::value_t::binary:
      n += sizeof(Json::binary_t) + value.get_binary().size();
      break;
    default:
      break;
  }
  return n;
}

}  // namespace

size_t TaskRecord::ApproximateBytes() const {
  // The record itself and a store's index entries for it (the id is repeated in a few of them).
  constexpr size_t kOverhead = sizeof(TaskRecord) + 256;
  size_t n =
      kOverhead + id.size() + owner.size() + tool.size() + protocol_version.size() + status_message.size();
  for (const Json* field : {&result, &error, &input_requests, &resume}) {
    if (!field->is_null()) {
      n += JsonBytes(*field);
    }
  }
  return n;
}

uint64_t TaskStore::ChangeFeed::Add(std::function<void(const std::string&)> on_change) {
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->on_change = std::move(on_change);
  std::lock_guard lock(mu_);
  uint64_t token = next_++;
  subscribers_.emplace_back(token, std::move(subscriber));
  return token;
}

void TaskStore::ChangeFeed::Remove(uint64_t token) {
  std::shared_ptr<Subscriber> gone;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(subscribers_.begin(), subscribers_.end(),
                           [token](const auto& s) { return s.first == token; });
    if (it == subscribers_.end()) {
      return;
    }
    gone = std::move(it->second);
    subscribers_.erase(it);
  }
  std::lock_guard lock(gone->mu);  // waits for a call under way
  gone->live = false;
}

void TaskStore::ChangeFeed::Publish(const std::string& id) {
  std::vector<std::shared_ptr<Subscriber>> now;
  {
    std::lock_guard lock(mu_);
    for (const auto& [token, subscriber] : subscribers_) {
      now.push_back(subscriber);
    }
  }
  for (const auto& subscriber : now) {
    std::lock_guard lock(subscriber->mu);
    if (subscriber->live) {
      subscriber->on_change(id);
    }
  }
}

}  // namespace lmcp::mcp
