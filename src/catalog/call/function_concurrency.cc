#include "catalog/call/function_concurrency.h"

#include <functional>

namespace lmcp::catalog {

// A call queued for a slot; lives in its Handle coroutine's frame until it has been resumed.
struct FunctionConcurrency::Waiter {
  std::optional<Resume<bool>> resume;
  std::list<Waiter*>::iterator position;
  bool queued = false;  // under mu_: whoever takes it out of the queue resumes it
  std::optional<std::stop_callback<std::function<void()>>> on_stop;
};

int FunctionConcurrency::in_flight(const std::string& function_arn) const {
  std::lock_guard lock(mu_);
  auto it = functions_.find(function_arn);
  return it == functions_.end() ? 0 : it->second.in_flight;
}

int FunctionConcurrency::waiting(const std::string& function_arn) const {
  std::lock_guard lock(mu_);
  auto it = functions_.find(function_arn);
  return it == functions_.end() ? 0 : static_cast<int>(it->second.queue.size());
}

void FunctionConcurrency::Acquire(const std::string& arn, std::stop_token stop, Waiter& waiter) {
  {
    std::lock_guard lock(mu_);
    Function& f = functions_[arn];
    if (f.in_flight < max_ && f.queue.empty()) {
      ++f.in_flight;
    } else if (stop.stop_requested()) {
      if (f.in_flight == 0 && f.queue.empty()) {
        functions_.erase(arn);
      }
      stopped_.Add();
      (*waiter.resume)(false);  // under the lock: the awaiter has not suspended yet, so it only records
      return;
    } else {
      waited_.Add();
      waiter.position = f.queue.insert(f.queue.end(), &waiter);
      waiter.queued = true;
    }
    if (!waiter.queued) {
      (*waiter.resume)(true);  // likewise: the Handle coroutine goes on once this starter returns
      return;
    }
  }
  // Outside the lock: the callback runs right here when the stop came meanwhile. The waiter stays valid:
  // its coroutine cannot go on before this starter has returned.
  waiter.on_stop.emplace(std::move(stop), [this, &arn, &waiter] {
    std::optional<Resume<bool>> resume;
    {
      std::lock_guard lock(mu_);
      if (!waiter.queued) {
        return;  // it got a slot first
      }
      waiter.queued = false;
      auto it = functions_.find(arn);
      it->second.queue.erase(waiter.position);
      if (it->second.in_flight == 0 && it->second.queue.empty()) {
        functions_.erase(it);
      }
      stopped_.Add();
      resume = waiter.resume;
    }
    stopped_waiters_.Post([resume] { (*resume)(false); });
  });
}

void FunctionConcurrency::Release(const std::string& arn) {
  std::optional<Resume<bool>> next;
  {
    std::lock_guard lock(mu_);
    auto it = functions_.find(arn);
    Function& f = it->second;
    if (!f.queue.empty()) {
      Waiter* w = f.queue.front();  // the slot passes to it; in_flight stays
      f.queue.pop_front();
      w->queued = false;
      next = w->resume;
    } else if (--f.in_flight == 0) {
      functions_.erase(it);
    }
  }
  if (next) {
    (*next)(true);  // runs that call on until it waits again (for Lambda)
  }
}

Async<CallResult> FunctionConcurrency::Handle(LambdaCall& call, const CallNext& next) {
  const std::string arn = call.entry->function.arn;
  Waiter waiter;
  const bool admitted = co_await WhenCalledWith<bool>([&](Resume<bool> resume) {
    waiter.resume = resume;
    Acquire(arn, call.ctx.stop_token(), waiter);
  });
  waiter.on_stop.reset();  // waits for a callback running on another thread (it found the waiter gone)
  if (!admitted) {
    call.record.outcome = "cancelled";
    call.record.detail =
        "stopped while waiting for a per-function concurrency slot; the function was not invoked";
    co_return Error::Cancelled("call cancelled while queued");
  }
  struct SlotGuard {
    FunctionConcurrency& self;
    const std::string& arn;
    ~SlotGuard() { self.Release(arn); }
  } slot{*this, arn};
  co_return co_await next(call);
}

}  // namespace lmcp::catalog
