#pragma once
// The fair queue in front of tools/call, and the worker threads that start them. A job is either blocking
// (`run`: it holds its worker until it returns) or asynchronous (`start`: it is started on a worker, which
// is free again as soon as `start` returns, and it holds its running slot, not a thread, until it calls
// `finished`). Up to `worker_threads` threads start on demand. Each job belongs to a session of a
// principal; running (in flight) and queued jobs are capped per session, per principal and in total
// (`max_running`, 0 = no cap beyond the others), and a free worker takes the next job round-robin over
// principals with eligible work, then round-robin over that principal's sessions, so one client's flood
// delays another client's single call by at most one job per other principal. A queued job that waits longer
// than `queue_timeout` (by the injected clock) is handed back through its `expired` callback and never runs.
// Thread-safe. Callbacks run without the scheduler's lock held. The destructor waits for the jobs in flight
// to finish and joins the workers; every queued job must have been run, expired or withdrawn by then
// (sessions end before the server).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace lmcp::mcp {

struct SchedulerLimits {
  int worker_threads = 64;                         // threads starting jobs (and running blocking ones)
  size_t max_running = 0;                          // jobs in flight at once, over all sessions; 0 = no cap
  size_t max_queued = 1024;                        // jobs waiting for a worker, over all sessions
  size_t session_running = 16;                     // jobs of one session running at once
  size_t session_queued = 64;                      // jobs of one session waiting
  size_t principal_running = 32;                   // jobs of one principal (all its sessions) running at once
  size_t principal_queued = 128;                   // jobs of one principal waiting
  std::chrono::milliseconds queue_timeout{30000};  // longest wait for a worker; 0 = no limit
};

class CallScheduler {
 public:
  using JobId = uint64_t;
  // An asynchronous job's end: call it exactly once, from any thread (even inside `start`).
  using Finished = std::function<void()>;
  struct Job {
    std::function<void()> run;      // on a worker thread, which it holds until it returns; must not throw
    std::function<void()> expired;  // the wait timeout passed first; neither run nor start will be called
    // Instead of run: starts the job on a worker thread; the job holds its running slot until `finished`.
    // Must not throw.
    std::function<void(Finished finished)> start;
  };

  CallScheduler(SchedulerLimits limits, Clock& clock);
  ~CallScheduler();
  CallScheduler(const CallScheduler&) = delete;
  CallScheduler& operator=(const CallScheduler&) = delete;

  // Queues `job` for `session` (any number unique per session) of `principal`. Exactly one of run, expired
  // or a successful Withdraw follows. kResourceExhausted, with a message naming the cap, when one is full;
  // kUnavailable when stopping.
  Result<JobId> Submit(uint64_t session, const std::string& principal, Job job);
  // Takes back a job no worker has taken yet: true if it was still queued (neither callback will run),
  // false if it already started, expired or is unknown.
  bool Withdraw(JobId id);
  // Hands back every queued job whose wait passed queue_timeout (their `expired` runs on this thread) and
  // returns how many. A background thread calls this when the earliest wait ends; tests with a FakeClock
  // call it after Advance().
  size_t ExpireWaiting();

  const SchedulerLimits& limits() const { return limits_; }
  size_t queued() const;
  size_t running() const;  // jobs in flight: blocking ones running and asynchronous ones not finished

 private:
  struct Queued {
    JobId id;
    Clock::SteadyTime deadline;
    Job job;
  };
  struct SessionState {
    std::string principal;
    std::deque<Queued> queue;
    size_t running = 0;
  };
  struct PrincipalState {
    std::list<uint64_t> ring;  // its sessions with queued jobs, next to serve first
    size_t queued = 0;
    size_t running = 0;
  };
  struct Picked {
    uint64_t session;
    Job job;
  };

  std::optional<Picked> PickLocked();
  void FinishLocked(uint64_t session);
  void Finish(uint64_t session);  // an asynchronous job's `finished`
  void DequeuedLocked(uint64_t session, SessionState& s);
  void ForgetIfIdleLocked(uint64_t session);
  void WorkerLoop();
  void ReaperLoop();

  const SchedulerLimits limits_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable reaper_cv_;
  std::condition_variable finished_cv_;  // running_ went down (the destructor waits for zero)
  std::unordered_map<uint64_t, SessionState> sessions_;
  std::unordered_map<std::string, PrincipalState> principals_;
  std::list<std::string> ring_;                 // principals with queued jobs, next to serve first
  std::unordered_map<JobId, uint64_t> queued_;  // queued job → its session
  size_t running_ = 0;
  JobId next_id_ = 1;
  size_t idle_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::thread reaper_;
};

}  // namespace lmcp::mcp
