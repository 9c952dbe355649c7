#include "emulator/stats.h"

#include "common/crypto.h"

namespace lmcp::emulator {

void Stats::CountOperation(const std::string& operation) {
  std::lock_guard<std::mutex> lock(mu_);
  ++operations_[operation];
}

void Stats::CountAuthFailure() {
  std::lock_guard<std::mutex> lock(mu_);
  ++auth_failures_;
}

void Stats::CountFault() {
  std::lock_guard<std::mutex> lock(mu_);
  ++faults_;
}

ThrottleReason Stats::TryAcquire(const std::string& function, std::optional<int> reserved,
                                 int account_limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Fn& f = functions_[function];
  if (reserved && f.current >= *reserved) {
    return ThrottleReason::kReserved;
  }
  if (current_ >= account_limit) {
    return ThrottleReason::kAccount;
  }
  ++f.current;
  ++current_;
  f.peak = std::max(f.peak, f.current);
  peak_ = std::max(peak_, current_);
  return ThrottleReason::kNone;
}

void Stats::Release(const std::string& function) {
  std::lock_guard<std::mutex> lock(mu_);
  --functions_[function].current;
  --current_;
}

void Stats::InvokeStarted(const std::string& function, const std::string& invocation_type,
                          const std::string& payload) {
  const std::string digest = Sha256Hex(payload);
  std::lock_guard<std::mutex> lock(mu_);
  Fn& f = functions_[function];
  ++f.invocations;
  ++f.by_type[invocation_type];
  if (f.payloads.count(digest) != 0) {
    ++f.duplicate_payloads;
  } else if (f.payloads.size() < kMaxTrackedPayloads) {
    f.payloads.insert(digest);
  }
}

void Stats::InvokeFinished(const std::string& function, bool function_error, bool timed_out) {
  std::lock_guard<std::mutex> lock(mu_);
  Fn& f = functions_[function];
  if (function_error) {
    ++f.errors;
  }
  if (timed_out) {
    ++f.timeouts;
  }
}

void Stats::InvokeAborted(const std::string& function) {
  std::lock_guard<std::mutex> lock(mu_);
  ++functions_[function].aborted;
  ++aborted_;
}

void Stats::CountThrottle(const std::string& function) {
  std::lock_guard<std::mutex> lock(mu_);
  ++functions_[function].throttles;
}

int Stats::Invocations(const std::string& function) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = functions_.find(function);
  return it == functions_.end() ? 0 : it->second.invocations;
}

int Stats::Aborted(const std::string& function) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = functions_.find(function);
  return it == functions_.end() ? 0 : it->second.aborted;
}

int Stats::Operations(const std::string& operation) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = operations_.find(operation);
  return it == operations_.end() ? 0 : it->second;
}

int Stats::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

nlohmann::json Stats::ToJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json fns = nlohmann::json::object();
  int total = 0;
  for (const auto& [name, f] : functions_) {
    fns[name] = {{"invocations", f.invocations},
                 {"by_type", f.by_type},
                 {"errors", f.errors},
                 {"timeouts", f.timeouts},
                 {"throttles", f.throttles},
                 {"aborted", f.aborted},
                 {"duplicate_payloads", f.duplicate_payloads},
                 {"concurrency", {{"current", f.current}, {"peak", f.peak}}}};
    total += f.invocations;
  }
  return {{"operations", operations_},
          {"functions", fns},
          {"invocations_total", total},
          {"aborted", aborted_},
          {"concurrency", {{"current", current_}, {"peak", peak_}}},
          {"auth_failures", auth_failures_},
          {"faults_applied", faults_}};
}

void Stats::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  operations_.clear();
  for (auto& [name, f] : functions_) {
    Fn fresh;
    fresh.current = fresh.peak = f.current;
    f = std::move(fresh);
  }
  peak_ = current_;
  aborted_ = 0;
  auth_failures_ = 0;
  faults_ = 0;
}

}  // namespace lmcp::emulator
