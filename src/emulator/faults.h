#pragma once
// Fault injection for the local endpoint: rules matched per AWS operation and/or function name that add
// latency, answer an error status, throttle with 429 + Retry-After, reset the connection, answer a body the
// protocol does not allow, or deny the operation's IAM permission. Off unless rules are loaded (from flags, a
// JSON/YAML file, or the /__admin/faults endpoint). Thread-safe.

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace lmcp::emulator {

enum class FaultType {
  kLatency,          // sleep latency_ms, then answer normally
  kError,            // answer `status` with the service's error shape (code defaults by status)
  kThrottle,         // 429 (Tagging: 400 ThrottledException) with Retry-After
  kReset,            // reset the connection without running the operation or answering
  kResetBeforeBody,  // run the operation, send the status line and headers, then reset
  kResetAfterBody,   // run the operation, send the whole response, then reset
  kMalformed,        // status >= 400: a proxy's HTML error page instead of the service's error shape;
                     // 2xx (default 200): run the operation and send its body cut in half, as valid HTTP
  kDeny,             // answer the service's AccessDenied error for the operation's IAM action, as IAM does
                     // when no policy allows it; needs a named operation IAM can deny (IamActionOf)
};

struct FaultRule {
  std::string operation;  // "ListFunctions", "Invoke", …; empty or "*" = any
  std::string function;   // function name for Lambda operations; empty or "*" = any
  FaultType type = FaultType::kError;
  int latency_ms = 0;
  int status = 500;
  std::string code;  // error code; empty = the service's usual code for `status`
  std::string message;
  int retry_after_seconds = 1;
  int skip = 0;    // let this many matching requests through first
  int count = -1;  // then apply to this many (-1 = every one)
  // Live counters.
  int matched = 0;
  int applied = 0;
};

// The IAM action each operation needs, for deny rules and `--deny`. GetCallerIdentity has no row: STS
// answers it for every validly signed request, whatever the policies say, so it cannot be denied.
struct IamAction {
  const char* operation;  // "Invoke"
  const char* action;     // "lambda:InvokeFunction"
  bool per_function;      // the request names a function, so a rule may name one too
};
// The row of `operation`, or null when IAM cannot deny it.
const IamAction* IamActionOf(const std::string& operation);

// What to do to one request: total extra latency and at most one terminal fault.
struct FaultPlan {
  int latency_ms = 0;
  std::optional<FaultRule> terminal;
};

Result<FaultType> ParseFaultType(const std::string& name);
const char* FaultTypeName(FaultType type);

// JSON form: {"operation":"Invoke","function":"f","type":"error","status":503,...}.
Result<FaultRule> FaultRuleFromJson(const nlohmann::json& j);
nlohmann::json FaultRuleToJson(const FaultRule& rule);
// Compact flag form: `<operation>[@function]:<type>[=<value>][,count=N][,skip=N][,code=C]`, e.g.
// `Invoke@slow:latency=200`, `ListFunctions:error=503,count=2`, `Invoke:throttle=3`, `*:reset_after_body`,
// `Invoke@mcp-echo:deny`.
Result<FaultRule> ParseFaultFlag(const std::string& flag);
// `--deny IAM_ACTION[@function]`, e.g. `lambda:InvokeFunction@mcp-echo` (the action in any case): a deny rule
// for the operation that needs the action. Unknown actions are refused with the list of known ones.
Result<FaultRule> ParseDenyFlag(const std::string& flag);
// A JSON or YAML document: a list of rules, or {"faults": [rules]}.
Result<std::vector<FaultRule>> ParseFaultDocument(const std::string& text);

class FaultInjector {
 public:
  void Replace(std::vector<FaultRule> rules);
  void Add(std::vector<FaultRule> rules);
  void Clear();
  bool empty() const;
  // Counts the match and returns what to apply; `function` may be empty for non-function operations.
  FaultPlan Plan(const std::string& operation, const std::string& function);
  nlohmann::json ToJson() const;

 private:
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;
};

}  // namespace lmcp::emulator
