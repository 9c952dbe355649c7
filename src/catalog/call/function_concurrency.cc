#include "catalog/call/function_concurrency.h"

namespace lmcp::catalog {

int FunctionConcurrency::in_flight(const std::string& function_arn) const {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(function_arn);
  return it == in_flight_.end() ? 0 : it->second;
}

CallResult FunctionConcurrency::Handle(LambdaCall& call, const CallNext& next) {
  const std::string& arn = call.entry->function.arn;
  {
    std::unique_lock lock(mu_);
    auto has_slot = [&] { return in_flight_[arn] < max_; };
    if (!has_slot()) {
      waited_.Add();
    }
    if (!cv_.wait(lock, call.ctx.stop_token(), has_slot)) {
      if (in_flight_[arn] == 0) {
        in_flight_.erase(arn);
      }
      stopped_.Add();
      call.record.outcome = "cancelled";
      call.record.detail =
          "stopped while waiting for a per-function concurrency slot; the function was not invoked";
      return Error::Cancelled("call cancelled while queued");
    }
    ++in_flight_[arn];
  }
  struct Release {
    FunctionConcurrency& self;
    const std::string& arn;
    ~Release() {
      {
        std::lock_guard lock(self.mu_);
        if (--self.in_flight_[arn] == 0) {
          self.in_flight_.erase(arn);
        }
      }
      self.cv_.notify_all();
    }
  } release{*this, arn};
  return next(call);
}

}  // namespace lmcp::catalog
