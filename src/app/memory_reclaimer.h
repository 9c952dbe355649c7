#pragma once
// Gives memory the process has freed back to the operating system. glibc keeps freed memory in its arenas
// (one per thread that allocated) and returns it by itself only from the top of a heap, so after a large
// message (a few MB of JSON become tens of MB of small nodes, built on one thread and freed on another) RSS
// would stay near its peak for the life of the process. A few times a second the reclaimer compares the
// resident size with what the heap has in use; when the difference (memory held but unused) has grown by
// more than a threshold since the last trim, it calls malloc_trim(0), which releases the free pages of every
// arena. Owns one thread, stopped by the destructor; Check() may also be called directly (tests).

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

namespace lmcp::app {

struct MemoryStats {
  std::size_t resident = 0;  // RSS, bytes
  std::size_t in_use = 0;    // bytes the allocator has handed out and not had back
};

// The process's: /proc/self/statm and mallinfo2().
MemoryStats ReadMemoryStats();
// malloc_trim(0).
void TrimHeap();

struct MemoryReclaimerOptions {
  std::chrono::milliseconds interval{250};  // how often Check() runs on the reclaimer's thread
  std::size_t threshold_bytes = 2 << 20;    // unused resident memory that is worth a trim
};

class MemoryReclaimer {
 public:
  using StatsFn = std::function<MemoryStats()>;
  using TrimFn = std::function<void()>;

  explicit MemoryReclaimer(MemoryReclaimerOptions options = {}, StatsFn stats = ReadMemoryStats,
                           TrimFn trim = TrimHeap);
  ~MemoryReclaimer();
  MemoryReclaimer(const MemoryReclaimer&) = delete;
  MemoryReclaimer& operator=(const MemoryReclaimer&) = delete;

  // Starts the periodic checks.
  void Start();
  // One check; true when it trimmed.
  bool Check();

 private:
  MemoryReclaimerOptions options_;
  StatsFn stats_;
  TrimFn trim_;
  std::mutex mu_;  // serializes Check()
  bool have_floor_ = false;
  std::size_t floor_ = 0;  // the least unused memory seen: what a trim cannot give back
  int backoff_ = 0;        // checks to skip after the last trim that left memory unused
  int skip_ = 0;
  std::jthread thread_;
};

}  // namespace lmcp::app
