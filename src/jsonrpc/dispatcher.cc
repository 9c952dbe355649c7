#include "jsonrpc/dispatcher.h"

#include <exception>
#include <utility>

namespace lmcp::jsonrpc {

void Dispatcher::OnRequest(std::string method, RequestHandler handler) {
  requests_[std::move(method)] = std::move(handler);
}

void Dispatcher::OnNotification(std::string method, NotificationHandler handler) {
  notifications_[std::move(method)] = std::move(handler);
}

std::optional<Json> Dispatcher::Dispatch(Message request, const Responder& responder) const {
  auto it = requests_.find(request.method);
  if (it == requests_.end()) {
    return MakeError(request.id, RpcError::MethodNotFound("Method not found: " + request.method));
  }
  try {
    Reply reply = it->second(request, responder);
    if (reply.deferred()) {
      return std::nullopt;
    }
    if (reply.ok()) {
      return MakeResult(request.id, std::move(reply).TakeResult());
    }
    return MakeError(request.id, reply.error());
  } catch (const std::exception& e) {
    return MakeError(request.id, RpcError::Internal(std::string("Internal error: ") + e.what()));
  }
}

bool Dispatcher::Notify(const Message& notification) const {
  auto it = notifications_.find(notification.method);
  if (it == notifications_.end()) {
    return true;
  }
  try {
    it->second(notification);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace lmcp::jsonrpc
