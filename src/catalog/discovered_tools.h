#pragma once
// The discovered tools: runs discovery in the background (a first pass at Start, then every refresh
// interval; after a failure, retries with exponential backoff on the injected clock) and publishes each
// result as an immutable snapshot. Serves tools/list and the call chain's tool lookup (ToolDirectory); both
// wait up to `discovery_wait` for the first pass. Thread-safe. The destructor stops the background thread.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "catalog/call/resolve_tool.h"
#include "catalog/catalog_options.h"
#include "catalog/discovery.h"
#include "common/clock.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

class DiscoveredTools final : public ToolDirectory {
 public:
  // `backend` and `clock` must outlive this.
  DiscoveredTools(const CatalogOptions& options, LambdaBackend& backend, Clock& clock);
  ~DiscoveredTools() override;

  // Starts background discovery. Without Start, DiscoverNow() must be called before listing.
  void Start();
  // One synchronous discovery pass, published like a background one.
  Status DiscoverNow();

  Result<mcp::ToolList> List();
  Result<std::shared_ptr<const ToolEntry>> Find(const std::string& tool) override;
  // The entry of `tool` in the current snapshot, without waiting; null if none.
  std::shared_ptr<const ToolEntry> Peek(const std::string& tool) const;
  // Called after a published change (not the first one).
  void SetListChangedCallback(std::function<void()> callback);

  // The current entries (null before the first successful discovery).
  std::shared_ptr<const std::vector<ToolEntry>> entries() const;
  int attempts() const;
  int failures() const;  // attempts that failed
  // True once a discovery has succeeded; stays true while later refreshes fail.
  bool Ready() const;

 private:
  struct Snapshot {
    std::shared_ptr<const std::vector<ToolEntry>> entries;
    mcp::ToolList tools;
    std::map<std::string, const ToolEntry*> by_name;
  };
  // Runs Discover, logs, publishes; returns the error, if any.
  Status RunOnce();
  void Publish(const DiscoveryResult& d, std::function<void()>* notify);
  void Loop(std::stop_token stop);
  std::shared_ptr<const Snapshot> WaitForFirstDiscovery(std::optional<Error>* error);

  const CatalogOptions& options_;
  LambdaBackend& backend_;
  Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::optional<Error> last_error_;
  bool first_attempt_done_ = false;
  int attempts_ = 0;
  int failures_ = 0;
  std::function<void()> list_changed_;
  std::jthread thread_;  // last: stopped and joined first
};

}  // namespace lmcp::catalog
