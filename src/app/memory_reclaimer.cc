#include "app/memory_reclaimer.h"

#include <malloc.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <utility>

namespace lmcp::app {

MemoryStats ReadMemoryStats() {
  MemoryStats stats;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    unsigned long size = 0, resident = 0;
    if (std::fscanf(f, "%lu %lu", &size, &resident) == 2) {
      stats.resident = static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    }
    std::fclose(f);
  }
  struct mallinfo2 info = mallinfo2();
  stats.in_use = info.uordblks + info.hblkhd;
  return stats;
}

void TrimHeap() { malloc_trim(0); }

MemoryReclaimer::MemoryReclaimer(MemoryReclaimerOptions options, StatsFn stats, TrimFn trim)
    : options_(options), stats_(std::move(stats)), trim_(std::move(trim)) {}

MemoryReclaimer::~MemoryReclaimer() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void MemoryReclaimer::Start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    while (!cv.wait_for(lock, stop, options_.interval, [] { return false; }) && !stop.stop_requested()) {
      Check();
    }
  });
}

bool MemoryReclaimer::Check() {
  std::lock_guard lock(mu_);
  auto unused = [](const MemoryStats& s) { return s.resident > s.in_use ? s.resident - s.in_use : 0; };
  MemoryStats stats = stats_();
  if (stats.in_use == 0) {
    return false;  // no glibc heap to measure (a sanitizer's allocator): nothing to trim
  }
  std::size_t now = unused(stats);
  if (!have_floor_ || now < floor_) {
    have_floor_ = true;
    floor_ = now;
    return false;
  }
  if (now - floor_ <= options_.threshold_bytes) {
    return false;
  }
  trim_();
  floor_ = unused(stats_());
  return true;
}

}  // namespace lmcp::app
