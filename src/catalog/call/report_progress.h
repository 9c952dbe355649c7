#pragma once
// Stage: while a call waits for its function, sends it notifications/progress on its own schedule — first
// `first` after the invoke starts, then every `every` — with the seconds waited of at most the read timeout
// (the session sends them only when the client asked, with a progressToken). One background thread serves
// all calls; it never holds the lock calls take while a notification is sent, and a call returns only once
// no notification to it is under way.

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "catalog/call/call.h"

namespace lmcp::catalog {

struct ProgressOptions {
  Clock::Duration first = std::chrono::seconds(1);
  Clock::Duration every = std::chrono::seconds(5);
};

class ReportProgress final : public CallStage {
 public:
  ReportProgress(Clock& clock, ProgressOptions options);
  ~ReportProgress() override;
  std::string_view name() const override { return "report_progress"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override { return {{"sent", sent_.value()}}; }

 private:
  struct Waiting {
    mcp::CallContext* ctx;
    Clock::SteadyTime start;
    Clock::SteadyTime due;
    int timeout_seconds;
    std::string function;
    bool sending = false;
  };
  void Loop(std::stop_token stop);

  Clock& clock_;
  const ProgressOptions options_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<std::uint64_t, Waiting> waiting_;
  std::uint64_t next_id_ = 0;
  bool changed_ = false;  // a call came that is due before the ticker's wake-up: it recomputes
  // When the ticker wakes up next. A call due no earlier needs no wake-up of its own (calls arriving faster
  // than progress is due would otherwise wake the ticker thread once each, for nothing).
  Clock::SteadyTime planned_wake_ = Clock::SteadyTime::max();
  Counter sent_;
  std::jthread thread_;  // last: stopped and joined first
};

}  // namespace lmcp::catalog
