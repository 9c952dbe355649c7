#pragma once
// Where the result_cache stage keeps results. In memory for one process (LRU, bounded by entries and bytes,
// each entry with its own expiry on the injected clock); a shared store (state/redis_result_cache_store.h)
// implements the same calls, where a failure is a miss, never a failed call.

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "catalog/lambda_backend.h"
#include "common/clock.h"

namespace lmcp::catalog {

struct CachedResult {
  InvokeResponse response;  // without its log tail
  Clock::SteadyTime stored;
};

struct CacheStats {
  std::size_t entries = 0;
  std::size_t bytes = 0;           // payload bytes held
  std::uint64_t evictions = 0;     // dropped to stay within the bounds (least recently used first)
  std::uint64_t expirations = 0;   // found past their expiry and dropped
  std::uint64_t too_large = 0;     // not stored: over max_entry_bytes
  std::uint64_t store_errors = 0;  // a shared store that failed: a Get counted as a miss, a Put dropped
};

class ResultCacheStore {
 public:
  virtual ~ResultCacheStore() = default;
  // The live entry for `key` (now marked most recently used), or null. Thread-safe.
  virtual std::shared_ptr<const CachedResult> Get(const std::string& key, Clock::SteadyTime now) = 0;
  // Stores (or replaces) `key` until `expires`. Thread-safe.
  virtual void Put(const std::string& key, std::shared_ptr<const CachedResult> value,
                   Clock::SteadyTime expires) = 0;
  virtual CacheStats stats() const = 0;
};

class InMemoryResultCache final : public ResultCacheStore {
 public:
  InMemoryResultCache(std::size_t max_entries, std::size_t max_bytes, std::size_t max_entry_bytes);
  std::shared_ptr<const CachedResult> Get(const std::string& key, Clock::SteadyTime now) override;
  void Put(const std::string& key, std::shared_ptr<const CachedResult> value,
           Clock::SteadyTime expires) override;
  CacheStats stats() const override;

 private:
  struct Entry {
    std::shared_ptr<const CachedResult> value;
    Clock::SteadyTime expires;
    std::size_t bytes = 0;
    std::list<std::string>::iterator position;  // in lru_
  };
  void Erase(std::unordered_map<std::string, Entry>::iterator it);  // mu_ held

  const std::size_t max_entries_;
  const std::size_t max_bytes_;
  const std::size_t max_entry_bytes_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Entry> entries_;
  CacheStats stats_;
};

}  // namespace lmcp::catalog
