#pragma once
// The Lambda ToolProvider: discovers the selected functions in the background (first pass at Start, then
// every refresh interval; after a failure, retries with exponential backoff on the injected clock), serves
// tools/list from an immutable snapshot, and invokes a function per tools/call (validation, qualifier, read
// timeout from the function's Timeout, size checks, per-function concurrency limit, result mapping, audit).
// Thread-safe: ListTools/CallTool may run concurrently from the MCP core's pool. The destructor stops the
// background thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "catalog/audit_log.h"
#include "catalog/catalog_options.h"
#include "catalog/discovery.h"
#include "catalog/lambda_backend.h"
#include "common/clock.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

// Lambda's synchronous request limit (6 MB); larger events are refused before sending.
inline constexpr std::size_t kMaxInvokePayloadBytes = 6 * 1024 * 1024;

class LambdaCatalog : public mcp::ToolProvider {
 public:
  // `backend`, `clock` and `audit` (may be null: no audit) must outlive the catalog.
  LambdaCatalog(CatalogOptions options, LambdaBackend& backend, Clock& clock, AuditSink* audit);
  ~LambdaCatalog() override;

  // Starts background discovery. Without Start, DiscoverNow() must be called before listing.
  void Start();
  // One synchronous discovery pass, published like a background one (used by `lambda-mcp tools`).
  Status DiscoverNow();

  Result<mcp::ToolList> ListTools() override;
  Result<mcp::ToolResult> CallTool(const std::string& name, mcp::Json arguments,
                                   mcp::CallContext& ctx) override;
  // Audits a call the MCP core answered without invoking (outcome `refused`, `queue_timeout`, `cancelled`,
  // `client_gone` or `not_started`).
  void CallNotInvoked(const std::string& name, const mcp::Json& arguments, const std::string& principal,
                      NotInvoked why, const std::string& detail) override;
  void SetListChangedCallback(std::function<void()> callback) override;

  // The current entries (null before the first successful discovery).
  std::shared_ptr<const std::vector<ToolEntry>> entries() const;
  int discovery_attempts() const;

  // True once a discovery has succeeded (backs /readyz); stays true while later refreshes fail.
  bool Ready() const {
    std::lock_guard lock(mu_);
    return snapshot_ != nullptr;
  }

 private:
  struct Snapshot {
    std::shared_ptr<const std::vector<ToolEntry>> entries;
    mcp::ToolList tools;
    std::map<std::string, const ToolEntry*> by_name;
  };
  // Runs Discover, logs, publishes; returns the error, if any.
  Status RunOnce();
  void Loop(std::stop_token stop);
  // Sleeps on the injected clock in small real-time steps so a stop request is seen promptly.
  void WaitFor(std::chrono::nanoseconds d, std::stop_token stop);
  std::shared_ptr<const Snapshot> WaitForFirstDiscovery(std::optional<Error>* error);
  bool AcquireSlot(const std::string& arn, std::stop_token stop);
  void ReleaseSlot(const std::string& arn);
  void Audit(const ToolEntry* entry, const std::string& tool, const mcp::CallContext& ctx,
             const std::string& outcome, Clock::SteadyTime start, std::size_t request_bytes,
             const std::string& args_hmac, const InvokeResponse* resp, const std::string& detail);

  const CatalogOptions options_;
  LambdaBackend& backend_;
  Clock& clock_;
  AuditSink* audit_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::optional<Error> last_error_;
  bool first_attempt_done_ = false;
  int attempts_ = 0;
  std::function<void()> list_changed_;

  std::mutex slots_mu_;
  std::condition_variable_any slots_cv_;
  std::map<std::string, int> in_flight_;

  // Calls waiting for Lambda, for progress notifications. A context stays registered only while its
  // CallTool runs; the ticker calls Progress under progress_mu_.
  struct Waiting {
    mcp::CallContext* ctx;
    Clock::SteadyTime start;
    int timeout_seconds;
    std::string function;
  };
  void ProgressLoop(std::stop_token stop);
  std::mutex progress_mu_;
  std::map<std::uint64_t, Waiting> waiting_;
  std::uint64_t next_waiting_id_ = 0;

  std::jthread thread_;
  std::jthread progress_thread_;
};

}  // namespace lmcp::catalog
