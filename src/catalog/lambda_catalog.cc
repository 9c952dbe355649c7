#include "catalog/lambda_catalog.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "catalog/result_mapping.h"
#include "common/json.h"
#include "common/log_text.h"

namespace lmcp::catalog {
namespace {

spdlog::logger& Log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("catalog")) return existing;
    auto l = spdlog::stderr_color_mt("catalog");  // never stdout: it carries the protocol in stdio mode
    return l;
  }();
  return *logger;
}

mcp::ToolResult ErrorText(std::string text) {
  mcp::ToolResult r;
  r.content = mcp::Json::array({mcp::Json{{"type", "text"}, {"text", std::move(text)}}});
  r.is_error = true;
  return r;
}

// The audit outcome of a call whose result does not reach the client: `cancelled` by the client,
// `abandoned` at server shutdown (the client was told the function may have run), `client_gone` when the
// transport could no longer deliver it. Null when the result is delivered.
const char* UndeliveredOutcome(mcp::CallFate fate) {
  switch (fate) {
    case mcp::CallFate::kCancelled:
      return "cancelled";
    case mcp::CallFate::kAbandoned:
      return "abandoned";
    case mcp::CallFate::kClientGone:
      return "client_gone";
    case mcp::CallFate::kDeliver:
      break;
  }
  return nullptr;
}

// The context of a call that never ran: Audit() reads only its principal.
class NotRunContext final : public mcp::CallContext {
 public:
  explicit NotRunContext(const std::string& principal) : principal_(principal) {}
  std::stop_token stop_token() const override { return {}; }
  void Progress(double, std::optional<double>, std::string) override {}
  void Log(mcp::LogLevel, const mcp::Json&, std::string) override {}
  const std::string& protocol_version() const override { return version_; }
  const std::string& principal() const override { return principal_; }
  Result<mcp::Json> RequestClient(const std::string&, const mcp::Json&) override {
    return Error::FailedPrecondition("the call never ran");
  }

 private:
  const std::string& principal_;
  std::string version_;
};

}  // namespace

LambdaCatalog::LambdaCatalog(CatalogOptions options, LambdaBackend& backend, Clock& clock, AuditSink* audit)
    : options_(std::move(options)), backend_(backend), clock_(clock), audit_(audit) {}

LambdaCatalog::~LambdaCatalog() {
  for (auto* t : {&thread_, &progress_thread_}) {
    if (t->joinable()) {
      t->request_stop();
      t->join();
    }
  }
}

void LambdaCatalog::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
  if (options_.progress_interval.count() > 0) {
    progress_thread_ = std::jthread([this](std::stop_token stop) { ProgressLoop(stop); });
  }
}

void LambdaCatalog::ProgressLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    WaitFor(options_.progress_interval, stop);
    if (stop.stop_requested()) return;
    std::lock_guard lock(progress_mu_);
    const auto now = clock_.Steady();
    for (auto& [id, w] : waiting_) {
      double elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - w.start).count() / 1000.0;
      if (elapsed <= 0) continue;
      w.ctx->Progress(elapsed, static_cast<double>(w.timeout_seconds),
                      "waiting for Lambda function " + w.function + " (" +
                          std::to_string(static_cast<int>(elapsed)) + " s of at most " +
                          std::to_string(w.timeout_seconds) + " s)");
    }
  }
}

void LambdaCatalog::SetListChangedCallback(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  list_changed_ = std::move(callback);
}

std::shared_ptr<const std::vector<ToolEntry>> LambdaCatalog::entries() const {
  std::lock_guard lock(mu_);
  return snapshot_ ? snapshot_->entries : nullptr;
}

int LambdaCatalog::discovery_attempts() const {
  std::lock_guard lock(mu_);
  return attempts_;
}

Status LambdaCatalog::DiscoverNow() { return RunOnce(); }

Status LambdaCatalog::RunOnce() {
  auto result = Discover(options_, backend_);
  std::function<void()> notify;
  Status status;
  {
    std::lock_guard lock(mu_);
    ++attempts_;
    if (!result.ok()) {
      last_error_ = result.error();
      status = result.error();
    } else {
      const DiscoveryResult& d = result.value();
      bool changed = !snapshot_ || !SameTools(*snapshot_->entries, d.tools);
      bool had_outcome = first_attempt_done_;
      if (changed) {
        auto snap = std::make_shared<Snapshot>();
        auto entries = std::make_shared<std::vector<ToolEntry>>(d.tools);
        auto tools = std::make_shared<std::vector<mcp::ToolDefinition>>();
        for (const auto& e : *entries) {
          tools->push_back(e.definition);
          snap->by_name[e.definition.name] = &e;
        }
        snap->entries = std::move(entries);
        snap->tools = std::move(tools);
        snapshot_ = std::move(snap);
        if (had_outcome) notify = list_changed_;
      }
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
  if (notify) notify();
  return status;
}

void LambdaCatalog::WaitFor(std::chrono::nanoseconds d, std::stop_token stop) {
  const auto deadline = clock_.Steady() + d;
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  while (!stop.stop_requested() && clock_.Steady() < deadline) {
    auto remaining = deadline - clock_.Steady();
    auto step = std::min<std::chrono::nanoseconds>(remaining, std::chrono::milliseconds(20));
    cv.wait_for(lock, stop, step, [] { return false; });
  }
}

void LambdaCatalog::Loop(std::stop_token stop) {
  int failures = 0;
  while (!stop.stop_requested()) {
    Status s = RunOnce();
    std::chrono::nanoseconds wait;
    if (s.ok()) {
      failures = 0;
      if (options_.refresh_interval.count() == 0) {
        // No periodic refresh: sleep until stopped.
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        cv.wait(lock, stop, [] { return false; });
        return;
      }
      wait = options_.refresh_interval;
    } else {
      ++failures;
      auto backoff = std::chrono::seconds(1) * (1LL << std::min(failures - 1, 6));
      wait = std::min<std::chrono::nanoseconds>(backoff, std::chrono::seconds(60));
      Log().info("retrying discovery in {} s",
                 std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    }
    WaitFor(wait, stop);
  }
}

std::shared_ptr<const LambdaCatalog::Snapshot> LambdaCatalog::WaitForFirstDiscovery(
    std::optional<Error>* error) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, options_.discovery_wait, [&] { return first_attempt_done_; });
  if (snapshot_) return snapshot_;
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

Result<mcp::ToolList> LambdaCatalog::ListTools() {
  std::optional<Error> error;
  auto snap = WaitForFirstDiscovery(&error);
  if (!snap) return *error;
  return snap->tools;
}

bool LambdaCatalog::AcquireSlot(const std::string& arn, std::stop_token stop) {
  if (options_.max_concurrency_per_function <= 0) return true;
  std::unique_lock lock(slots_mu_);
  bool ok =
      slots_cv_.wait(lock, stop, [&] { return in_flight_[arn] < options_.max_concurrency_per_function; });
  if (ok) ++in_flight_[arn];
  return ok;
}

void LambdaCatalog::ReleaseSlot(const std::string& arn) {
  if (options_.max_concurrency_per_function <= 0) return;
  {
    std::lock_guard lock(slots_mu_);
    --in_flight_[arn];
  }
  slots_cv_.notify_all();
}

void LambdaCatalog::Audit(const ToolEntry* entry, const std::string& tool, const mcp::CallContext& ctx,
                          const std::string& outcome, Clock::SteadyTime start, std::size_t request_bytes,
                          const std::string& args_hmac, const InvokeResponse* resp,
                          const std::string& detail) {
  if (!audit_) return;
  auto now = clock_.Now();
  auto ms = std::chrono::duration_cast<std::chrono::microseconds>(clock_.Steady() - start).count() / 1000.0;
  auto secs = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t t = static_cast<std::time_t>(secs / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(secs % 1000));
  mcp::Json line = {{"time", buf}, {"event", "tools/call"}, {"tool", tool}, {"principal", ctx.principal()}};
  if (entry) {
    line["function_arn"] = entry->function.arn;
    line["qualifier"] = entry->qualifier;
  }
  line["outcome"] = outcome;
  line["duration_ms"] = ms;
  line["request_bytes"] = request_bytes;
  line["arguments_hmac"] = args_hmac;
  if (resp) {
    line["response_bytes"] = resp->payload.size();
    line["executed_version"] = resp->executed_version;
    line["request_id"] = resp->request_id;
    if (!resp->function_error.empty()) line["function_error"] = resp->function_error;
  }
  if (!detail.empty()) line["detail"] = detail;
  audit_->Write(line.dump(-1, ' ', false, mcp::Json::error_handler_t::replace));
}

void LambdaCatalog::CallNotInvoked(const std::string& name, const mcp::Json& arguments,
                                   const std::string& principal, NotInvoked why, const std::string& detail) {
  const char* outcome = "not_started";
  switch (why) {
    case NotInvoked::kRefused:
      outcome = "refused";
      break;
    case NotInvoked::kQueueTimeout:
      outcome = "queue_timeout";
      break;
    case NotInvoked::kCancelled:
      outcome = "cancelled";
      break;
    case NotInvoked::kClientGone:
      outcome = "client_gone";
      break;
    case NotInvoked::kShutdown:
      outcome = "not_started";
      break;
  }
  const ToolEntry* entry = nullptr;
  std::shared_ptr<const Snapshot> snap;
  {
    std::lock_guard lock(mu_);
    snap = snapshot_;
  }
  if (snap) {
    auto it = snap->by_name.find(name);
    entry = it != snap->by_name.end() ? it->second : nullptr;
  }
  const std::string args_text = arguments.dump(-1, ' ', false, mcp::Json::error_handler_t::replace);
  NotRunContext ctx(principal);
  Audit(entry, name, ctx, outcome, clock_.Steady(), args_text.size(),
        audit_ ? audit_->ArgumentsHmac(args_text) : std::string(), nullptr,
        detail + "; the function was not invoked");
}

Result<mcp::ToolResult> LambdaCatalog::CallTool(const std::string& name, mcp::Json arguments,
                                                mcp::CallContext& ctx) {
  const auto start = clock_.Steady();
  std::optional<Error> error;
  auto snap = WaitForFirstDiscovery(&error);
  if (!snap) return *error;
  auto it = snap->by_name.find(name);
  if (it == snap->by_name.end()) return Error::NotFound("Unknown tool: " + name);
  const ToolEntry& entry = *it->second;
  const bool compat = options_.compat == CompatMode::kReference;
  auto dump = [](const mcp::Json& value) {
    return value.dump(-1, ' ', false, mcp::Json::error_handler_t::replace);
  };
  // The client's arguments as text, serialized once: hashed for the audit line and, unless compat mode picks
  // a member of them, sent as the event itself.
  std::string args_text = dump(arguments);
  const std::string args_hmac = audit_ ? audit_->ArgumentsHmac(args_text) : std::string();
  const std::size_t args_bytes = args_text.size();

  ResultContext rc;
  rc.tool = name;
  rc.function = entry.function.name;
  rc.function_arn = entry.function.arn;
  rc.qualifier = entry.qualifier;
  rc.protocol_version = ctx.protocol_version();
  rc.max_text_bytes = options_.max_result_bytes;
  rc.compat_reference = compat;

  auto reject = [&](std::string text, const std::string& outcome) -> Result<mcp::ToolResult> {
    Audit(&entry, name, ctx, outcome, start, args_bytes, args_hmac, nullptr, "");
    return ErrorText(std::move(text));
  };

  // The event: the arguments themselves, or (compat) their "parameters" member. Referred to, not copied.
  static const mcp::Json kEmptyObject = mcp::Json::object();
  const mcp::Json* event = arguments.is_null() ? &kEmptyObject : &arguments;
  mcp::Json parsed_parameters;  // compat: "parameters" given as a JSON string
  if (!event->is_object()) {
    return reject("Tool arguments must be a JSON object.", "invalid_arguments");
  }
  if (compat) {
    auto p = event->find("parameters");
    if (p == event->end()) {
      return reject("Error executing tool " + name +
                        ": 1 validation error for lambda_functionArguments\nparameters\n  Field required "
                        "[type=missing, input_type=dict]",
                    "invalid_arguments");
    }
    event = &*p;
    if (event->is_string()) {
      auto parsed = ParseJson(event->get_ref<const std::string&>());
      if (parsed.ok()) {
        parsed_parameters = std::move(parsed).value();
      }
      event = &parsed_parameters;
    }
    if (!event->is_object()) {
      return reject("Error executing tool " + name +
                        ": 1 validation error for lambda_functionArguments\nparameters\n  Input should be a "
                        "valid dictionary [type=dict_type]",
                    "invalid_arguments");
    }
  }
  if (options_.validate_arguments && entry.validator) {
    auto problems = entry.validator->Validate(*event);
    if (!problems.empty()) {
      std::string text = "Invalid arguments for tool " + name + " (the function was not invoked):";
      for (const auto& p : problems) text += "\n- " + p;
      return reject(text, "invalid_arguments");
    }
  }
  InvokeRequest req;
  req.function = entry.function.arn;
  req.qualifier = entry.qualifier;
  req.payload = event == &arguments ? std::move(args_text) : dump(*event);
  // From here on only the text is needed: free the arguments' value now, not after the function returns.
  event = nullptr;
  arguments = mcp::Json();
  parsed_parameters = mcp::Json();
  req.log_tail = options_.log_tail;
  req.read_timeout = options_.invoke_timeout.count() > 0
                         ? std::chrono::milliseconds(options_.invoke_timeout)
                         : std::chrono::milliseconds(std::chrono::seconds(entry.function.timeout_seconds) +
                                                     options_.invoke_timeout_margin);
  rc.timeout_seconds =
      static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(req.read_timeout).count());
  const std::size_t request_bytes = req.payload.size();
  if (request_bytes > kMaxInvokePayloadBytes) {
    return reject("The arguments are " + std::to_string(request_bytes) +
                      " bytes as JSON, over Lambda's 6 MB (6291456 bytes) limit for synchronous invocation; "
                      "the function was not invoked.",
                  "too_large");
  }

  auto stop = ctx.stop_token();
  if (!AcquireSlot(entry.function.arn, stop)) {
    const char* undelivered = UndeliveredOutcome(ctx.fate());
    Audit(&entry, name, ctx, undelivered ? undelivered : "cancelled", start, request_bytes, args_hmac,
          nullptr, "stopped while waiting for a per-function concurrency slot; the function was not invoked");
    return Error::Cancelled("call cancelled while queued");
  }
  ctx.Log(mcp::LogLevel::kDebug, mcp::Json("Invoking " + entry.function.name +
                                           (entry.qualifier.empty() ? "" : ":" + entry.qualifier)));
  std::uint64_t waiting_id;
  {
    std::lock_guard lock(progress_mu_);
    waiting_id = next_waiting_id_++;
    waiting_[waiting_id] = {&ctx, clock_.Steady(), rc.timeout_seconds, entry.function.name};
  }
  auto resp = backend_.Invoke(std::move(req), stop);
  {
    std::lock_guard lock(progress_mu_);
    waiting_.erase(waiting_id);
  }
  ReleaseSlot(entry.function.arn);

  // A result the client will not get is audited as such (the session decides; see mcp::CallFate), with
  // what the invocation itself came to in `detail`.
  const char* undelivered = UndeliveredOutcome(ctx.fate());
  auto audit = [&](const std::string& outcome, const InvokeResponse* r, const std::string& detail) {
    if (undelivered == nullptr || outcome == undelivered) {
      Audit(&entry, name, ctx, outcome, start, request_bytes, args_hmac, r, detail);
      return;
    }
    Audit(&entry, name, ctx, undelivered, start, request_bytes, args_hmac, r,
          "result not delivered; the invocation ended " + outcome + (detail.empty() ? "" : ": " + detail));
  };
  if (!resp.ok()) {
    const Error& e = resp.error();
    if (e.code == ErrorCode::kCancelled || stop.stop_requested()) {
      Audit(&entry, name, ctx, undelivered ? undelivered : "cancelled", start, request_bytes, args_hmac,
            nullptr, e.message);
      return Error::Cancelled("call cancelled");
    }
    audit(e.code == ErrorCode::kTimeout ? "timeout" : "error", nullptr, e.message);
    return MapInvokeError(e, rc);
  }
  audit(resp->function_error.empty() ? "ok" : "function_error", &resp.value(), "");
  return MapInvokeResponse(std::move(resp).value(), rc);
}

}  // namespace lmcp::catalog
