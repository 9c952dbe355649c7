#include "catalog/target_tools.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "common/iso8601.h"
#include "common/log_text.h"

namespace lmcp::catalog {

Json TargetStatusJson(const std::vector<TargetStatus>& statuses, bool with_errors) {
  Json out = Json::array();
  for (const auto& s : statuses) {
    Json t = {{"name", s.name},
              {"status", !s.attempted ? "pending"
                         : s.ok       ? "ok"
                                      : "error"},
              {"tools", s.tools},
              {"attempts", s.attempts}};
    if (s.last_success) {
      t["last_success"] = FormatIso8601(*s.last_success);
    }
    if (s.attempted && !s.ok) {
      t["error"] = ErrorCodeName(s.last_error_code);
      if (with_errors) {
        t["last_error"] = s.last_error;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

TargetTools::TargetTools(const CatalogOptions& options, BackendFactory backends, Clock& clock)
    : options_(options), backends_(std::move(backends)), clock_(clock) {
  SetTargets(options_.targets);
}

TargetTools::~TargetTools() {
  std::vector<std::shared_ptr<DiscoveredTools>> targets;
  {
    std::lock_guard lock(mu_);
    targets.swap(targets_);
  }
  targets.clear();  // joins their threads, whose last pass may still call Merge
}

std::shared_ptr<DiscoveredTools> TargetTools::Make(const TargetOptions& target) {
  return std::make_shared<DiscoveredTools>(target, options_, backends_(target), clock_, [this] { Merge(); });
}

void TargetTools::SetTargets(std::vector<TargetOptions> targets) {
  std::vector<std::shared_ptr<DiscoveredTools>> current;
  bool started = false;
  {
    std::lock_guard lock(mu_);
    current = targets_;
    started = started_;
  }
  // Built outside the lock: a backend may read profiles or fetch credentials.
  std::vector<std::shared_ptr<DiscoveredTools>> next;
  std::vector<std::shared_ptr<DiscoveredTools>> fresh;
  for (const auto& t : targets) {
    auto same = std::find_if(current.begin(), current.end(), [&](const auto& d) { return d->target() == t; });
    if (same != current.end()) {
      next.push_back(*same);
      continue;
    }
    next.push_back(Make(t));
    fresh.push_back(next.back());
  }
  std::vector<std::shared_ptr<DiscoveredTools>> removed;
  {
    std::lock_guard lock(mu_);
    for (const auto& d : targets_) {
      if (std::find(next.begin(), next.end(), d) == next.end()) {
        removed.push_back(d);
      }
    }
    targets_ = std::move(next);
  }
  if (started) {
    for (const auto& d : fresh) {
      d->Start();
    }
  }
  Merge();
  removed.clear();  // stops their discovery; calls in flight keep their entries' backends
}

void TargetTools::Start() {
  std::vector<std::shared_ptr<DiscoveredTools>> targets;
  {
    std::lock_guard lock(mu_);
    started_ = true;
    targets = targets_;
  }
  for (const auto& d : targets) {
    d->Start();
  }
}

Status TargetTools::DiscoverNow() {
  std::vector<std::shared_ptr<DiscoveredTools>> targets;
  {
    std::lock_guard lock(mu_);
    targets = targets_;
  }
  std::vector<Status> results(targets.size());
  {
    std::vector<std::jthread> passes;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      passes.emplace_back([&, i] { results[i] = targets[i]->DiscoverNow(); });
    }
  }
  std::vector<std::string> failed;
  ErrorCode code = ErrorCode::kUnavailable;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!results[i].ok()) {
      code = results[i].error().code;
      failed.push_back(targets.size() == 1
                           ? results[i].error().message
                           : "target " + targets[i]->target().name + ": " + results[i].error().message);
    }
  }
  if (failed.empty()) {
    return Ok();
  }
  std::string message;
  for (const auto& f : failed) {
    message += (message.empty() ? "" : "\n") + f;
  }
  return Error{code, message};
}

void TargetTools::Merge() {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<const std::vector<ToolEntry>>> parts;
    std::vector<const void*> sources;
    std::size_t attempted = 0;
    for (const auto& d : targets_) {
      parts.push_back(d->entries());
      sources.push_back(parts.back().get());
      attempted += d->status().attempted ? 1 : 0;
    }
    if (!snapshot_ || snapshot_->sources != sources) {
      auto snap = MergeParts(parts);
      snap->sources = std::move(sources);
      // The first outcome is no change: nobody has been answered yet. After a failed first pass it is one.
      if (any_attempted_ && (!snapshot_ || !SameTools(*snapshot_->entries, *snap->entries))) {
        notify = list_changed_;
      }
      snapshot_ = std::move(snap);
    }
    pending_ = targets_.size() - attempted;
    any_attempted_ = any_attempted_ || attempted > 0;
  }
  cv_.notify_all();
  if (notify) {
    notify();
  }
}

std::shared_ptr<TargetTools::Snapshot> TargetTools::MergeParts(
    const std::vector<std::shared_ptr<const std::vector<ToolEntry>>>& parts) {
  auto merged = std::make_shared<std::vector<ToolEntry>>();
  for (const auto& p : parts) {
    if (p) {
      merged->insert(merged->end(), p->begin(), p->end());
    }
  }
  std::stable_sort(merged->begin(), merged->end(), [](const ToolEntry& a, const ToolEntry& b) {
    return a.definition.name < b.definition.name;
  });
  auto same_name = [](const ToolEntry& a, const ToolEntry& b) {
    return a.definition.name == b.definition.name;
  };
  for (auto clash = std::adjacent_find(merged->begin(), merged->end(), same_name); clash != merged->end();
       clash = std::adjacent_find(clash, merged->end(), same_name)) {
    spdlog::error("tool {} is wanted by targets {} and {}; {} keeps it (give each target its own namespace)",
                  ForLog(clash->definition.name), ForLog(clash->target), ForLog((clash + 1)->target),
                  ForLog(clash->target));
    merged->erase(clash + 1);
  }
  auto snap = std::make_shared<Snapshot>();
  auto tools = std::make_shared<std::vector<mcp::ToolDefinition>>();
  for (const auto& e : *merged) {
    tools->push_back(e.definition);
    snap->by_name[e.definition.name] = &e;
  }
  snap->entries = std::move(merged);
  snap->tools = std::move(tools);
  snap->discovered = std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p != nullptr; });
  return snap;
}

void TargetTools::SetListChangedCallback(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  list_changed_ = std::move(callback);
}

std::shared_ptr<const std::vector<ToolEntry>> TargetTools::entries() const {
  std::lock_guard lock(mu_);
  return snapshot_ && snapshot_->discovered ? snapshot_->entries : nullptr;
}

int TargetTools::attempts() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& d : targets_) {
    n += d->status().attempts;
  }
  return n;
}

bool TargetTools::Ready() const {
  std::lock_guard lock(mu_);
  return snapshot_ && snapshot_->discovered;
}

std::vector<TargetStatus> TargetTools::Statuses() const {
  std::lock_guard lock(mu_);
  std::vector<TargetStatus> out;
  for (const auto& d : targets_) {
    out.push_back(d->status());
  }
  return out;
}

Error TargetTools::NoToolsError() const {
  std::vector<TargetStatus> failed;
  for (const auto& d : targets_) {
    TargetStatus s = d->status();
    if (s.attempted && !s.ok) {
      failed.push_back(s);
    }
  }
  if (failed.empty()) {
    return Error::Unavailable("Lambda function discovery has not finished after " +
                              std::to_string(options_.discovery_wait.count()) +
                              " s (slow or unreachable AWS endpoint?); try again shortly.");
  }
  std::string causes;
  for (const auto& s : failed) {
    causes +=
        (causes.empty() ? "" : " ") + (targets_.size() == 1 ? "" : "Target " + s.name + ": ") + s.last_error;
  }
  return Error{failed.front().last_error_code,
               "Lambda function discovery failed: " + causes +
                   " Discovery is retried in the background; the tool list will be sent again "
                   "(notifications/tools/list_changed) once it succeeds."};
}

std::optional<Error> TargetTools::NothingSelectedError() const {
  if (options_.compat == CompatMode::kReference || targets_.empty() || !snapshot_->entries->empty()) {
    return std::nullopt;
  }
  std::string causes;
  for (const auto& d : targets_) {
    TargetStatus s = d->status();
    if (!s.ok || s.nothing_selected.empty()) {
      return std::nullopt;  // pending or failed: that target may yet have tools
    }
    causes += (causes.empty() ? "" : " ") + (targets_.size() == 1 ? "" : "Target " + s.name + ": ") +
              s.nothing_selected;
  }
  const std::string again =
      options_.refresh_interval.count() > 0
          ? " Functions are listed again every " + std::to_string(options_.refresh_interval.count()) +
                " s; the tool list is sent again (notifications/tools/list_changed) when tools appear."
          : " Restart lambda-mcp after changing the selection.";
  return Error::FailedPrecondition("No Lambda function is selected as a tool: " + causes + again);
}

std::shared_ptr<const TargetTools::Snapshot> TargetTools::WaitForFirstDiscovery(std::optional<Error>* error) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, options_.discovery_wait, [&] { return pending_ == 0; });
  if (snapshot_ && (targets_.empty() || snapshot_->discovered)) {
    if (auto why = NothingSelectedError()) {
      *error = std::move(*why);
      return nullptr;
    }
    return snapshot_;
  }
  *error = NoToolsError();
  return nullptr;
}

Result<mcp::ToolList> TargetTools::List() {
  std::optional<Error> error;
  auto snap = WaitForFirstDiscovery(&error);
  if (!snap) {
    return *error;
  }
  return snap->tools;
}

Result<std::shared_ptr<const std::vector<ToolEntry>>> TargetTools::ListEntries() {
  std::optional<Error> error;
  auto snap = WaitForFirstDiscovery(&error);
  if (!snap) {
    return *error;
  }
  return snap->entries;
}

void TargetTools::NotifyListChanged() {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    notify = list_changed_;
  }
  if (notify) {
    notify();
  }
}

Result<std::shared_ptr<const ToolEntry>> TargetTools::Find(const std::string& tool) {
  std::optional<Error> error;
  auto snap = WaitForFirstDiscovery(&error);
  if (!snap) {
    return *error;
  }
  auto it = snap->by_name.find(tool);
  if (it == snap->by_name.end()) {
    return Error::NotFound("Unknown tool: " + tool);
  }
  return std::shared_ptr<const ToolEntry>(snap, it->second);  // shares the snapshot's ownership
}

std::shared_ptr<const ToolEntry> TargetTools::Peek(const std::string& tool) const {
  std::lock_guard lock(mu_);
  if (!snapshot_) {
    return nullptr;
  }
  auto it = snapshot_->by_name.find(tool);
  return it == snapshot_->by_name.end() ? nullptr : std::shared_ptr<const ToolEntry>(snapshot_, it->second);
}

}  // namespace lmcp::catalog
