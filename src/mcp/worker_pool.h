#pragma once
// Up to `threads` threads running queued tasks (tools/call handlers, mostly waiting on Lambda), started on
// demand when no thread is idle, with a bounded queue so a flood of calls is refused instead of growing
// without limit. Submit is safe from any thread; the destructor runs what is queued, then joins.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lmcp::mcp {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping. Tasks must not throw.
  bool Submit(std::function<void()> task);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t max_threads_;
  size_t max_queued_;
  size_t idle_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lmcp::mcp
