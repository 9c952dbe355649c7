#include "catalog/discovered_tools.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/log_text.h"

namespace lmcp::catalog {
namespace {

spdlog::logger& Log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("catalog")) {
      return existing;
    }
    return spdlog::stderr_color_mt("catalog");  // never stdout: it carries the protocol in stdio mode
  }();
  return *logger;
}

}  // namespace

DiscoveredTools::DiscoveredTools(const CatalogOptions& options, LambdaBackend& backend, Clock& clock)
    : options_(options), backend_(backend), clock_(clock) {}

DiscoveredTools::~DiscoveredTools() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void DiscoveredTools::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void DiscoveredTools::SetListChangedCallback(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  list_changed_ = std::move(callback);
}

std::shared_ptr<const std::vector<ToolEntry>> DiscoveredTools::entries() const {
  std::lock_guard lock(mu_);
  return snapshot_ ? snapshot_->entries : nullptr;
}

int DiscoveredTools::attempts() const {
  std::lock_guard lock(mu_);
  return attempts_;
}

int DiscoveredTools::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

bool DiscoveredTools::Ready() const {
  std::lock_guard lock(mu_);
  return snapshot_ != nullptr;
}

Status DiscoveredTools::DiscoverNow() { return RunOnce(); }

// Under mu_. Swaps in a new snapshot when the tool set changed; `notify` gets the list-changed callback
// when that is not the first outcome.
void DiscoveredTools::Publish(const DiscoveryResult& d, std::function<void()>* notify) {
  // Sorted by tool name: tools/list is the same for every caller and every replica, whatever order
  // ListFunctions pages arrive in (MCP 2026-07-28: deterministic lists, cacheable by anyone).
  auto entries = std::make_shared<std::vector<ToolEntry>>(d.tools);
  std::sort(entries->begin(), entries->end(),
            [](const ToolEntry& a, const ToolEntry& b) { return a.definition.name < b.definition.name; });
  if (snapshot_ && SameTools(*snapshot_->entries, *entries)) {
    return;
  }
  auto snap = std::make_shared<Snapshot>();
  auto tools = std::make_shared<std::vector<mcp::ToolDefinition>>();
  for (const auto& e : *entries) {
    tools->push_back(e.definition);
    snap->by_name[e.definition.name] = &e;
  }
  snap->entries = std::move(entries);
  snap->tools = std::move(tools);
  snapshot_ = std::move(snap);
  if (first_attempt_done_) {
    *notify = list_changed_;
  }
}

Status DiscoveredTools::RunOnce() {
  auto result = Discover(options_, backend_);
  std::function<void()> notify;
  Status status;
  {
    std::lock_guard lock(mu_);
    ++attempts_;
    if (!result.ok()) {
      last_error_ = result.error();
      status = result.error();
      ++failures_;
    } else {
      Publish(result.value(), &notify);
      last_error_.reset();
    }
    first_attempt_done_ = true;
  }
  cv_.notify_all();
  if (result.ok()) {
    for (const auto& w : result->warnings) {
      Log().warn("{}", ForLog(w, 1000));
    }
    for (const auto& i : result->infos) {
      Log().info("{}", ForLog(i, 1000));
    }
    Log().info("discovery: {} tool(s) from {} function(s){}", result->tools.size(), result->functions_listed,
               result->used_list_tags_fallback ? " (tags via lambda:ListTags)" : "");
  } else {
    Log().error("Lambda discovery failed: {}", ForLog(result.error().message, 1000));
  }
  if (notify) {
    notify();
  }
  return status;
}

void DiscoveredTools::Loop(std::stop_token stop) {
  int failures = 0;
  std::mutex m;
  std::condition_variable_any cv;  // nothing notifies it: waits end on the clock or on stop
  while (!stop.stop_requested()) {
    Status s = RunOnce();
    Clock::Duration wait;
    if (s.ok()) {
      failures = 0;
      if (options_.refresh_interval.count() == 0) {
        std::unique_lock lock(m);
        cv.wait(lock, stop, [] { return false; });  // no periodic refresh: until stopped
        return;
      }
      wait = options_.refresh_interval;
    } else {
      ++failures;
      auto backoff = std::chrono::seconds(1) * (1LL << std::min(failures - 1, 6));
      wait = std::min<Clock::Duration>(backoff, std::chrono::seconds(60));
      Log().info("retrying discovery in {} s",
                 std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    }
    std::unique_lock lock(m);
    clock_.WaitUntil(lock, cv, clock_.Steady() + wait, stop, [] { return false; });
  }
}

std::shared_ptr<const DiscoveredTools::Snapshot> DiscoveredTools::WaitForFirstDiscovery(
    std::optional<Error>* error) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, options_.discovery_wait, [&] { return first_attempt_done_; });
  if (snapshot_) {
    return snapshot_;
  }
  if (last_error_) {
    *error = Error{last_error_->code,
                   "Lambda function discovery failed: " + last_error_->message +
                       " Discovery is retried in the background; the tool list will be sent again "
                       "(notifications/tools/list_changed) once it succeeds."};
  } else {
    *error = Error::Unavailable("Lambda function discovery has not finished after " +
                                std::to_string(options_.discovery_wait.count()) +
                                " s (slow or unreachable AWS endpoint?); try again shortly.");
  }
  return nullptr;
}

Result<mcp::ToolList> DiscoveredTools::List() {
  std::optional<Error> error;
  auto snap = WaitForFirstDiscovery(&error);
  if (!snap) {
    return *error;
  }
  return snap->tools;
}

Result<std::shared_ptr<const ToolEntry>> DiscoveredTools::Find(const std::string& tool) {
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

std::shared_ptr<const ToolEntry> DiscoveredTools::Peek(const std::string& tool) const {
  std::lock_guard lock(mu_);
  if (!snapshot_) {
    return nullptr;
  }
  auto it = snapshot_->by_name.find(tool);
  return it == snapshot_->by_name.end() ? nullptr : std::shared_ptr<const ToolEntry>(snapshot_, it->second);
}

}  // namespace lmcp::catalog
