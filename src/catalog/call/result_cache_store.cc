#include "catalog/call/result_cache_store.h"

namespace lmcp::catalog {

InMemoryResultCache::InMemoryResultCache(std::size_t max_entries, std::size_t max_bytes,
                                         std::size_t max_entry_bytes)
    : max_entries_(max_entries),
      max_bytes_(max_bytes),
      max_entry_bytes_(std::min(max_entry_bytes, max_bytes)) {}

void InMemoryResultCache::Erase(std::unordered_map<std::string, Entry>::iterator it) {
  stats_.bytes -= it->second.bytes;
  lru_.erase(it->second.position);
  entries_.erase(it);
}

std::shared_ptr<const CachedResult> InMemoryResultCache::Get(const std::string& key, Clock::SteadyTime now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return nullptr;
  }
  if (now >= it->second.expires) {
    Erase(it);
    ++stats_.expirations;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.position);
  return it->second.value;
}

void InMemoryResultCache::Put(const std::string& key, std::shared_ptr<const CachedResult> value,
                              Clock::SteadyTime expires) {
  const std::size_t bytes = value->response.payload.size() + key.size();
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    Erase(it);
  }
  if (max_entries_ == 0) {
    return;
  }
  if (bytes > max_entry_bytes_) {
    ++stats_.too_large;
    return;
  }
  while (!lru_.empty() && (entries_.size() + 1 > max_entries_ || stats_.bytes + bytes > max_bytes_)) {
    Erase(entries_.find(lru_.back()));
    ++stats_.evictions;
  }
  lru_.push_front(key);
  entries_.emplace(key, Entry{std::move(value), expires, bytes, lru_.begin()});
  stats_.bytes += bytes;
}

CacheStats InMemoryResultCache::stats() const {
  std::lock_guard lock(mu_);
  CacheStats s = stats_;
  s.entries = entries_.size();
  return s;
}

}  // namespace lmcp::catalog
