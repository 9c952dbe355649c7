#pragma once
// Every target's discovered tools as one catalog: one DiscoveredTools (with its own background thread) per
// target, their snapshots merged into one sorted by tool name. Serves tools/list and the call chain's tool
// lookup (ToolDirectory); both wait up to `discovery_wait` for every target's first pass, then serve what
// the targets that succeeded found. When every target succeeded and selected nothing, both say why instead
// (unless in reference compat mode, which lists nothing, as the reference server does). A failing target
// does not hide the others: its tools are absent (or its
// last good ones stay), its error is logged and in its TargetStatus. Names of different targets cannot
// collide when their namespaces are valid (target_checks.h); if they do, the first target keeps the name
// and the clash is logged. Thread-safe; SetTargets is called by one thread at a time.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "catalog/call/resolve_tool.h"
#include "catalog/catalog_options.h"
#include "catalog/discovered_tools.h"
#include "common/clock.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

// Builds a target's backend (its AWS session: region, endpoint, credentials), or says why it cannot.
using BackendFactory = std::function<Result<std::shared_ptr<LambdaBackend>>(const TargetOptions&)>;

// Statuses as JSON: [{name, status: "ok"|"error"|"pending", tools, last_success (ISO-8601, absent before
// one), error: the error class ("Unauthenticated", ...), and with `with_errors` last_error: the message}].
// /readyz leaves the message out: it is unauthenticated and messages name roles and accounts.
Json TargetStatusJson(const std::vector<TargetStatus>& statuses, bool with_errors);

class TargetTools final : public ToolDirectory {
 public:
  // `options` (behaviour settings; its targets are the initial ones) and `clock` must outlive this.
  TargetTools(const CatalogOptions& options, BackendFactory backends, Clock& clock);
  ~TargetTools() override;

  // Replaces the targets (a reload): a target equal to a current one keeps its discovery and snapshot; new
  // and changed ones get a fresh backend and discovery (started when Start was called); removed ones stop.
  // In-flight calls keep what they use: their entry holds its snapshot and backend.
  void SetTargets(std::vector<TargetOptions> targets);
  // Starts every target's background discovery. Without Start, DiscoverNow() must be called before listing.
  void Start();
  // One synchronous pass of every target, in parallel. The error lists the targets that failed.
  Status DiscoverNow();

  Result<mcp::ToolList> List();
  // The merged entries, waiting for the first discovery like List().
  Result<std::shared_ptr<const std::vector<ToolEntry>>> ListEntries();
  Result<std::shared_ptr<const ToolEntry>> Find(const std::string& tool) override;
  // The entry of `tool` in the current snapshot, without waiting; null if none.
  std::shared_ptr<const ToolEntry> Peek(const std::string& tool) const;
  // Called after the merged tool set changed (not its first publication).
  void SetListChangedCallback(std::function<void()> callback);
  // Calls it now, if set (what each caller may see changed for another reason: a new policy).
  void NotifyListChanged();

  // The merged entries (null before any target's first successful discovery).
  std::shared_ptr<const std::vector<ToolEntry>> entries() const;
  int attempts() const;  // discovery passes of every current target
  // True once some target's discovery has succeeded; stays true while later refreshes fail.
  bool Ready() const;
  std::vector<TargetStatus> Statuses() const;

 private:
  struct Snapshot {
    std::shared_ptr<const std::vector<ToolEntry>> entries;
    mcp::ToolList tools;
    std::map<std::string, const ToolEntry*> by_name;
    std::vector<const void*> sources;  // each target's entries it was merged from (change detection)
    bool discovered = false;           // some target had discovered its tools
  };
  std::shared_ptr<DiscoveredTools> Make(const TargetOptions& target);
  // Merges the targets' snapshots after a pass or a reload; notifies waiters and the list-changed callback.
  void Merge();
  std::shared_ptr<const Snapshot> WaitForFirstDiscovery(std::optional<Error>* error);
  static std::shared_ptr<Snapshot> MergeParts(
      const std::vector<std::shared_ptr<const std::vector<ToolEntry>>>& parts);
  Error NoToolsError() const;  // under mu_
  // Every target's last pass succeeded and selected nothing: why, for tools/list (under mu_).
  std::optional<Error> NothingSelectedError() const;

  const CatalogOptions& options_;
  const BackendFactory backends_;
  Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::vector<std::shared_ptr<DiscoveredTools>> targets_;  // in configuration order
  std::shared_ptr<const Snapshot> snapshot_;
  std::size_t pending_ = 0;     // targets whose first pass has not been merged yet
  bool any_attempted_ = false;  // some pass has been merged (later changes are announced)
  bool started_ = false;
  std::function<void()> list_changed_;
};

}  // namespace lmcp::catalog
