#pragma once
// Counters the tests read through /__admin/stats: AWS calls per operation, invocations per function (started,
// by type, errors, timeouts, throttles, aborted: the client of a RequestResponse Invoke went away before the
// handler finished; duplicate_payloads: Invokes whose payload equals an earlier one's, which a test that
// sends each call a unique argument reads as a re-sent Invoke), and current/peak concurrency per function
// and overall. Also the
// concurrency gate for ReservedConcurrentExecutions and the account limit. Thread-safe.

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace lmcp::emulator {

enum class ThrottleReason { kNone, kReserved, kAccount };

class Stats {
 public:
  void CountOperation(const std::string& operation);
  void CountAuthFailure();
  void CountFault();

  // Takes a concurrency slot for `function` unless its reserved limit or the account limit is reached.
  ThrottleReason TryAcquire(const std::string& function, std::optional<int> reserved, int account_limit);
  void Release(const std::string& function);

  void InvokeStarted(const std::string& function, const std::string& invocation_type,
                     const std::string& payload = "");
  void InvokeFinished(const std::string& function, bool function_error, bool timed_out);
  // The client hung up before the handler finished: the invocation was stopped (instead of InvokeFinished).
  void InvokeAborted(const std::string& function);
  void CountThrottle(const std::string& function);

  int Invocations(const std::string& function) const;
  int Aborted(const std::string& function) const;
  int Operations(const std::string& operation) const;
  int InFlight() const;
  nlohmann::json ToJson() const;
  void Reset();  // zeroes the counters and peaks (in-flight counts stay)

 private:
  struct Fn {
    int invocations = 0;
    std::map<std::string, int> by_type;
    int errors = 0;
    int timeouts = 0;
    int throttles = 0;
    int aborted = 0;
    int duplicate_payloads = 0;
    std::set<std::string> payloads;  // SHA-256 of each payload seen, up to kMaxTrackedPayloads
    int current = 0;
    int peak = 0;
  };
  static constexpr size_t kMaxTrackedPayloads = 100'000;
  mutable std::mutex mu_;
  std::map<std::string, int> operations_;
  std::map<std::string, Fn> functions_;
  int current_ = 0;
  int peak_ = 0;
  int aborted_ = 0;
  int auth_failures_ = 0;
  int faults_ = 0;
};

}  // namespace lmcp::emulator
