#include "app/memory_reclaimer.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
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
  Check();  // the floor is what is unused now, before any message: a first look after a large one would see
            // its freed memory as the floor and never trim it
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
    backoff_ = 0;
    skip_ = 0;
    return false;
  }
  if (skip_ > 0) {
    --skip_;
    return false;
  }
  trim_();
  // A trim that left memory unused (fragmentation, or memory still being freed while it ran) is retried,
  // after 1, 2, 4, ... up to 64 checks; the floor only ever goes down, so such a moment never becomes the
  // baseline.
  std::size_t after = unused(stats_());
  floor_ = std::min(floor_, after);
  if (after - floor_ > options_.threshold_bytes) {
    backoff_ = std::min<int>(backoff_ == 0 ? 1 : backoff_ * 2, 64);
    skip_ = backoff_;
  } else {
    backoff_ = 0;
  }
  return true;
}

}  // namespace lmcp::app
