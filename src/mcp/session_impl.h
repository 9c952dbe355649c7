#pragma once
// The MCP session state machine behind mcp/session.h: lifecycle and negotiation, method routing, in-flight
// tools/call bookkeeping (cancellation, progress), logging level, and server→client requests. Internal to
// the mcp layer; transports use Session and McpServer. Thread-safe as Session requires.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "jsonrpc/dispatcher.h"
#include "jsonrpc/message.h"
#include "mcp/call_scheduler.h"
#include "mcp/request_meta.h"
#include "mcp/server.h"
#include "mcp/session.h"
#include "mcp/tool_provider.h"

namespace lmcp::mcp {

class SessionImpl final : public Session {
 public:
  SessionImpl(McpServer& server, MessageSink& sink, SessionOptions options);
  ~SessionImpl() override;

  void HandleRaw(std::string_view text) override;
  void HandleMessage(Json message) override;
  std::string protocol_version() const override;
  bool initialized() const override;
  Status Resume(const SessionTicket& ticket) override;
  void ClientGone(const Json& id) override;
  void ClientGoneAll() override;
  void Cancel(const Json& id) override;
  void Shutdown(std::chrono::milliseconds grace) override;

  // Sends notifications/tools/list_changed if the client finished initialization, and on every
  // subscriptions/listen stream that asked for tool-list changes.
  void SendListChanged();

 private:
  struct Call;
  class Context;
  struct PendingClientRequest;
  struct Subscription;
  struct TaskWait;
  struct TaskFeed;
  // Delivers one answer for a request: its response, or nullopt for none (cancelled).
  using Replier = std::function<void(const Json& id, std::optional<Json> response)>;

  void RegisterHandlers();
  void HandleOne(std::variant<jsonrpc::Message, jsonrpc::Invalid> classified, const Replier& reply);
  void HandleBatch(Json batch);
  Replier DirectReplier();

  jsonrpc::Reply Initialize(jsonrpc::Message& m);
  jsonrpc::Reply ListTools(const jsonrpc::Message& m, const std::string& version, bool stateless);
  // `meta`: the stateless era's checked _meta; null for a session-era call.
  jsonrpc::Reply CallTool(jsonrpc::Message& m, const jsonrpc::Responder& responder,
                          std::shared_ptr<const RequestMeta> meta);
  jsonrpc::Reply SetLevel(const jsonrpc::Message& m);
  void HandleClientResponse(jsonrpc::Message m);

  // The stateless era (session_stateless.cc): requests that carry their own _meta.
  void RegisterStatelessHandlers();
  void HandleStateless(jsonrpc::Message m, const Replier& reply);
  jsonrpc::Reply Discover();
  jsonrpc::Reply Listen(const jsonrpc::Message& m, const jsonrpc::Responder& responder);
  // The checks a stateless tools/call passes before it is queued: the tool's required client
  // capabilities, then the MRTR retry's inputResponses and requestState (opened into `call`).
  std::optional<jsonrpc::RpcError> AdmitStatelessCall(const jsonrpc::Message& m, Call& call,
                                                      const ToolDefinition* tool);
  // A stateless call's response: input-required (capabilities checked, state sealed) or complete.
  Json StatelessResponse(const Call& call, ToolResult result);
  bool EndSubscription(const std::string& key, std::optional<Json> response);

  // Tasks (session_tasks.cc): 2025-11-25's tasks/* in a session, the 2026-07-28 extension's statelessly.
  void RegisterTaskHandlers();
  // Whether a tools/call becomes a task: nullopt = run it now as usual; else the reply (the created task,
  // or a refusal: a forbidden tool asked as a task, a required one asked without).
  std::optional<jsonrpc::Reply> RouteToTask(const jsonrpc::Message& m, Call& call,
                                            const ToolDefinition* tool);
  jsonrpc::Reply StartTask(const jsonrpc::Message& m, Call& call);
  // The era's gate for tasks/* (nullopt: allowed) and the request's task id.
  std::optional<jsonrpc::RpcError> TasksGate(const jsonrpc::Message& m, bool stateless);
  jsonrpc::Reply TaskGet(const jsonrpc::Message& m, bool stateless);
  jsonrpc::Reply TaskResult(const jsonrpc::Message& m, const jsonrpc::Responder& responder);
  jsonrpc::Reply TaskList(const jsonrpc::Message& m);
  jsonrpc::Reply TaskCancel(const jsonrpc::Message& m, bool stateless);
  jsonrpc::Reply TaskUpdate(const jsonrpc::Message& m);
  // Listen's taskIds: the caller's own ones get notifications/tasks on the subscription's stream.
  std::optional<jsonrpc::RpcError> WatchTasks(const jsonrpc::Message& m, const Json& filter,
                                              Subscription& sub, Json& acknowledged);
  // Ends a pending tasks/result without an answer (cancelled, client gone); false if `key` is none.
  bool EndTaskWait(const std::string& key, std::optional<Json> response);

  // The call's life after CallTool queued it (session_calls.cc). Exactly one of RunCall, ExpireCall or a
  // successful Withdraw ends its job; ReleaseCall then forgets it.
  // Starts the call on a scheduler thread; it goes on without one while the tool waits (CallToolAsync), and
  // `finished` gives its scheduler slot back when it ends.
  void RunCall(const std::shared_ptr<Call>& call, CallScheduler::Finished finished);
  Async<Json> RunTool(std::shared_ptr<Call> call);
  Json CallResponse(Call& call, Result<ToolResult> result, const std::string& version);
  void ExpireCall(const std::shared_ptr<Call>& call);
  void FinishCall(const std::shared_ptr<Call>& call, std::optional<Json> response);
  bool AnswerUnstarted(Call& call, std::optional<Json> response, CallFate fate);
  void WithdrawAndRelease(const std::shared_ptr<Call>& call);
  void ReleaseCall(const std::shared_ptr<Call>& call);
  void NotInvoked(const Call& call, ToolProvider::NotInvoked why, const std::string& detail);
  std::vector<std::shared_ptr<Call>> CallsSnapshot();
  Result<Json> RequestClient(Call& call, const std::string& method, const Json& params);
  bool ClientHas(const std::string& capability) const;
  void Send(const Json& message, const Json& related);

  McpServer& server_;
  MessageSink& sink_;
  const SessionOptions options_;
  const uint64_t scheduler_key_;  // this session in the server's CallScheduler
  jsonrpc::Dispatcher dispatcher_;
  jsonrpc::Dispatcher stateless_dispatcher_;  // methods of the stateless era

  mutable std::mutex mu_;  // guards everything below up to in_flight_
  std::condition_variable idle_cv_;
  std::string protocol_version_;  // empty until initialize succeeded
  Json client_capabilities_ = Json::object();
  bool client_ready_ = false;                                     // notifications/initialized received
  bool accepting_ = true;                                         // false once Shutdown began
  std::unordered_map<std::string, std::shared_ptr<Call>> calls_;  // by jsonrpc::IdKey, until answered
  std::unordered_map<std::string, Subscription> subscriptions_;   // open subscriptions/listen, by IdKey
  std::unordered_map<std::string, std::shared_ptr<TaskWait>> task_waits_;  // pending tasks/result, by IdKey
  int in_flight_ = 0;  // calls whose job the scheduler has not given back (queued or running)

  std::atomic<int> log_level_;

  std::mutex pending_mu_;
  std::condition_variable_any pending_cv_;
  std::unordered_map<std::string, std::shared_ptr<PendingClientRequest>> pending_;  // by IdKey
  int64_t next_client_request_id_ = 1;
};

// One tools/call from CallTool until it is answered and its job is given back. `mu` orders its progress and
// log notifications before its response, and guards started/done.
struct SessionImpl::Call {
  Json id;
  std::string name;
  Json arguments;
  Json progress_token;  // null = none
  jsonrpc::Responder responder;
  // The stateless era: the request's checked _meta, its raw _meta, and an MRTR retry's inputs (null if
  // none; the state already opened). Null meta = a session-era call.
  std::shared_ptr<const RequestMeta> meta;
  Json request_meta = Json::object();
  Json input_responses;
  Json request_state;
  std::string arguments_digest;  // binds a sealed requestState to these arguments
  CallScheduler::JobId job = 0;  // set under the session's mu_ by CallTool
  std::mutex mu;
  std::stop_source stop;
  std::optional<double> last_progress;
  bool started = false;  // a worker began running the tool
  bool done = false;     // answered, or dropped without an answer: nothing more is sent for it
  std::atomic<CallFate> fate{CallFate::kDeliver};
};

// One open subscriptions/listen: which notifications it asked for, and how it is answered when it ends.
struct SessionImpl::Subscription {
  Json id;
  bool tools_list_changed = false;
  jsonrpc::Responder responder;
  std::shared_ptr<TaskFeed> tasks;  // its taskIds' notifications/tasks; null = none asked
};

// A pending tasks/result (2025-11-25): answered once, by the runner's watcher when the task ends or by the
// session (cancelled, client gone, shutdown). `mu` is held while answering, so once the session has closed
// it no watcher can answer through it any more.
struct SessionImpl::TaskWait {
  std::mutex mu;
  bool open = true;
  Json id;
  jsonrpc::Responder responder;
  uint64_t watch = 0;
};

// A subscription's task notifications, sent by the runner's watcher while `open` (under `mu`).
struct SessionImpl::TaskFeed {
  std::mutex mu;
  bool open = true;
  SessionImpl* session = nullptr;
  Json subscription_id;
  uint64_t watch = 0;
};

}  // namespace lmcp::mcp
