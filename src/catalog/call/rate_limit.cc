#include "catalog/call/rate_limit.h"

#include <fnmatch.h>
#include <spdlog/spdlog.h>

#include "common/log_text.h"

namespace lmcp::catalog {
namespace {

constexpr std::string_view kLimitNames[] = {
    "global", "per-principal", "per-target", "per-tool", "concurrent-per-principal", "concurrent-per-tool"};
constexpr std::string_view kCounterNames[] = {"refused_global",
                                              "refused_per_principal",
                                              "refused_per_target",
                                              "refused_per_tool",
                                              "refused_concurrent_per_principal",
                                              "refused_concurrent_per_tool"};

const Rate* FirstMatch(const std::vector<GlobRate>& rules, const std::string& name) {
  for (const GlobRate& rule : rules) {
    if (fnmatch(rule.glob.c_str(), name.c_str(), 0) == 0) {
      return &rule.rate;
    }
  }
  return nullptr;
}

// Bucket keys: a kind, a unit separator, the name (names never hold control characters that matter here:
// the separator only keeps "principal x" and "tool x" apart).
std::string Key(std::string_view kind, std::string_view name) {
  std::string key;
  key.reserve(kind.size() + 1 + name.size());
  key.append(kind).append(1, '\x1f').append(name);
  return key;
}

}  // namespace

std::string RateLimitMessage(std::string_view limit, const Rate& rate, Clock::Duration retry_after) {
  return "rate limit '" + std::string(limit) + "' (" + rate.ToString() + ") reached; retry in " +
         RetryAfterSeconds(retry_after) + " s";
}

RateLimiter::RateLimiter(RateLimitOptions options, Clock& clock, std::shared_ptr<RateLimitStore> store)
    : options_(std::move(options)), clock_(clock), store_(std::move(store)) {
  if (!store_) {
    store_ = std::make_shared<InMemoryRateLimitStore>();
  }
}

StageCounters RateLimiter::counters() const {
  StageCounters c{{"allowed", allowed_.value()}};
  for (int i = 0; i < kLimits; ++i) {
    c.emplace_back(kCounterNames[i], refused_[i].value());
  }
  c.emplace_back("lambda_throttled", lambda_throttled_.value());
  c.emplace_back("bad_tags", bad_tags_.value());
  c.emplace_back("store_errors", store_errors_.value());
  return c;
}

Rate RateLimiter::ToolRate(const ToolEntry& entry) const {
  if (options_.tool_tags) {
    if (auto tag = entry.tags.find(std::string(kRateLimitTag)); tag != entry.tags.end()) {
      auto rate = ParseRate(tag->second);
      if (rate.ok()) {
        return *rate;
      }
      if (bad_tags_.value() % 1000 == 0) {  // not once per call
        spdlog::warn("tool {}: ignoring its {} tag: {}", ForLog(entry.definition.name), kRateLimitTag,
                     ForLog(rate.error().message));
      }
      bad_tags_.Add();
    }
  }
  const Rate* configured = FirstMatch(options_.tools, entry.definition.name);
  return configured ? *configured : options_.per_tool;
}

Rate RateLimiter::PrincipalRate(const std::string& principal) const {
  const Rate* configured = FirstMatch(options_.principals, principal);
  return configured ? *configured : options_.per_principal;
}

std::optional<RateLimiter::Limit> RateLimiter::AcquireSlots(const std::string& principal,
                                                            const std::string& tool) {
  const int per_principal = options_.max_concurrent_per_principal;
  const int per_tool = options_.max_concurrent_per_tool;
  if (per_principal <= 0 && per_tool <= 0) {
    return std::nullopt;
  }
  std::lock_guard lock(mu_);
  if (per_principal > 0) {
    auto it = principal_calls_.find(principal);
    if (it != principal_calls_.end() && it->second >= per_principal) {
      return kConcurrentPrincipal;
    }
  }
  if (per_tool > 0) {
    auto it = tool_calls_.find(tool);
    if (it != tool_calls_.end() && it->second >= per_tool) {
      return kConcurrentTool;
    }
  }
  if (per_principal > 0) {
    ++principal_calls_[principal];
  }
  if (per_tool > 0) {
    ++tool_calls_[tool];
  }
  return std::nullopt;
}

void RateLimiter::ReleaseSlots(const std::string& principal, const std::string& tool) {
  auto release = [](std::map<std::string, int>& calls, const std::string& name) {
    auto it = calls.find(name);
    if (it != calls.end() && --it->second <= 0) {
      calls.erase(it);
    }
  };
  std::lock_guard lock(mu_);
  if (options_.max_concurrent_per_principal > 0) {
    release(principal_calls_, principal);
  }
  if (options_.max_concurrent_per_tool > 0) {
    release(tool_calls_, tool);
  }
}

int RateLimiter::in_flight_of_principal(const std::string& principal) const {
  std::lock_guard lock(mu_);
  auto it = principal_calls_.find(principal);
  return it == principal_calls_.end() ? 0 : it->second;
}

int RateLimiter::in_flight_of_tool(const std::string& tool) const {
  std::lock_guard lock(mu_);
  auto it = tool_calls_.find(tool);
  return it == tool_calls_.end() ? 0 : it->second;
}

CallResult RateLimiter::Refuse(LambdaCall& call, Limit limit, std::string message) {
  refused_[limit].Add();
  call.record.outcome = "throttled";
  call.record.detail = message;
  return ErrorResult(message + " (tool " + call.tool + "; the function was not invoked)");
}

Async<CallResult> RateLimiter::Handle(LambdaCall& call, const CallNext& next) {
  const std::string& principal = call.ctx.principal();
  const std::string& tool = call.entry->definition.name;
  if (auto full = AcquireSlots(principal, tool)) {
    const int cap = *full == kConcurrentPrincipal ? options_.max_concurrent_per_principal
                                                  : options_.max_concurrent_per_tool;
    co_return Refuse(call, *full,
                     "concurrency limit '" + std::string(kLimitNames[*full]) + "' (" + std::to_string(cap) +
                         " calls at once) reached; retry when one of them has finished");
  }
  struct Release {
    RateLimiter& self;
    const std::string& principal;
    const std::string& tool;
    ~Release() { self.ReleaseSlots(principal, tool); }
  } release{*this, principal, tool};

  std::vector<BucketRequest> buckets;
  std::vector<Limit> limits;
  auto add = [&](Limit limit, std::string_view kind, std::string_view name, const Rate& rate) {
    if (rate.enabled()) {
      buckets.push_back({Key(kind, name), rate});
      limits.push_back(limit);
    }
  };
  add(kPrincipal, "principal", principal, PrincipalRate(principal));
  add(kTool, "tool", tool, ToolRate(*call.entry));
  add(kTarget, "target", call.entry->target, options_.per_target);
  add(kGlobal, "global", "", options_.global);
  if (!buckets.empty()) {
    TakeOutcome taken = store_->TakeAll(buckets, clock_.Steady());
    if (!taken.store_error.empty()) {
      store_errors_.Add();
      if (!options_.fail_open) {
        call.record.outcome = "throttled";
        call.record.detail = "rate limit store unavailable: " + taken.store_error;
        co_return ErrorResult(
            "the rate limit store is unavailable, so the call was refused; retry later (tool " + call.tool +
            "; the function was not invoked)");
      }
    } else if (!taken.ok()) {
      const Limit limit = limits[taken.denied];
      co_return Refuse(call, limit,
                       RateLimitMessage(kLimitNames[limit], buckets[taken.denied].rate, taken.retry_after));
    }
  }
  allowed_.Add();
  CallResult result = co_await next(call);
  if (call.record.outcome == "throttled") {
    lambda_throttled_.Add();  // Lambda's own TooManyRequestsException (InvokeFunction)
  }
  co_return result;
}

}  // namespace lmcp::catalog
