#include "mcp/server.h"

#include <utility>

#include "mcp/session_impl.h"

namespace lmcp::mcp {

McpServer::McpServer(ToolProvider& provider, ServerOptions options)
    : provider_(provider),
      options_(std::move(options)),
      pool_(options_.worker_threads, options_.max_queued_calls) {
  provider_.SetListChangedCallback([this] { NotifyListChanged(); });
}

McpServer::~McpServer() {
  provider_.SetListChangedCallback([] {});
}

std::unique_ptr<Session> McpServer::CreateSession(MessageSink& sink, SessionOptions options) {
  return std::make_unique<SessionImpl>(*this, sink, std::move(options));
}

void McpServer::Register(SessionImpl* session) {
  std::lock_guard lock(sessions_mu_);
  sessions_.insert(session);
}

void McpServer::Unregister(SessionImpl* session) {
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(session);
}

void McpServer::NotifyListChanged() {
  std::lock_guard lock(sessions_mu_);
  for (SessionImpl* session : sessions_) {
    session->SendListChanged();
  }
}

}  // namespace lmcp::mcp
