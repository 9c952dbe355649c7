#pragma once
// Stage: at most N calls of one function run at once (LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION); others wait
// here, in no particular order. A call stopped while waiting ends as cancelled; its function is not invoked.

#include <condition_variable>
#include <map>
#include <mutex>

#include "catalog/call/call.h"

namespace lmcp::catalog {

class FunctionConcurrency final : public CallStage {
 public:
  explicit FunctionConcurrency(int max_per_function) : max_(max_per_function) {}
  std::string_view name() const override { return "function_concurrency"; }
  CallResult Handle(LambdaCall& call, const CallNext& next) override;
  StageCounters counters() const override {
    return {{"waited", waited_.value()}, {"stopped_waiting", stopped_.value()}};
  }
  // Calls of `function_arn` holding a slot now.
  int in_flight(const std::string& function_arn) const;

 private:
  const int max_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<std::string, int> in_flight_;  // entries removed at zero
  Counter waited_;
  Counter stopped_;
};

}  // namespace lmcp::catalog
