#include "mcp/server.h"

#include <cstdlib>
#include <utility>

#include "common/crypto.h"
#include "mcp/session_impl.h"

namespace lmcp::mcp {
namespace {

std::string StateKey(const std::string& configured) {
  if (!configured.empty()) {
    return configured;
  }
  auto random = RandomBytes(kAeadKeyBytes);
  if (!random.ok()) {
    std::abort();  // no CSPRNG: nothing can be sealed safely
  }
  return *random;
}

}  // namespace

McpServer::McpServer(ToolProvider& provider, ServerOptions options)
    : provider_(provider),
      options_(std::move(options)),
      sealer_(StateKey(options_.request_state_key),
              options_.clock != nullptr ? *options_.clock : Clock::System(), options_.request_state_ttl),
      scheduler_(
          SchedulerLimits{
              .worker_threads = options_.worker_threads,
              .max_running = options_.max_calls,
              .max_queued = options_.max_queued_calls,
              .session_running = options_.max_calls_per_session,
              .session_queued = options_.max_queued_calls_per_session,
              .principal_running = options_.max_calls_per_principal,
              .principal_queued = options_.max_queued_calls_per_principal,
              .queue_timeout = options_.call_queue_timeout,
          },
          options_.clock != nullptr ? *options_.clock : Clock::System()),
      tasks_(provider, options_.tasks, options_.clock != nullptr ? *options_.clock : Clock::System()) {
  if (!options_.session_ticket_key.empty()) {
    session_tickets_ = std::make_unique<SessionTickets>(
        options_.session_ticket_key, options_.clock != nullptr ? *options_.clock : Clock::System(),
        options_.session_max_age);
  }
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
