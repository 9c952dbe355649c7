#pragma once
// McpServer: the shared MCP core. Holds the ToolProvider, the options and the worker pool that runs
// tools/call, and creates one Session per client connection (see mcp/session.h). Fans tool-list changes
// out to every initialized session. Thread-safe; must outlive its sessions.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "mcp/session.h"
#include "mcp/tool_provider.h"
#include "mcp/worker_pool.h"

namespace lmcp::mcp {

struct ServerOptions {
  size_t page_size = 100;                      // tools per tools/list page
  size_t max_message_bytes = 8 * 1024 * 1024;  // larger raw messages get -32600 and are dropped
  std::string instructions =
      "Tools here invoke AWS Lambda functions. Each tool's description says what the function does; "
      "pass arguments as described by its input schema.";
  int worker_threads = 64;         // tools/call handlers running at once, over all sessions
  size_t max_queued_calls = 1024;  // calls waiting for a worker before new ones are refused
  std::chrono::milliseconds client_request_timeout{std::chrono::minutes(5)};  // sampling/elicitation wait
  LogLevel initial_log_level = LogLevel::kInfo;  // notifications/message threshold before logging/setLevel
};

class SessionImpl;

class McpServer {
 public:
  McpServer(ToolProvider& provider, ServerOptions options = {});
  ~McpServer();
  McpServer(const McpServer&) = delete;
  McpServer& operator=(const McpServer&) = delete;

  // A new session delivering through `sink`, which must outlive it. Destroying the session shuts it down
  // at once (in-flight calls are cancelled).
  std::unique_ptr<Session> CreateSession(MessageSink& sink, SessionOptions options = {});

  const ServerOptions& options() const { return options_; }
  ToolProvider& provider() { return provider_; }
  WorkerPool& pool() { return pool_; }

 private:
  friend class SessionImpl;
  void Register(SessionImpl* session);
  void Unregister(SessionImpl* session);
  void NotifyListChanged();

  ToolProvider& provider_;
  ServerOptions options_;
  std::mutex sessions_mu_;
  std::unordered_set<SessionImpl*> sessions_;
  WorkerPool pool_;  // last member: its threads stop before the rest is destroyed
};

}  // namespace lmcp::mcp
