#pragma once
// Runs a function's handler with Lambda's contract. FunctionRuntime is the seam the service calls;
// ProcessRuntime runs Python and Node.js handlers in warm worker processes (one invocation per worker at a
// time, workers reused between invocations, killed on timeout or when the waiting client hangs up) and
// answers the built-in "echo" runtime without a process. Thread-safe: concurrent invocations get separate
// workers.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/model.h"

namespace lmcp::emulator {

struct InvokeInput {
  std::string request_id;
  std::string version;         // "$LATEST" or "1"
  std::string invoked_arn;     // the ARN as invoked (qualified when a qualifier was given)
  std::string payload;         // JSON text ("{}" for an empty request body)
  std::string client_context;  // decoded ClientContext JSON, or empty
  std::string trace_id;  // the X-Amzn-Trace-Id header; the handler's _X_AMZN_TRACE_ID (unset when empty)
  // The waiting client's socket (-1 = none, e.g. an Event invocation): when the client hangs up (POLLRDHUP,
  // POLLHUP or POLLERR) before the handler finished, the invocation is aborted and the handler killed.
  int client_fd = -1;
};

struct InvokeOutput {
  std::string payload;         // the result JSON, or the error object when function_error is set
  std::string function_error;  // "" or "Unhandled"
  std::string log;             // the full execution log of this invocation (START … REPORT)
  bool timed_out = false;
  bool aborted = false;  // the client went away first (client_fd); the handler was stopped, nobody gets this
};

class FunctionRuntime {
 public:
  virtual ~FunctionRuntime() = default;
  virtual InvokeOutput Invoke(const FunctionSpec& function, const InvokeInput& input) = 0;
  // Kills every worker; later invocations start new ones.
  virtual void Shutdown() {}
};

struct ProcessRuntimeOptions {
  std::string runtimes_dir;  // holds python_bootstrap.py and node_bootstrap.js
  std::string python = "python3";
  std::string node = "node";
  std::string region = "us-east-1";
  int max_idle_per_function = 4;  // warm workers kept per function version
  std::chrono::seconds init_timeout{10};
};

class ProcessRuntime final : public FunctionRuntime {
 public:
  explicit ProcessRuntime(ProcessRuntimeOptions options);
  ~ProcessRuntime() override;
  InvokeOutput Invoke(const FunctionSpec& function, const InvokeInput& input) override;
  void Shutdown() override;
  int WorkersStarted() const;  // processes spawned so far (cold starts)

  struct Worker;

 private:
  // Cold start: spawns a worker for `f` and waits until it has loaded the handler. On failure returns null
  // with the invocation's answer in *failed; else the init phase's log header and output, and its duration.
  std::unique_ptr<Worker> StartWorker(const FunctionSpec& f, const InvokeInput& in, std::string* init_prefix,
                                      double* init_ms, InvokeOutput* failed);
  std::unique_ptr<Worker> TakeWorker(const std::string& key);
  void ReturnWorker(const std::string& key, std::unique_ptr<Worker> worker);

  ProcessRuntimeOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<Worker>>> idle_;
  int started_ = 0;
};

// Finds the directory holding the bootstrap scripts: $LMCP_RUNTIMES_DIR, then next to the executable
// (../share/lambda-mcp/runtimes, runtimes/), then the source tree this binary was built from.
std::string FindRuntimesDir();

}  // namespace lmcp::emulator
