#include "mcp/call_scheduler.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace lmcp::mcp {

CallScheduler::CallScheduler(SchedulerLimits limits, Clock& clock) : limits_(limits), clock_(clock) {
  if (limits_.queue_timeout.count() > 0) {
    reaper_ = std::thread([this] { ReaperLoop(); });
  }
}

CallScheduler::~CallScheduler() {
  std::vector<std::thread> workers;
  {
    std::unique_lock lock(mu_);
    assert(queued_.empty() && "sessions must end before the scheduler");
    finished_cv_.wait(lock, [this] { return running_ == 0; });  // asynchronous jobs still finishing
    stopping_ = true;
    workers.swap(workers_);  // no worker is added once stopping_ is set
  }
  work_cv_.notify_all();
  reaper_cv_.notify_all();
  for (auto& t : workers) {
    t.join();
  }
  if (reaper_.joinable()) {
    reaper_.join();
  }
}

Result<CallScheduler::JobId> CallScheduler::Submit(uint64_t session, const std::string& principal, Job job) {
  JobId id;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return Error::Unavailable("the server is shutting down");
    }
    auto limit = [](const char* what, size_t n, const char* cap) {
      return Error::ResourceExhausted("too many tool calls: " + std::string(what) + " already has " +
                                      std::to_string(n) + " waiting for a worker (" + cap + "); retry later");
    };
    if (queued_.size() >= limits_.max_queued) {
      return limit("the server", queued_.size(), "server queue limit");
    }
    auto s_it = sessions_.find(session);
    if (s_it != sessions_.end() && s_it->second.queue.size() >= limits_.session_queued) {
      return limit("this session", s_it->second.queue.size(), "per-session queue limit");
    }
    auto p_it = principals_.find(principal);
    if (p_it != principals_.end() && p_it->second.queued >= limits_.principal_queued) {
      return limit(("principal '" + principal + "'").c_str(), p_it->second.queued,
                   "per-principal queue limit");
    }
    SessionState& s = sessions_[session];
    s.principal = principal;
    PrincipalState& p = principals_[principal];
    bool was_empty = queued_.empty();
    id = next_id_++;
    Clock::SteadyTime deadline = limits_.queue_timeout.count() > 0 ? clock_.Steady() + limits_.queue_timeout
                                                                   : Clock::SteadyTime::max();
    if (s.queue.empty()) {
      p.ring.push_back(session);
    }
    if (p.queued == 0) {
      ring_.push_back(principal);
    }
    s.queue.push_back({id, deadline, std::move(job)});
    ++p.queued;
    queued_[id] = session;
    size_t max_threads = static_cast<size_t>(std::max(limits_.worker_threads, 1));
    if (idle_ < queued_.size() && workers_.size() < max_threads) {
      workers_.emplace_back([this] { WorkerLoop(); });
    }
    if (was_empty) {
      reaper_cv_.notify_all();
    }
  }
  work_cv_.notify_one();
  return id;
}

bool CallScheduler::Withdraw(JobId id) {
  std::lock_guard lock(mu_);
  auto it = queued_.find(id);
  if (it == queued_.end()) {
    return false;
  }
  uint64_t session = it->second;
  SessionState& s = sessions_.at(session);
  auto q = std::find_if(s.queue.begin(), s.queue.end(), [id](const Queued& e) { return e.id == id; });
  assert(q != s.queue.end());
  s.queue.erase(q);
  queued_.erase(it);
  DequeuedLocked(session, s);
  ForgetIfIdleLocked(session);
  return true;
}

size_t CallScheduler::ExpireWaiting() {
  std::vector<Job> expired;
  {
    std::lock_guard lock(mu_);
    Clock::SteadyTime now = clock_.Steady();
    std::vector<uint64_t> touched;
    for (auto& [session, s] : sessions_) {
      // Each session's queue is in submission order, so its deadlines only grow.
      while (!s.queue.empty() && s.queue.front().deadline <= now) {
        queued_.erase(s.queue.front().id);
        expired.push_back(std::move(s.queue.front().job));
        s.queue.pop_front();
        DequeuedLocked(session, s);
        touched.push_back(session);
      }
    }
    for (uint64_t session : touched) {
      ForgetIfIdleLocked(session);
    }
  }
  for (Job& job : expired) {
    job.expired();
  }
  return expired.size();
}

size_t CallScheduler::queued() const {
  std::lock_guard lock(mu_);
  return queued_.size();
}

size_t CallScheduler::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

// One job left `s.queue` (taken, withdrawn or expired): keep the rings holding only sessions and principals
// with queued jobs.
void CallScheduler::DequeuedLocked(uint64_t session, SessionState& s) {
  PrincipalState& p = principals_.at(s.principal);
  --p.queued;
  if (s.queue.empty()) {
    p.ring.remove(session);
  }
  if (p.queued == 0) {
    ring_.remove(s.principal);
  }
}

void CallScheduler::ForgetIfIdleLocked(uint64_t session) {
  auto it = sessions_.find(session);
  if (it == sessions_.end() || !it->second.queue.empty() || it->second.running > 0) {
    return;
  }
  std::string principal = it->second.principal;
  sessions_.erase(it);
  auto p = principals_.find(principal);
  if (p != principals_.end() && p->second.queued == 0 && p->second.running == 0) {
    principals_.erase(p);
  }
}

std::optional<CallScheduler::Picked> CallScheduler::PickLocked() {
  if (limits_.max_running > 0 && running_ >= limits_.max_running) {
    return std::nullopt;
  }
  // Round-robin over principals, then over the principal's sessions; an entry at its running cap is
  // skipped and keeps its turn for later.
  for (size_t i = 0, n = ring_.size(); i < n; ++i) {
    std::string name = std::move(ring_.front());
    ring_.pop_front();
    PrincipalState& p = principals_.at(name);
    if (p.running < limits_.principal_running) {
      for (size_t j = 0, m = p.ring.size(); j < m; ++j) {
        uint64_t session = p.ring.front();
        p.ring.pop_front();
        SessionState& s = sessions_.at(session);
        if (s.running >= limits_.session_running) {
          p.ring.push_back(session);
          continue;
        }
        Queued q = std::move(s.queue.front());
        s.queue.pop_front();
        queued_.erase(q.id);
        --p.queued;
        ++s.running;
        ++p.running;
        ++running_;
        if (!s.queue.empty()) {
          p.ring.push_back(session);
        }
        if (p.queued > 0) {
          ring_.push_back(name);
        }
        return Picked{session, std::move(q.job)};
      }
    }
    ring_.push_back(std::move(name));
  }
  return std::nullopt;
}

void CallScheduler::FinishLocked(uint64_t session) {
  SessionState& s = sessions_.at(session);
  --s.running;
  --principals_.at(s.principal).running;
  --running_;
  ForgetIfIdleLocked(session);
  finished_cv_.notify_all();
}

void CallScheduler::Finish(uint64_t session) {
  {
    std::lock_guard lock(mu_);
    FinishLocked(session);
  }
  work_cv_.notify_one();  // a freed slot may make a held-back job eligible
}

void CallScheduler::WorkerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    std::optional<Picked> picked;
    ++idle_;
    work_cv_.wait(lock, [&] {
      picked = PickLocked();
      return picked.has_value() || stopping_;
    });
    --idle_;
    if (!picked) {
      return;  // stopping, and nothing left to take
    }
    lock.unlock();
    const bool async = static_cast<bool>(picked->job.start);
    if (async) {
      picked->job.start([this, session = picked->session] { Finish(session); });
    } else {
      picked->job.run();
    }
    picked->job = {};  // release what the job holds before taking the lock again
    lock.lock();
    if (async) {
      continue;  // it holds its slot until it calls `finished`
    }
    FinishLocked(picked->session);
    // A finished job frees a running slot: a job held back by a cap may now be eligible for another
    // idle worker as well as for this one.
    work_cv_.notify_one();
  }
}

void CallScheduler::ReaperLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::optional<Clock::SteadyTime> earliest;
    for (const auto& [session, s] : sessions_) {
      if (!s.queue.empty() && (!earliest || s.queue.front().deadline < *earliest)) {
        earliest = s.queue.front().deadline;
      }
    }
    if (!earliest) {
      reaper_cv_.wait(lock);
      continue;
    }
    Clock::Duration left = *earliest - clock_.Steady();
    if (left.count() > 0) {
      reaper_cv_.wait_for(lock, left);
      continue;
    }
    lock.unlock();
    ExpireWaiting();
    lock.lock();
  }
}

}  // namespace lmcp::mcp
