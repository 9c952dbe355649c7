#pragma once
// McpServer: the shared MCP core. Holds the ToolProvider, the options, the fair scheduler whose workers
// run tools/call (mcp/call_scheduler.h) and the task runner (mcp/task_runner.h), and creates one Session per
// client connection (see mcp/session.h). Fans tool-list changes out to every initialized session.
// Thread-safe; must outlive its sessions.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "common/clock.h"
#include "mcp/call_scheduler.h"
#include "mcp/request_state.h"
#include "mcp/session.h"
#include "mcp/session_ticket.h"
#include "mcp/task_runner.h"
#include "mcp/tool_provider.h"

namespace lmcp::mcp {

struct ServerOptions {
  size_t page_size = 100;                      // tools per tools/list page
  size_t max_message_bytes = 8 * 1024 * 1024;  // larger raw messages get -32600 and are dropped
  std::string instructions =
      "Tools here invoke AWS Lambda functions. Each tool's description says what the function does; "
      "pass arguments as described by its input schema.";
  // Threads that start tools/call, started on demand; a provider whose calls block (CallTool) holds one
  // per running call, an asynchronous one (CallToolAsync) only while a call starts.
  int worker_threads = 64;
  size_t max_calls = 0;            // tools/call in flight at once, over all sessions; 0 = no such cap
  size_t max_queued_calls = 1024;  // calls waiting for a worker before new ones are refused
  // Fair calls: caps per session and per principal (over its sessions); over one, -32603 names the cap.
  size_t max_calls_per_session = 16;         // running at once
  size_t max_queued_calls_per_session = 64;  // waiting for a worker
  size_t max_calls_per_principal = 32;       // running at once
  size_t max_queued_calls_per_principal = 128;
  std::chrono::milliseconds call_queue_timeout{30000};  // a longer wait is answered "not invoked"; 0 = none
  Clock* clock = nullptr;  // null = Clock::System(); the call queue timeout reads it
  std::chrono::milliseconds client_request_timeout{std::chrono::minutes(5)};  // sampling/elicitation wait
  LogLevel initial_log_level = LogLevel::kInfo;  // notifications/message threshold before logging/setLevel
  // The stateless era (MCP 2026-07-28). Caching hints of server/discover and tools/list: how long a client
  // may keep them (list changes are also announced on subscriptions/listen), and who may share a cached
  // copy ("public": the list is the same for every caller; "private" once lists differ per client).
  std::chrono::milliseconds list_ttl{std::chrono::minutes(5)};
  std::string list_cache_scope = "public";
  // The key that seals MRTR request state (kAeadKeyBytes); every replica behind one endpoint needs the
  // same one. Empty: a random key, so state sealed by this process opens only in this process.
  std::string request_state_key;
  std::chrono::milliseconds request_state_ttl{std::chrono::minutes(10)};
  // The key that seals 2025-era session tickets (mcp/session_ticket.h), kAeadKeyBytes, the same on every
  // replica. Empty: no tickets; session ids are random and a session lives on the process that made it.
  std::string session_ticket_key;
  std::chrono::milliseconds session_max_age{std::chrono::hours(24)};  // a ticket's validity
  TaskOptions tasks;
};

class SessionImpl;

class McpServer {
 public:
  McpServer(ToolProvider& provider, ServerOptions options = {});
  ~McpServer();
  McpServer(const McpServer&) = delete;
  McpServer& operator=(const McpServer&) = delete;

  // A new session delivering through `sink`, which must outlive it. Destroying the session shuts it down
  // at once (Shutdown(0): pending calls are answered with -32603 and running ones stopped).
  std::unique_ptr<Session> CreateSession(MessageSink& sink, SessionOptions options = {});

  const ServerOptions& options() const { return options_; }
  ToolProvider& provider() { return provider_; }
  CallScheduler& scheduler() { return scheduler_; }
  // Task-augmented calls (mcp/task_runner.h); outlive the sessions that create them.
  TaskRunner& tasks() { return tasks_; }
  const RequestStateSealer& sealer() const { return sealer_; }
  // Null without a session_ticket_key.
  const SessionTickets* session_tickets() const { return session_tickets_.get(); }

 private:
  friend class SessionImpl;
  void Register(SessionImpl* session);
  void Unregister(SessionImpl* session);
  void NotifyListChanged();
  uint64_t NewSessionKey() { return next_session_key_.fetch_add(1); }

  ToolProvider& provider_;
  ServerOptions options_;
  std::mutex sessions_mu_;
  std::unordered_set<SessionImpl*> sessions_;
  std::atomic<uint64_t> next_session_key_{1};
  RequestStateSealer sealer_;
  std::unique_ptr<SessionTickets> session_tickets_;
  CallScheduler scheduler_;
  TaskRunner tasks_;  // last member: its runs stop before the rest is destroyed
};

}  // namespace lmcp::mcp
