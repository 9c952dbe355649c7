#include "mcp/task_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "common/crypto.h"
#include "common/log_text.h"
#include "jsonrpc/message.h"
#include "mcp/protocol.h"
#include "mcp/request_meta.h"
#include "mcp/task_store_memory.h"

namespace lmcp::mcp {

namespace {

constexpr int kMaxInputRounds = 32;  // a tool that keeps asking for input ends failed after this many rounds
constexpr auto kSweepEvery = std::chrono::seconds(30);

Json ErrorJson(const jsonrpc::RpcError& error) {
  Json out{{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) {
    out["data"] = error.data;
  }
  return out;
}

// Moves `r` to the terminal `status` at `now`: what it was waiting for goes, its TTL starts.
void End(TaskRecord& r, TaskStatus status, Clock::WallTime now) {
  r.status = status;
  r.input_requests = nullptr;
  r.resume = nullptr;
  r.updated_at = now;
  r.expires_at = now + r.ttl;
}

SchedulerLimits RunLimits(const TaskOptions& options) {
  size_t running = static_cast<size_t>(std::max(1, options.max_running));
  return {.worker_threads = static_cast<int>(running),
          .max_running = running,
          .max_queued = std::max<size_t>(1, options.store.max_tasks),
          .session_running = 1,  // every round is a "session" of its own
          .session_queued = 1,
          .principal_running =
              std::min(running, static_cast<size_t>(std::max(1, options.max_running_per_principal))),
          .principal_queued = std::max<size_t>(1, options.store.max_tasks_per_owner),
          .queue_timeout = std::chrono::milliseconds(0)};  // a task waits for a worker as long as it takes
}

}  // namespace

// A task that has not ended: what its next round needs. `mu` orders a cancel against a round's start, so
// the cancel knows whether the tool may have run.
struct TaskRunner::Run {
  std::string id;
  TaskRequest request;
  Json input_responses;  // this round's (null: none)
  Json request_state;
  std::mutex mu;
  std::stop_source stop;
  bool started = false;    // a round's tool call began
  int awaiting_round = 0;  // input_required: the round whose answers start the next one (0: none)
  std::atomic<CallFate> fate{CallFate::kDeliver};
};

// The CallContext of a task's round: no session, no progress or log notifications (the extension sends none
// for tasks), no server→client requests (input goes through input_required and tasks/update).
class TaskRunner::Context final : public CallContext {
 public:
  explicit Context(Run& run) : run_(run) {}
  std::stop_token stop_token() const override { return run_.stop.get_token(); }
  CallFate fate() const override { return run_.fate.load(); }
  void Progress(double, std::optional<double>, std::string) override {}
  void Log(LogLevel, const Json&, std::string) override {}
  const std::string& protocol_version() const override { return run_.request.protocol_version; }
  const Identity& identity() const override { return *run_.request.identity; }
  Result<Json> RequestClient(const std::string& method, const Json&) override {
    return Error::FailedPrecondition(method + " cannot be sent from a task: its client may be gone");
  }
  bool stateless() const override { return run_.request.stateless; }
  const Json& request_meta() const override { return run_.request.request_meta; }
  const Json& client_capabilities() const override { return run_.request.client_capabilities; }
  const Json& input_responses() const override { return run_.input_responses; }
  const Json& request_state() const override { return run_.request_state; }
  const std::string& task_id() const override { return run_.id; }

 private:
  Run& run_;
};

TaskRunner::TaskRunner(ToolProvider& provider, const TaskOptions& options, Clock& clock)
    : provider_(provider),
      options_(options),
      clock_(clock),
      owned_store_(options.shared_store ? nullptr
                                        : std::make_unique<InMemoryTaskStore>(options.store, clock)),
      store_(options.shared_store ? *options.shared_store : *owned_store_),
      scheduler_(std::make_unique<CallScheduler>(RunLimits(options), clock)) {
  subscription_ = store_.Subscribe([this](const std::string& id) { OnStoreChange(id); });
}

TaskRunner::~TaskRunner() {
  Shutdown(std::chrono::milliseconds(0));
  store_.Unsubscribe(subscription_);
}

Result<TaskRecord> TaskRunner::Start(TaskRequest request) {
  {
    std::lock_guard lock(mu_);
    if (!accepting_) {
      return Error::Unavailable("the server is shutting down");
    }
  }
  SweepExpired();
  auto random = RandomBytes(16);
  if (!random.ok()) {
    return random.error();
  }
  std::chrono::milliseconds ttl = options_.ttl;
  if (request.requested_ttl) {
    ttl = std::clamp(*request.requested_ttl, std::min(options_.min_ttl, options_.ttl), options_.ttl);
  }
  Clock::WallTime now = clock_.Now();
  TaskRecord record{.id = HexEncode(*random),
                    .owner = request.identity->name,
                    .tool = request.tool,
                    .protocol_version = request.protocol_version,
                    .created_at = now,
                    .updated_at = now,
                    .ttl = ttl,
                    .poll_interval = options_.poll_interval};
  if (auto created = store_.Create(record); !created.ok()) {
    return created.error();
  }
  auto run = std::make_shared<Run>();
  run->id = record.id;
  run->input_responses = std::move(request.input_responses);
  run->request_state = std::move(request.request_state);
  run->request = std::move(request);
  {
    std::lock_guard lock(mu_);
    runs_[run->id] = run;
  }
  if (Status queued = Submit(run); !queued.ok()) {
    ForgetRun(run->id);
    store_.Remove(run->id);
    return queued.error();
  }
  return record;
}

Status TaskRunner::Submit(const std::shared_ptr<Run>& run) {
  std::lock_guard lock(mu_);
  auto job = scheduler_->Submit(
      next_key_++, run->request.identity->name,
      {.expired = [this, run] { RoundOver(); },
       .start = [this, run](CallScheduler::Finished finished) { RunRound(run, std::move(finished)); }});
  if (!job.ok()) {
    return job.error();
  }
  ++rounds_;
  return Ok();
}

void TaskRunner::RoundOver() {
  std::lock_guard lock(mu_);
  --rounds_;
  idle_cv_.notify_all();
}

void TaskRunner::RunRound(const std::shared_ptr<Run>& run, CallScheduler::Finished finished) {
  {
    std::lock_guard lock(run->mu);
    if (run->stop.stop_requested()) {
      finished();
      RoundOver();  // cancelled (or the server stopped) before it started: never invoked
      return;
    }
    run->started = true;
  }
  // Later rounds need the arguments again; only the stateless era has later rounds.
  Json arguments = run->request.stateless ? run->request.arguments : std::move(run->request.arguments);
  lmcp::Start(CallRound(run, std::move(arguments)),
              [this, run, finished = std::move(finished)](Result<ToolResult> result) {
                Finish(run, std::move(result));
                finished();
                RoundOver();
              });
}

Async<Result<ToolResult>> TaskRunner::CallRound(std::shared_ptr<Run> run, Json arguments) {
  Context ctx(*run);  // in this coroutine's frame: valid until the round has ended
  // The runner's one exception conversion, as the session's for plain calls: a tool that throws (a bug)
  // fails its task instead of killing a worker.
  try {
    co_return co_await provider_.CallToolAsync(run->request.tool, std::move(arguments), ctx);
  } catch (const std::exception& e) {
    spdlog::error("mcp: tool {} threw in task {}: {}", ForLog(run->request.tool), run->id,
                  ForLog(e.what(), 1000));
  }
  co_return Error::Internal("tool " + run->request.tool + " failed");
}

void TaskRunner::Finish(const std::shared_ptr<Run>& run, Result<ToolResult> result) {
  if (run->stop.stop_requested()) {
    return;  // cancelled (the record says so) or abandoned at shutdown (Shutdown settles it)
  }
  if (result.ok() && result->input_required && run->request.stateless) {
    AskForInput(run, std::move(*result->input_required));
    return;
  }
  Clock::WallTime now = clock_.Now();
  const std::string& version = run->request.protocol_version;
  (void)Settle(run->id, [&](TaskRecord& r) {
    if (IsTerminal(r.status)) {
      return false;
    }
    if (result.ok()) {
      End(r, TaskStatus::kCompleted, now);
      if (result->input_required) {  // 2025-11-25: input needs the stateless era
        r.result =
            RenderToolResult(ToolResult::Text("Tool " + r.tool +
                                                  " needs input from the user, which needs MCP 2026-07-28; "
                                                  "this task was created over " +
                                                  version,
                                              /*is_error=*/true),
                             version);
      } else {
        r.result = RenderToolResult(std::move(*result), version);
      }
    } else {
      End(r, TaskStatus::kFailed, now);
      r.error = ErrorJson(ToolCallError(r.tool, result.error()));
      r.status_message = r.error.value("message", "");
    }
    return true;
  });
  ForgetRun(run->id);
}

// The round asked for input: the task waits in input_required with wire keys unique over its lifetime.
void TaskRunner::AskForInput(const std::shared_ptr<Run>& run, InputRequired input) {
  Json required = Json::object();
  for (const auto& [key, request] : input.input_requests.items()) {
    std::string capability =
        CapabilityForInputRequest(request.is_object() ? request.value("method", "") : "");
    if (capability.empty()) {
      Fail(run->id, jsonrpc::RpcError::Internal("Internal error: tool " + run->request.tool +
                                                " asked for input with an unknown method"));
      return;
    }
    required[capability] = Json::object();
  }
  if (Json missing = MissingCapabilities(required, run->request.client_capabilities); !missing.empty()) {
    Fail(run->id, jsonrpc::RpcError::MissingClientCapability(std::move(missing)));
    return;
  }
  bool again = input.input_requests.empty();  // only state: the next round starts at once
  bool too_many = false;
  int asked_round = 0;
  Clock::WallTime now = clock_.Now();
  auto asked = Settle(run->id, [&](TaskRecord& r) {
    too_many = false;
    if (IsTerminal(r.status)) {
      return false;
    }
    Json resume = r.resume.is_object() ? r.resume : Json{{"round", 0}, {"issued", Json::array()}};
    int round = resume["round"].get<int>() + 1;
    asked_round = round;
    if (round > kMaxInputRounds) {
      too_many = true;
      return false;
    }
    Json wire = Json::object();
    Json keys = Json::object();
    for (auto& [key, request] : input.input_requests.items()) {
      std::string name = key;
      for (int n = round;
           std::find(resume["issued"].begin(), resume["issued"].end(), name) != resume["issued"].end(); ++n) {
        name = key + "." + std::to_string(n);  // a key is never reused within one task
      }
      resume["issued"].push_back(name);
      keys[name] = key;
      wire[name] = std::move(request);
    }
    resume["round"] = round;
    resume["keys"] = std::move(keys);
    resume["answers"] = Json::object();
    resume["state"] = input.state;
    r.resume = std::move(resume);
    r.updated_at = now;
    if (!again) {
      r.status = TaskStatus::kInputRequired;
      r.status_message = "Waiting for input from the client";
      r.input_requests = std::move(wire);
      r.expires_at = now + r.ttl;  // an unanswered task goes once its TTL has passed
    }
    return true;
  });
  if (too_many) {
    Fail(run->id,
         jsonrpc::RpcError::Internal("Internal error: tool " + run->request.tool + " asked for input " +
                                     std::to_string(kMaxInputRounds) + " times"));
    return;
  }
  if (again) {
    run->input_responses = Json::object();
    run->request_state = std::move(input.state);
    if (!Submit(run).ok()) {
      Fail(run->id, jsonrpc::RpcError::Internal("Internal error: the task's next round could not be queued"));
    }
    return;
  }
  if (asked.ok() && asked->status == TaskStatus::kInputRequired) {
    {
      std::lock_guard lock(run->mu);
      run->awaiting_round = asked_round;
    }
    // The answers may have come (on another replica) before awaiting_round was set: look once more.
    if (auto now_stored = store_.Read(run->id); now_stored.ok() && *now_stored) {
      ResumeIfAnswered(run, **now_stored);
    }
  }
}

// An input_required task whose last request was answered (tasks/update, here or on another replica) is
// working again with the answers in its record: queue its next round, once.
void TaskRunner::ResumeIfAnswered(const std::shared_ptr<Run>& run, const TaskRecord& record) {
  if (record.status != TaskStatus::kWorking || !record.resume.is_object()) {
    return;
  }
  {
    std::lock_guard lock(run->mu);
    if (run->awaiting_round == 0 || record.resume.value("round", 0) != run->awaiting_round) {
      return;
    }
    run->awaiting_round = 0;
  }
  Json answers = Json::object();
  if (auto given = record.resume.find("answers"); given != record.resume.end() && given->is_object()) {
    const Json keys = record.resume.value("keys", Json::object());
    for (const auto& [wire, response] : given->items()) {
      answers[keys.value(wire, wire)] = response;  // back to the tool's own keys
    }
  }
  run->input_responses = std::move(answers);
  run->request_state = record.resume.value("state", Json());
  if (!Submit(run).ok()) {
    Fail(run->id, jsonrpc::RpcError::Internal("Internal error: the task's next round could not be queued"));
  }
}

// The store's change feed: a record changed, here or on another replica. The run here (if any) stops when
// the task was cancelled and resumes when its input was answered; the watchers get the record.
void TaskRunner::OnStoreChange(const std::string& id) {
  if (id.empty()) {  // changes may have been missed: look at everything this replica cares about
    std::vector<std::string> ids;
    {
      std::lock_guard lock(mu_);
      for (const auto& [run_id, run] : runs_) {
        ids.push_back(run_id);
      }
      for (const auto& [token, watch] : watchers_) {
        ids.insert(ids.end(), watch.first.begin(), watch.first.end());
      }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const std::string& each : ids) {
      OnStoreChange(each);
    }
    return;
  }
  auto stored = store_.Read(id);
  if (!stored.ok() || !*stored) {
    return;
  }
  const TaskRecord& record = **stored;
  if (std::shared_ptr<Run> run = FindRun(id)) {
    if (record.cancel_requested || record.status == TaskStatus::kCancelled) {
      {
        std::lock_guard lock(run->mu);
        run->fate = CallFate::kCancelled;
        run->stop.request_stop();  // aborts the Invoke's HTTP request; a queued round never starts
      }
      ForgetRun(id);
    } else {
      ResumeIfAnswered(run, record);
    }
  }
  Notify(record);
}

bool TaskRunner::Fail(const std::string& id, const jsonrpc::RpcError& error, std::string message) {
  Clock::WallTime now = clock_.Now();
  bool failed = false;
  (void)Settle(id, [&](TaskRecord& r) {
    failed = false;
    if (IsTerminal(r.status)) {
      return false;
    }
    failed = true;
    End(r, TaskStatus::kFailed, now);
    r.error = ErrorJson(error);
    r.status_message = message.empty() ? error.message : std::move(message);
    return true;
  });
  ForgetRun(id);
  return failed;
}

std::optional<TaskRecord> TaskRunner::Get(const std::string& owner, const std::string& id) {
  auto record = Find(owner, id);
  return record.ok() ? std::move(*record) : std::nullopt;
}

Result<std::optional<TaskRecord>> TaskRunner::Find(const std::string& owner, const std::string& id) {
  auto record = store_.Read(id);
  if (!record.ok()) {
    return record.error();
  }
  if (!*record || (*record)->owner != owner) {
    return std::optional<TaskRecord>();
  }
  return record;
}

Result<TaskPage> TaskRunner::List(const std::string& owner, const std::string& cursor, size_t limit) {
  return store_.List(owner, cursor, limit);
}

Result<TaskRecord> TaskRunner::Cancel(const std::string& owner, const std::string& id) {
  auto found = Find(owner, id);
  if (!found.ok()) {
    return found.error();
  }
  auto& known = *found;
  if (!known) {
    return Error::NotFound("task not found");
  }
  if (IsTerminal(known->status)) {
    return Error::FailedPrecondition(std::string("the task already ended (") + TaskStatusName(known->status) +
                                     ")");
  }
  bool started = true;  // no run here (another replica's, or between states): assume the tool may have run
  if (std::shared_ptr<Run> run = FindRun(id)) {
    std::lock_guard lock(run->mu);
    started = run->started;
    run->fate = CallFate::kCancelled;
    run->stop.request_stop();  // aborts the Invoke's HTTP request; a queued round never starts
  }
  bool ended = false;
  Clock::WallTime now = clock_.Now();
  auto record = Settle(id, [&](TaskRecord& r) {
    ended = false;
    if (r.owner != owner || IsTerminal(r.status)) {
      ended = true;
      return false;
    }
    End(r, TaskStatus::kCancelled, now);
    r.cancel_requested = true;
    r.status_message =
        started ? "Cancelled by the client; the tool had started, so the function may still have run"
                : "Cancelled by the client before the tool started; nothing was invoked";
    return true;
  });
  ForgetRun(id);
  if (!record.ok() && record.error().code != ErrorCode::kNotFound) {
    return record.error();
  }
  if (!record.ok() || record->owner != owner) {
    return Error::NotFound("task not found");
  }
  if (ended) {
    return Error::FailedPrecondition(std::string("the task already ended (") +
                                     TaskStatusName(record->status) + ")");
  }
  spdlog::info("mcp: task {} ({}) cancelled by {}", id, ForLog(record->tool), ForLog(owner));
  return std::move(*record);
}

Status TaskRunner::Update(const std::string& owner, const std::string& id, const Json& input_responses) {
  bool resume = false;
  Clock::WallTime now = clock_.Now();
  auto record = Settle(id, [&](TaskRecord& r) {
    resume = false;
    if (r.owner != owner || r.status != TaskStatus::kInputRequired || !input_responses.is_object()) {
      return false;
    }
    bool changed = false;
    for (const auto& [key, response] : input_responses.items()) {
      if (r.input_requests.contains(key)) {  // not outstanding (never issued, answered, superseded): ignored
        r.resume["answers"][key] = response;
        r.input_requests.erase(key);
        changed = true;
      }
    }
    if (!changed) {
      return false;
    }
    r.updated_at = now;
    if (r.input_requests.empty()) {  // the run (here or on another replica) takes the answers from here
      r.status = TaskStatus::kWorking;
      r.status_message.clear();
      r.input_requests = nullptr;
      r.expires_at.reset();
      resume = true;
    }
    return true;
  });
  if (!record.ok() && record.error().code != ErrorCode::kNotFound) {
    return record.error();
  }
  if (!record.ok() || record->owner != owner) {
    return Error::NotFound("task not found");
  }
  if (!resume) {
    return Ok();
  }
  std::shared_ptr<Run> run = FindRun(id);
  if (!run) {
    if (!store_.shared()) {
      Fail(id, jsonrpc::RpcError::Internal("Internal error: the task's run is gone (the server restarted?)"));
    }
    return Ok();  // a shared store: the replica running it resumes it (its change feed)
  }
  ResumeIfAnswered(run, *record);  // at most once, whether this or the change feed comes first
  return Ok();
}

Result<TaskRecord> TaskRunner::Settle(const std::string& id, const std::function<bool(TaskRecord&)>& change) {
  auto record = store_.Update(id, change);  // the change feed then tells the watchers
  if (!record.ok() && record.error().code != ErrorCode::kNotFound) {  // not just expired or evicted meanwhile
    spdlog::error("mcp: task {}: the task store refused a write: {}", id,
                  ForLog(record.error().message, 500));
  }
  return record;
}

std::shared_ptr<TaskRunner::Run> TaskRunner::FindRun(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second;
}

void TaskRunner::ForgetRun(const std::string& id) {
  std::lock_guard lock(mu_);
  runs_.erase(id);
}

uint64_t TaskRunner::Watch(std::vector<std::string> ids, Watcher on_change) {
  std::lock_guard lock(mu_);
  uint64_t token = next_watch_++;
  watchers_[token] = {std::move(ids), std::make_shared<Watcher>(std::move(on_change))};
  return token;
}

void TaskRunner::Unwatch(uint64_t token) {
  std::lock_guard lock(mu_);
  watchers_.erase(token);
}

void TaskRunner::Notify(const TaskRecord& record) {
  std::vector<std::shared_ptr<Watcher>> matched;
  {
    std::lock_guard lock(mu_);
    for (const auto& [token, watch] : watchers_) {
      if (std::find(watch.first.begin(), watch.first.end(), record.id) != watch.first.end()) {
        matched.push_back(watch.second);
      }
    }
  }
  for (const auto& watcher : matched) {
    (*watcher)(record);
  }
}

void TaskRunner::SweepExpired() {
  {
    std::lock_guard lock(mu_);
    Clock::SteadyTime now = clock_.Steady();
    if (now - last_sweep_ < kSweepEvery) {
      return;
    }
    last_sweep_ = now;
  }
  if (size_t removed = store_.RemoveExpired(); removed > 0) {
    spdlog::debug("mcp: removed {} expired task(s)", removed);
  }
}

void TaskRunner::Shutdown(std::chrono::milliseconds grace) {
  std::unique_lock lock(mu_);
  bool first = accepting_;
  accepting_ = false;
  if (grace.count() > 0) {
    clock_.WaitUntil(lock, idle_cv_, clock_.Steady() + grace, {}, [this] { return rounds_ == 0; });
  }
  std::vector<std::shared_ptr<Run>> left;
  for (const auto& [id, run] : runs_) {
    left.push_back(run);
  }
  lock.unlock();
  size_t unfinished = 0;
  for (const auto& run : left) {
    bool started;
    {
      std::lock_guard run_lock(run->mu);
      started = run->started;
      run->fate = CallFate::kAbandoned;
      run->stop.request_stop();
    }
    std::string why = started ? "the server shut down before the task finished; the function may have run"
                              : "the server shut down before the task started; nothing was invoked";
    unfinished += Fail(run->id, jsonrpc::RpcError::Internal("Internal error: " + why), why) ? 1 : 0;
  }
  if (first && unfinished > 0) {
    spdlog::info("mcp: shutdown: {} task(s) ended unfinished", unfinished);
  }
  lock.lock();
  idle_cv_.wait(lock, [this] { return rounds_ == 0; });  // stopped rounds return promptly
}

}  // namespace lmcp::mcp
