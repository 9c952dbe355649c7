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

DiscoveredTools::DiscoveredTools(TargetOptions target, const CatalogOptions& settings,
                                 Result<std::shared_ptr<LambdaBackend>> backend, Clock& clock,
                                 std::function<void()> on_pass)
    : target_(std::move(target)),
      settings_(settings),
      backend_(std::move(backend)),
      clock_(clock),
      on_pass_(std::move(on_pass)) {
  status_.name = target_.name;
}

DiscoveredTools::~DiscoveredTools() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void DiscoveredTools::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

std::shared_ptr<const std::vector<ToolEntry>> DiscoveredTools::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

TargetStatus DiscoveredTools::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

Status DiscoveredTools::DiscoverNow() { return RunOnce(); }

Status DiscoveredTools::RunOnce() {
  // Log lines name the target when there are several (the flat setup's one target stays unnamed, as before).
  const std::string who = target_.name == "default" ? "" : "target " + target_.name + ": ";
  Result<DiscoveryResult> result =
      backend_.ok() ? Discover(target_, settings_.compat, **backend_, settings_.task_optional_over)
                    : Result<DiscoveryResult>(backend_.error());
  Status status;
  std::size_t tool_count = 0;
  {
    std::lock_guard lock(mu_);
    ++status_.attempts;
    status_.attempted = true;
    status_.ok = result.ok();
    if (!result.ok()) {
      status_.last_error = result.error().message;
      status_.last_error_code = result.error().code;
      ++status_.failures;
      status = result.error();
    } else {
      // Sorted by tool name: tools/list is the same for every caller and every replica, whatever order
      // ListFunctions pages arrive in (MCP 2026-07-28: deterministic lists, cacheable by anyone).
      auto fresh = std::make_shared<std::vector<ToolEntry>>(std::move(result->tools));
      std::sort(fresh->begin(), fresh->end(),
                [](const ToolEntry& a, const ToolEntry& b) { return a.definition.name < b.definition.name; });
      for (auto& e : *fresh) {
        e.backend = *backend_;
      }
      if (!entries_ || !SameTools(*entries_, *fresh)) {
        entries_ = std::move(fresh);
      }
      status_.tools = entries_->size();
      status_.nothing_selected = result->nothing_selected;
      status_.last_error.clear();
      status_.last_success = clock_.Now();
    }
    tool_count = status_.tools;
  }
  if (result.ok()) {
    for (const auto& w : result->warnings) {
      Log().warn("{}{}", who, ForLog(w, 1000));
    }
    for (const auto& i : result->infos) {
      Log().info("{}{}", who, ForLog(i, 1000));
    }
    Log().info("{}discovery: {} tool(s) from {} function(s){}", who, tool_count, result->functions_listed,
               result->used_list_tags_fallback ? " (tags via lambda:ListTags)" : "");
  } else {
    Log().error("{}Lambda discovery failed: {}", who, ForLog(result.error().message, 1000));
  }
  if (on_pass_) {
    on_pass_();
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
      if (settings_.refresh_interval.count() == 0) {
        std::unique_lock lock(m);
        cv.wait(lock, stop, [] { return false; });  // no periodic refresh: until stopped
        return;
      }
      wait = settings_.refresh_interval;
    } else {
      ++failures;
      auto backoff = std::chrono::seconds(1) * (1LL << std::min(failures - 1, 6));
      wait = std::min<Clock::Duration>(backoff, std::chrono::seconds(60));
      Log().info("retrying discovery{} in {} s",
                 target_.name == "default" ? "" : " of target " + target_.name,
                 std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    }
    std::unique_lock lock(m);
    clock_.WaitUntil(lock, cv, clock_.Steady() + wait, stop, [] { return false; });
  }
}

}  // namespace lmcp::catalog
