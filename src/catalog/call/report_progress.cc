#include "catalog/call/report_progress.h"

#include <vector>

namespace lmcp::catalog {

ReportProgress::ReportProgress(Clock& clock, ProgressOptions options)
    : clock_(clock), options_(options), thread_([this](std::stop_token stop) { Loop(stop); }) {}

ReportProgress::~ReportProgress() {
  thread_.request_stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}

Async<CallResult> ReportProgress::Handle(LambdaCall& call, const CallNext& next) {
  std::uint64_t id;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    const auto now = clock_.Steady();
    const auto due = now + options_.first;
    waiting_.emplace(id, Waiting{&call.ctx, now, due, call.timeout_seconds, call.entry->function.name});
    if (due < planned_wake_) {
      changed_ = wake = true;
    }
  }
  if (wake) {
    cv_.notify_all();
  }
  struct Unregister {
    ReportProgress& self;
    std::uint64_t id;
    ~Unregister() {
      std::unique_lock lock(self.mu_);
      self.cv_.wait(lock, [&] { return !self.waiting_.at(id).sending; });
      self.waiting_.erase(id);
    }
  } unregister{*this, id};
  co_return co_await next(call);
}

void ReportProgress::Loop(std::stop_token stop) {
  struct Due {
    std::uint64_t id;
    mcp::CallContext* ctx;
    double elapsed;
    int timeout_seconds;
    std::string function;
  };
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    auto wake = clock_.Steady() + std::chrono::hours(24);
    for (const auto& [id, w] : waiting_) {
      wake = std::min(wake, w.due);
    }
    changed_ = false;
    planned_wake_ = wake;
    clock_.WaitUntil(lock, cv_, wake, stop, [&] { return changed_; });
    planned_wake_ = Clock::SteadyTime::min();  // awake: calls registered now are seen below or next round
    if (stop.stop_requested()) {
      return;
    }
    const auto now = clock_.Steady();
    std::vector<Due> due;
    for (auto& [id, w] : waiting_) {
      if (w.due > now || w.sending) {
        continue;
      }
      w.sending = true;
      w.due += options_.every;
      if (w.due <= now) {
        w.due = now + options_.every;  // the ticker was late: keep the interval, do not catch up
      }
      auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - w.start).count();
      double elapsed = static_cast<double>(elapsed_ms) / 1000.0;
      due.push_back({id, w.ctx, elapsed, w.timeout_seconds, w.function});
    }
    if (due.empty()) {
      continue;
    }
    lock.unlock();
    for (const Due& d : due) {
      d.ctx->Progress(d.elapsed, static_cast<double>(d.timeout_seconds),
                      "waiting for Lambda function " + d.function + " (" +
                          std::to_string(static_cast<int>(d.elapsed)) + " s of at most " +
                          std::to_string(d.timeout_seconds) + " s)");
      sent_.Add();
    }
    lock.lock();
    for (const Due& d : due) {
      waiting_.at(d.id).sending = false;
    }
    cv_.notify_all();
  }
}

}  // namespace lmcp::catalog
