#include "catalog/keep_warm.h"

#include <fnmatch.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "catalog/call/record_metrics.h"
#include "common/log_text.h"
#include "common/strings.h"

namespace lmcp::catalog {
namespace {

spdlog::logger& Log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("keep-warm")) {
      return existing;
    }
    return spdlog::stderr_color_mt("keep-warm");  // never stdout: it carries the protocol in stdio mode
  }();
  return *logger;
}

// "90", "90s", "5m", "1h" → seconds; nullopt when malformed.
std::optional<std::chrono::seconds> ParseDuration(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  long unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 's':
      digits.pop_back();
      break;
    case 'm':
      unit = 60;
      digits.pop_back();
      break;
    case 'h':
      unit = 3600;
      digits.pop_back();
      break;
    default:
      break;
  }
  if (digits.empty() || digits.size() > 7 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::chrono::seconds(std::stol(digits) * unit);
}

bool Matches(const std::string& glob, const ToolEntry& e) {
  const std::string& subject = glob.starts_with("arn:") ? e.function.arn : e.function.name;
  return fnmatch(glob.c_str(), subject.c_str(), 0) == 0;
}

Clock::Duration Scale(Clock::Duration d, double factor) {
  return std::chrono::duration_cast<Clock::Duration>(
      std::chrono::duration<double, std::nano>(static_cast<double>(d.count()) * factor));
}

}  // namespace

std::vector<std::string> KeepWarmProblems(const KeepWarmOptions& o) {
  std::vector<std::string> problems;
  if (!(o.jitter >= 0 && o.jitter <= 1)) {
    problems.push_back("keep_warm jitter must be between 0 and 1");
  }
  if (o.max_concurrency < 1) {
    problems.push_back("keep_warm max concurrency must be at least 1");
  }
  if (o.payload.empty() || !mcp::Json::accept(o.payload)) {
    problems.push_back("keep_warm payload must be JSON text");
  }
  for (size_t i = 0; i < o.rules.size(); ++i) {
    const auto& r = o.rules[i];
    const std::string at = "keep_warm[" + std::to_string(i) + "]";
    if (r.function.empty()) {
      problems.push_back(at + ".function is empty (a function name glob)");
    }
    if (r.every < o.min_every) {
      problems.push_back(at + ".every must be at least " + std::to_string(o.min_every.count()) + " s");
    }
    if (r.concurrency < 1 || r.concurrency > o.max_concurrency) {
      problems.push_back(at + ".concurrency must be 1.." + std::to_string(o.max_concurrency));
    }
  }
  return problems;
}

Result<KeepWarmPlan> ParseKeepWarmTag(const std::string& value) {
  const std::string v(Trim(value));
  auto slash = v.find('/');
  auto every = ParseDuration(v.substr(0, slash));
  if (!every || every->count() <= 0) {
    return Error::InvalidArgument("keep-warm tag \"" + ForLog(v, 40) +
                                  "\" is not an interval such as 5m, 90s or 1h (optionally /N concurrent)");
  }
  KeepWarmPlan plan{*every, 1};
  if (slash != std::string::npos) {
    const std::string n = v.substr(slash + 1);
    if (n.empty() || n.size() > 3 ||
        !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) || std::stoi(n) < 1) {
      return Error::InvalidArgument("keep-warm tag \"" + ForLog(v, 40) +
                                    "\": the concurrency after / must be 1 or more");
    }
    plan.concurrency = std::stoi(n);
  }
  return plan;
}

Result<std::optional<KeepWarmPlan>> PlanFor(const KeepWarmOptions& o, const ToolEntry& entry) {
  std::optional<KeepWarmPlan> plan;
  if (!o.tag_key.empty()) {
    if (auto it = entry.tags.find(o.tag_key); it != entry.tags.end()) {
      auto parsed = ParseKeepWarmTag(it->second);
      if (!parsed.ok()) {
        return parsed.error();
      }
      plan = *parsed;
    }
  }
  if (!plan) {
    for (const auto& r : o.rules) {
      if (Matches(r.function, entry)) {
        plan = KeepWarmPlan{r.every, r.concurrency};
        break;
      }
    }
  }
  if (plan) {
    if (plan->every < o.min_every) {
      return Error::InvalidArgument("keep-warm interval " + std::to_string(plan->every.count()) +
                                    " s is below the minimum of " + std::to_string(o.min_every.count()) +
                                    " s");
    }
    plan->concurrency = std::clamp(plan->concurrency, 1, o.max_concurrency);
  }
  return plan;
}

Clock::Duration FirstPingDelay(Clock::Duration every, double jitter, double u) {
  return Scale(every, jitter * u);
}

Clock::Duration NextPingInterval(Clock::Duration every, double jitter, double u) {
  return every + Scale(every, jitter * u);
}

KeepWarm::KeepWarm(KeepWarmOptions options, Entries entries, LambdaBackend* fallback, Clock& clock,
                   metrics::Registry* metrics, IsOpen is_open, Random random)
    : options_(std::move(options)),
      entries_(std::move(entries)),
      fallback_(fallback),
      clock_(clock),
      is_open_(std::move(is_open)),
      random_(std::move(random)) {
  if (!random_) {
    random_ = [gen = std::make_shared<std::mt19937_64>(std::random_device{}())] {
      return std::uniform_real_distribution<double>(0.0, 1.0)(*gen);
    };
  }
  if (metrics) {
    pings_metric_ = &metrics->AddCounter(
        "lambda_mcp_keep_warm_pings_total",
        "Keep-warm pings by function and outcome (ok, function_error, throttled, timeout, error, "
        "skipped_breaker_open); never tool calls.",
        {"function", "outcome"});
  }
}

KeepWarm::~KeepWarm() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void KeepWarm::Start() {
  if (!options_.enabled) {
    return;
  }
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

// Under mu_. Adds newly discovered functions (first ping within every × jitter), updates changed plans,
// drops functions no longer listed or no longer kept warm.
void KeepWarm::Refresh(Clock::SteadyTime now) {
  auto entries = entries_();
  if (!entries || entries == snapshot_) {
    return;
  }
  snapshot_ = entries;
  std::map<std::string, Scheduled> next;
  for (const ToolEntry& e : *entries) {
    const std::string key = e.function.arn + ":" + e.qualifier;
    if (next.count(key)) {
      continue;  // two tools, one function
    }
    auto plan = PlanFor(options_, e);
    if (!plan.ok()) {
      if (warned_[key] != plan.error().message) {
        warned_[key] = plan.error().message;
        Log().warn("{}: {}; not kept warm", ForLog(e.function.name), ForLog(plan.error().message));
      }
      continue;
    }
    if (!*plan) {
      continue;
    }
    Scheduled s{std::string(TargetOf(e)),   e.function.name, e.function.arn, e.qualifier,
                e.function.timeout_seconds, e.backend,       **plan,         {}};
    auto old = schedule_.find(key);
    if (old != schedule_.end() && old->second.plan.every == s.plan.every) {
      s.due = old->second.due;
    } else {
      s.due = now + FirstPingDelay(s.plan.every, options_.jitter, random_());
      Log().info("keeping {}{} warm: every {} s, {} concurrent", ForLog(s.function),
                 s.qualifier.empty() ? "" : ":" + ForLog(s.qualifier), s.plan.every.count(),
                 s.plan.concurrency);
    }
    next.emplace(key, std::move(s));
  }
  schedule_ = std::move(next);
}

Clock::SteadyTime KeepWarm::RunDue(std::stop_token stop) {
  std::lock_guard lock(mu_);
  const auto now = clock_.Steady();
  Refresh(now);
  std::vector<Ping> due;
  for (auto& [key, s] : schedule_) {
    if (s.due > now) {
      continue;
    }
    // The next one counts from this one's start: never more often than `every`.
    s.due = now + NextPingInterval(s.plan.every, options_.jitter, random_());
    if (is_open_ && is_open_(s.target, s.function, s.qualifier)) {
      skipped_.Add();
      if (pings_metric_) {
        pings_metric_->WithLabels({s.function, "skipped_breaker_open"}).Inc();
      }
      Log().info("{}: breaker open, keep-warm ping skipped", ForLog(s.function));
      continue;
    }
    due.push_back({&s, s.plan.concurrency});
  }
  PingAll(due, stop);
  // Before the first discovery, look again soon; afterwards new tools are picked up at each rescan.
  auto wake = now + (snapshot_ ? options_.rescan
                               : std::min<Clock::Duration>(options_.rescan, std::chrono::seconds(1)));
  for (const auto& [key, s] : schedule_) {
    wake = std::min(wake, s.due);
  }
  return wake;
}

// Every copy of every due ping at once (N copies keep N instances busy together, so Lambda warms N).
void KeepWarm::PingAll(const std::vector<Ping>& pings, std::stop_token stop) {
  std::vector<std::jthread> threads;
  for (const Ping& p : pings) {
    for (int i = 0; i < p.copies; ++i) {
      threads.emplace_back([this, what = p.what, stop] { PingOnce(*what, stop); });
    }
  }
  // jthreads join here; their stop tokens are not used: `stop` (the scheduler's) cancels the Invokes.
}

void KeepWarm::PingOnce(const Scheduled& s, std::stop_token stop) {
  InvokeRequest request;
  request.function = s.arn;
  request.qualifier = s.qualifier;
  request.payload = options_.payload;
  request.read_timeout = std::chrono::seconds(s.timeout_seconds + 10);
  LambdaBackend* backend = s.backend ? s.backend.get() : fallback_;
  if (backend == nullptr) {
    return;  // an entry without a backend and no fallback: nothing to invoke through
  }
  auto response = backend->Invoke(std::move(request), stop);
  pings_.Add();
  std::string outcome = "ok";
  if (!response.ok()) {
    const Error& e = response.error();
    if (e.code == ErrorCode::kCancelled || stop.stop_requested()) {
      return;  // shutting down
    }
    outcome = e.code == ErrorCode::kResourceExhausted ? "throttled"
              : e.code == ErrorCode::kTimeout         ? "timeout"
                                                      : "error";
    failed_.Add();
    Log().warn("{}: keep-warm ping failed: {}", ForLog(s.function), ForLog(e.message, 300));
  } else if (!response->function_error.empty()) {
    outcome = "function_error";
    Log().debug(
        "{}: keep-warm ping answered with a function error (the handler may not expect the "
        "keep-warm payload)",
        ForLog(s.function));
  } else {
    Log().debug("{}: keep-warm ping ok", ForLog(s.function));
  }
  if (pings_metric_) {
    pings_metric_->WithLabels({s.function, outcome}).Inc();
  }
}

void KeepWarm::Loop(std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any cv;  // nothing notifies it: waits end on the clock or on stop
  while (!stop.stop_requested()) {
    auto wake = RunDue(stop);
    std::unique_lock lock(m);
    clock_.WaitUntil(lock, cv, wake, stop, [] { return false; });
  }
}

}  // namespace lmcp::catalog
