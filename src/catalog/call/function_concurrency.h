#pragma once
// Stage: at most N calls of one function run at once (LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION); others wait
// here, first come first served, in an async semaphore per function: a waiting call holds a queue entry,
// not a thread, and the call that frees a slot hands it to the first waiter and resumes it. A call stopped
// while waiting leaves the queue at once (its std::stop_callback) and ends as cancelled; its function is
// not invoked.

#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>

#include "catalog/call/call.h"
#include "common/async.h"

namespace lmcp::catalog {

class FunctionConcurrency final : public CallStage {
 public:
  explicit FunctionConcurrency(int max_per_function) : max_(max_per_function) {}
  std::string_view name() const override { return "function_concurrency"; }
  Async<CallResult> Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override {
    return {{"waited", waited_.value()}, {"stopped_waiting", stopped_.value()}};
  }
  // Calls of `function_arn` holding a slot now.
  int in_flight(const std::string& function_arn) const;
  // Calls of `function_arn` waiting for a slot now.
  int waiting(const std::string& function_arn) const;

 private:
  struct Waiter;
  struct Function {
    int in_flight = 0;
    std::list<Waiter*> queue;  // waiting calls, first come first
  };
  // Takes a slot at once, or queues `waiter`; its Resume gets true once it holds a slot, false when its
  // stop came first.
  void Acquire(const std::string& arn, std::stop_token stop, Waiter& waiter);
  void Release(const std::string& arn);

  const int max_;
  mutable std::mutex mu_;
  std::map<std::string, Function> functions_;  // entries removed when idle
  Counter waited_;
  Counter stopped_;
  // Resumes the waiters a stop took out of the queue: never inside request_stop(), whose caller may hold a
  // lock the rest of the call takes. Last: drained and joined first.
  ThreadExecutor stopped_waiters_{1};
};

}  // namespace lmcp::catalog
