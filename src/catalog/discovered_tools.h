#pragma once
// One target's discovered tools: runs discovery in the background (a first pass at Start, then every refresh
// interval; after a failure, retries with exponential backoff on the injected clock) and publishes each
// result as an immutable, name-sorted snapshot whose entries carry the target's backend. A failed refresh
// keeps the last good snapshot (its status says why). TargetTools merges every target's snapshot.
// Thread-safe. The destructor stops the background thread (a pass in progress finishes first).

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "catalog/catalog_options.h"
#include "catalog/discovery.h"
#include "catalog/target_options.h"
#include "common/clock.h"

namespace lmcp::catalog {

// What /readyz and `lambda-mcp tools` show for one target.
struct TargetStatus {
  std::string name;
  bool attempted = false;        // a discovery pass has finished
  bool ok = false;               // the last pass succeeded
  std::size_t tools = 0;         // tools in the current snapshot (the last good one)
  std::string last_error;        // the last pass's error; "" after a success
  std::string nothing_selected;  // the last successful pass found no tool: why (DiscoveryResult)
  ErrorCode last_error_code = ErrorCode::kUnavailable;
  std::optional<Clock::WallTime> last_success;
  int attempts = 0;
  int failures = 0;  // passes that failed (metrics)
};

class DiscoveredTools {
 public:
  // `settings` (compat, refresh interval) and `clock` must outlive this. `backend` is the target's, or why
  // it could not be built (then every pass fails with that error). `on_pass` runs after every pass, outside
  // any lock of this object.
  DiscoveredTools(TargetOptions target, const CatalogOptions& settings,
                  Result<std::shared_ptr<LambdaBackend>> backend, Clock& clock,
                  std::function<void()> on_pass);
  ~DiscoveredTools();
  DiscoveredTools(const DiscoveredTools&) = delete;
  DiscoveredTools& operator=(const DiscoveredTools&) = delete;

  // Starts background discovery.
  void Start();
  // One synchronous discovery pass, published like a background one.
  Status DiscoverNow();

  const TargetOptions& target() const { return target_; }
  // The current entries, sorted by tool name (null before the first successful discovery).
  std::shared_ptr<const std::vector<ToolEntry>> entries() const;
  TargetStatus status() const;

 private:
  Status RunOnce();
  void Loop(std::stop_token stop);

  const TargetOptions target_;
  const CatalogOptions& settings_;
  const Result<std::shared_ptr<LambdaBackend>> backend_;
  Clock& clock_;
  const std::function<void()> on_pass_;

  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<ToolEntry>> entries_;
  TargetStatus status_;
  std::jthread thread_;  // last: stopped and joined first
};

}  // namespace lmcp::catalog
