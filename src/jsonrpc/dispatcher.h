#pragma once
// Routes JSON-RPC requests and notifications to handlers by method name. Handlers return a result, an
// RpcError, or "deferred" (they answer later themselves, e.g. tools/call on a worker). Register every
// method before dispatching; Dispatch is then safe from many threads at once.

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "jsonrpc/message.h"

namespace lmcp::jsonrpc {

// What a request handler produced.
class Reply {
 public:
  static Reply Ok(Json result) { return Reply(std::move(result)); }
  static Reply Fail(RpcError error) { return Reply(std::move(error)); }
  static Reply Deferred() { return Reply(std::monostate{}); }
  Reply(RpcError error) : v_(std::move(error)) {}  // NOLINT: implicit, so handlers can `return RpcError…`

  bool deferred() const { return v_.index() == 0; }
  bool ok() const { return v_.index() == 1; }
  const Json& result() const { return std::get<1>(v_); }
  Json TakeResult() && { return std::get<1>(std::move(v_)); }
  const RpcError& error() const { return std::get<2>(v_); }

 private:
  explicit Reply(Json result) : v_(std::move(result)) {}
  explicit Reply(std::monostate m) : v_(m) {}
  std::variant<std::monostate, Json, RpcError> v_;
};

// Answers a deferred request later: with its response message, or nullopt when no response will be sent
// (the request was cancelled). Must be called exactly once.
using Responder = std::function<void(std::optional<Json> response)>;

class Dispatcher {
 public:
  // A handler that returns Reply::Deferred() keeps the Responder and answers through it. The message is the
  // handler's to consume: it may move its params out (tools/call keeps the arguments without copying them),
  // but must leave its id and method as they are.
  using RequestHandler = std::function<Reply(Message&, const Responder&)>;
  using NotificationHandler = std::function<void(const Message&)>;

  void OnRequest(std::string method, RequestHandler handler);
  void OnNotification(std::string method, NotificationHandler handler);

  // Runs the request's handler and returns the response message, or nullopt when the handler deferred.
  // Unknown methods give -32601; a handler that throws gives -32603 (the layer's second and last place
  // where exceptions become values).
  std::optional<Json> Dispatch(Message request, const Responder& responder = {}) const;
  // Runs the notification's handler; unknown notifications are ignored. Returns false if it threw.
  bool Notify(const Message& notification) const;

  bool HasMethod(const std::string& method) const { return requests_.count(method) > 0; }

 private:
  std::unordered_map<std::string, RequestHandler> requests_;
  std::unordered_map<std::string, NotificationHandler> notifications_;
};

}  // namespace lmcp::jsonrpc
