// The life of a tools/call after CallTool queued it: running it on a worker, its wait timeout, the client's
// cancellation, a client that is gone, and shutdown. See session_impl.h for the ownership rules.

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>
#include <vector>

#include "common/log_text.h"
#include "jsonrpc/error_codes.h"
#include "mcp/protocol.h"
#include "mcp/session_impl.h"

namespace lmcp::mcp {

using jsonrpc::Message;
using jsonrpc::RpcError;

namespace {

// 50 rather than 50.0 on the wire when the value is integral.
Json Number(double value) {
  if (value == static_cast<double>(static_cast<int64_t>(value)) && value > -9e15 && value < 9e15) {
    return static_cast<int64_t>(value);
  }
  return value;
}

}  // namespace

class SessionImpl::Context final : public CallContext {
 public:
  Context(SessionImpl& session, Call& call)
      : session_(session),
        call_(call),
        version_(call.meta ? call.meta->protocol_version : session.protocol_version()) {}

  std::stop_token stop_token() const override { return call_.stop.get_token(); }
  CallFate fate() const override { return call_.fate.load(); }

  void Progress(double progress, std::optional<double> total, std::string message) override {
    if (call_.progress_token.is_null()) {
      return;
    }
    std::lock_guard lock(call_.mu);
    if (call_.done || call_.stop.stop_requested() ||
        (call_.last_progress && progress <= *call_.last_progress)) {
      return;
    }
    call_.last_progress = progress;
    Json params{{"progressToken", call_.progress_token}, {"progress", Number(progress)}};
    if (total) {
      params["total"] = Number(*total);
    }
    if (!message.empty() && HasProgressMessage(version_)) {
      params["message"] = std::move(message);
    }
    session_.Send(jsonrpc::MakeNotification("notifications/progress", std::move(params)), call_.id);
  }

  void Log(LogLevel level, const Json& data, std::string logger) override {
    // The stateless era: only at or above the request's own logLevel, and nothing without one.
    int threshold = session_.log_level_.load();
    if (call_.meta) {
      if (!call_.meta->log_level) {
        return;
      }
      threshold = static_cast<int>(*call_.meta->log_level);
    }
    if (static_cast<int>(level) < threshold) {
      return;
    }
    Json params{{"level", LogLevelName(level)}};
    if (!logger.empty()) {
      params["logger"] = std::move(logger);
    }
    params["data"] = data;
    std::lock_guard lock(call_.mu);
    if (call_.done || call_.stop.stop_requested()) {
      return;
    }
    session_.Send(jsonrpc::MakeNotification("notifications/message", std::move(params)), call_.id);
  }

  const std::string& protocol_version() const override { return version_; }
  const Identity& identity() const override { return *session_.options_.identity; }

  Result<Json> RequestClient(const std::string& method, const Json& params) override {
    if (call_.meta) {
      return Error::FailedPrecondition(
          "MCP 2026-07-28 has no server-to-client requests: return ToolResult::input_required instead");
    }
    return session_.RequestClient(call_, method, params);
  }

  bool stateless() const override { return call_.meta != nullptr; }
  const Json& request_meta() const override { return call_.request_meta; }
  const Json& client_capabilities() const override {
    return call_.meta ? call_.meta->client_capabilities : session_.client_capabilities_;
  }
  const Json& input_responses() const override { return call_.input_responses; }
  const Json& request_state() const override { return call_.request_state; }

 private:
  SessionImpl& session_;
  Call& call_;
  std::string version_;
};

// ---- Running ----

void SessionImpl::RunCall(const std::shared_ptr<Call>& call, CallScheduler::Finished finished) {
  {
    std::lock_guard lock(call->mu);
    if (call->done || call->stop.stop_requested()) {
      // Answered (or dropped) while queued, between the scheduler handing it over and now.
      call->done = true;
    } else {
      call->started = true;
    }
  }
  if (!call->started) {
    finished();
    ReleaseCall(call);
    return;
  }
  // Runs here until the tool first waits; the rest runs on the thread that ends the wait. The scheduler's
  // slot is given back before the session lets go of the call (the session may end right after).
  Start(RunTool(call), [this, call, finished = std::move(finished)](Json response) {
    finished();
    FinishCall(call, std::move(response));
  });
}

Async<Json> SessionImpl::RunTool(std::shared_ptr<Call> call) {
  Context ctx(*this, *call);  // in this coroutine's frame: valid until the call has ended
  std::optional<Json> response;
  // The mcp layer's one exception conversion: a provider that throws (a bug) becomes -32603, so a worker
  // thread never dies and the client still gets an answer.
  try {
    // Started: CallNotInvoked (the only other reader of the arguments) can no longer happen, so they move.
    Result<ToolResult> result =
        co_await server_.provider().CallToolAsync(call->name, std::move(call->arguments), ctx);
    response = CallResponse(*call, std::move(result), ctx.protocol_version());
  } catch (const std::exception& e) {
    spdlog::error("mcp: tool {} threw: {}", ForLog(call->name), ForLog(e.what(), 1000));
    response =
        jsonrpc::MakeError(call->id, RpcError::Internal("Internal error: tool " + call->name + " failed"));
  }
  co_return std::move(*response);
}

Json SessionImpl::CallResponse(Call& call, Result<ToolResult> result, const std::string& version) {
  if (result.ok()) {
    if (call.meta) {
      return StatelessResponse(call, std::move(*result));
    }
    if (result->input_required) {
      return jsonrpc::MakeResult(
          call.id, RenderToolResult(ToolResult::Text("Tool " + call.name +
                                                         " needs input from the user, which needs MCP "
                                                         "2026-07-28; this client speaks " +
                                                         version,
                                                     /*is_error=*/true),
                                    version));
    }
    return jsonrpc::MakeResult(call.id, RenderToolResult(std::move(*result), version));
  }
  return jsonrpc::MakeError(call.id, ToolCallError(call.name, result.error()));
}

void SessionImpl::FinishCall(const std::shared_ptr<Call>& call, std::optional<Json> response) {
  {
    std::lock_guard lock(call->mu);
    if (!call->done) {  // else answered already: abandoned at shutdown
      call->done = true;
      if (call->stop.stop_requested() || call->fate.load() != CallFate::kDeliver) {
        response.reset();  // cancelled, or the client is gone: no response
      }
      call->responder(std::move(response));
    }
  }
  ReleaseCall(call);
}

void SessionImpl::ExpireCall(const std::shared_ptr<Call>& call) {
  auto waited = server_.scheduler().limits().queue_timeout.count();
  std::string detail = "waited " + std::to_string(waited) + " ms for a free worker (call queue timeout)";
  spdlog::warn("mcp: tools/call {} {} and was not invoked", ForLog(call->name), detail);
  Json error =
      jsonrpc::MakeError(call->id, RpcError::Internal("Internal error: tools/call " + call->name +
                                                      " was not invoked: it " + detail + "; retry later"));
  if (AnswerUnstarted(*call, std::move(error), CallFate::kDeliver)) {
    NotInvoked(*call, ToolProvider::NotInvoked::kQueueTimeout, detail);
  }
  ReleaseCall(call);
}

void SessionImpl::NotInvoked(const Call& call, ToolProvider::NotInvoked why, const std::string& detail) {
  server_.provider().CallNotInvoked(call.name, call.arguments, call.request_meta, options_.principal, why,
                                    detail);
}

// Answers (or, with nullopt, ends without an answer) a call no worker has started; false if it started or
// was answered already.
bool SessionImpl::AnswerUnstarted(Call& call, std::optional<Json> response, CallFate fate) {
  std::lock_guard lock(call.mu);
  if (call.started || call.done) {
    return false;
  }
  call.done = true;
  call.fate = fate;
  call.stop.request_stop();  // a worker that takes its job anyway skips it
  call.responder(std::move(response));
  return true;
}

void SessionImpl::WithdrawAndRelease(const std::shared_ptr<Call>& call) {
  bool withdrawn;
  {
    std::lock_guard lock(mu_);
    withdrawn = server_.scheduler().Withdraw(call->job);
  }
  if (withdrawn) {
    ReleaseCall(call);  // else a worker has its job (RunCall skips it) or it expired: they release it
  }
}

void SessionImpl::ReleaseCall(const std::shared_ptr<Call>& call) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(jsonrpc::IdKey(call->id));
  if (it != calls_.end() && it->second == call) {
    calls_.erase(it);
  }
  --in_flight_;
  idle_cv_.notify_all();  // under the lock: Shutdown may destroy us right after it sees zero
}

std::vector<std::shared_ptr<SessionImpl::Call>> SessionImpl::CallsSnapshot() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Call>> calls;
  calls.reserve(calls_.size());
  for (const auto& [key, call] : calls_) {
    calls.push_back(call);
  }
  return calls;
}

// ---- Cancellation and clients that are gone ----

void SessionImpl::Cancel(const Json& request_id) {
  if (!jsonrpc::IsValidId(request_id)) {
    return;
  }
  if (EndSubscription(jsonrpc::IdKey(request_id), std::nullopt) ||
      EndTaskWait(jsonrpc::IdKey(request_id), std::nullopt)) {
    return;
  }
  std::shared_ptr<Call> call;
  {
    std::lock_guard lock(mu_);
    auto it = calls_.find(jsonrpc::IdKey(request_id));
    if (it == calls_.end()) {
      return;  // unknown or already finished: races are normal
    }
    call = it->second;
  }
  if (AnswerUnstarted(*call, std::nullopt, CallFate::kCancelled)) {
    spdlog::debug("mcp: queued call {} cancelled by the client; not invoked", ForLog(call->name));
    NotInvoked(*call, ToolProvider::NotInvoked::kCancelled, "cancelled by the client while queued");
    WithdrawAndRelease(call);
    return;
  }
  std::lock_guard lock(call->mu);
  if (!call->done) {
    call->fate = CallFate::kCancelled;
    call->stop.request_stop();
    spdlog::debug("mcp: call {} cancelled by the client", ForLog(call->name));
  }
}

void SessionImpl::ClientGone(const Json& id) {
  if (!jsonrpc::IsValidId(id)) {
    return;
  }
  if (EndSubscription(jsonrpc::IdKey(id), std::nullopt) || EndTaskWait(jsonrpc::IdKey(id), std::nullopt)) {
    return;
  }
  std::shared_ptr<Call> call;
  {
    std::lock_guard lock(mu_);
    auto it = calls_.find(jsonrpc::IdKey(id));
    if (it == calls_.end()) {
      return;
    }
    call = it->second;
  }
  if (AnswerUnstarted(*call, std::nullopt, CallFate::kClientGone)) {
    spdlog::info("mcp: the client of queued call {} is gone; not invoked", ForLog(call->name));
    NotInvoked(*call, ToolProvider::NotInvoked::kClientGone, "the client was gone before the call started");
    WithdrawAndRelease(call);
    return;
  }
  std::lock_guard lock(call->mu);
  if (!call->done && call->fate.load() == CallFate::kDeliver) {
    call->fate = CallFate::kClientGone;  // runs on; FinishCall discards the result
    spdlog::info("mcp: the client of running call {} is gone; its result will be discarded",
                 ForLog(call->name));
  }
}

void SessionImpl::ClientGoneAll() {
  for (const auto& call : CallsSnapshot()) {
    ClientGone(call->id);
  }
}

// ---- Shutdown ----

void SessionImpl::Shutdown(std::chrono::milliseconds grace) {
  std::vector<std::string> subscriptions;
  std::vector<std::pair<std::string, Json>> waits;
  {
    std::lock_guard lock(mu_);
    accepting_ = false;
    for (const auto& [key, subscription] : subscriptions_) {
      subscriptions.push_back(key);
    }
    for (const auto& [key, wait] : task_waits_) {
      waits.emplace_back(key, wait->id);
    }
  }
  // A pending tasks/result is answered; its task goes on in the server (poll tasks/get).
  for (const auto& [key, id] : waits) {
    EndTaskWait(key,
                jsonrpc::MakeError(id, RpcError::Internal("Internal error: the session ended before the task "
                                                          "finished; poll tasks/get for its result")));
  }
  // An open subscription ends gracefully: its response says so (a dropped stream would not).
  for (const std::string& key : subscriptions) {
    Json id;
    {
      std::lock_guard lock(mu_);
      auto it = subscriptions_.find(key);
      if (it == subscriptions_.end()) {
        continue;
      }
      id = it->second.id;
    }
    EndSubscription(key, jsonrpc::MakeResult(
                             id, Json{{"resultType", "complete"}, {"_meta", {{kMetaSubscriptionId, id}}}}));
  }
  // Calls accepted before the shutdown, queued or running, may finish within the grace.
  {
    std::unique_lock lock(mu_);
    if (in_flight_ > 0 && grace.count() > 0) {
      idle_cv_.wait_for(lock, grace, [this] { return in_flight_ == 0; });
    }
  }
  // Then: a call still queued is answered that it was not invoked; a running one that the function may have
  // run, and is stopped.
  int dropped = 0;
  int abandoned = 0;
  for (const auto& call : CallsSnapshot()) {
    Json not_invoked = jsonrpc::MakeError(
        call->id, RpcError::Internal("Internal error: the server is shutting down; tools/call " + call->name +
                                     " was not invoked"));
    if (AnswerUnstarted(*call, std::move(not_invoked), CallFate::kAbandoned)) {
      ++dropped;
      NotInvoked(*call, ToolProvider::NotInvoked::kShutdown, "the server shut down before the call started");
      WithdrawAndRelease(call);
      continue;
    }
    std::lock_guard call_lock(call->mu);
    if (call->done) {
      continue;  // answered, or cancelled by the client and ending
    }
    call->done = true;
    bool client_gone = call->fate.load() == CallFate::kClientGone;
    call->fate = CallFate::kAbandoned;
    call->stop.request_stop();
    ++abandoned;
    if (client_gone) {
      call->responder(std::nullopt);
      continue;
    }
    call->responder(jsonrpc::MakeError(
        call->id, RpcError::Internal("Internal error: the server shut down before tools/call " + call->name +
                                     " finished; the function may have run")));
  }
  if (dropped > 0 || abandoned > 0) {
    spdlog::info("mcp: shutdown: {} queued call(s) not invoked, {} running call(s) abandoned", dropped,
                 abandoned);
  }
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return in_flight_ == 0; });
}

}  // namespace lmcp::mcp
