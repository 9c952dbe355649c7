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

#include "jsonrpc/dispatcher.h"
#include "jsonrpc/message.h"
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
  void Shutdown(std::chrono::milliseconds grace) override;

  // Sends notifications/tools/list_changed if the client finished initialization.
  void SendListChanged();

 private:
  struct Call;
  class Context;
  struct PendingClientRequest;
  // Delivers one answer for a request: its response, or nullopt for none (cancelled).
  using Replier = std::function<void(const Json& id, std::optional<Json> response)>;

  void RegisterHandlers();
  void HandleOne(std::variant<jsonrpc::Message, jsonrpc::Invalid> classified, const Replier& reply);
  void HandleBatch(Json batch);
  Replier DirectReplier();

  jsonrpc::Reply Initialize(jsonrpc::Message& m);
  jsonrpc::Reply ListTools(const jsonrpc::Message& m);
  jsonrpc::Reply CallTool(jsonrpc::Message& m, const jsonrpc::Responder& responder);
  jsonrpc::Reply SetLevel(const jsonrpc::Message& m);
  void Cancel(const jsonrpc::Message& m);
  void HandleClientResponse(jsonrpc::Message m);

  void RunCall(const std::shared_ptr<Call>& call);
  void FinishCall(const std::shared_ptr<Call>& call, std::optional<Json> response);
  Result<Json> RequestClient(Call& call, const std::string& method, const Json& params);
  bool ClientHas(const std::string& capability) const;
  void Send(const Json& message, const Json& related);

  McpServer& server_;
  MessageSink& sink_;
  const SessionOptions options_;
  jsonrpc::Dispatcher dispatcher_;

  mutable std::mutex mu_;  // guards everything below up to in_flight_
  std::condition_variable idle_cv_;
  std::string protocol_version_;  // empty until initialize succeeded
  Json client_capabilities_ = Json::object();
  bool client_ready_ = false;                                     // notifications/initialized received
  bool accepting_ = true;                                         // false once Shutdown began
  std::unordered_map<std::string, std::shared_ptr<Call>> calls_;  // by jsonrpc::IdKey
  int in_flight_ = 0;

  std::atomic<int> log_level_;

  std::mutex pending_mu_;
  std::condition_variable_any pending_cv_;
  std::unordered_map<std::string, std::shared_ptr<PendingClientRequest>> pending_;  // by IdKey
  int64_t next_client_request_id_ = 1;
};

}  // namespace lmcp::mcp
