#pragma once
// Settings for `lambda-mcp serve`: a plain struct with defaults. Loading (flags > env > file) and
// validating are separate steps; Validate() reports every problem at once. Not thread-safe; built once.

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"

namespace lmcp::app {

// A static bearer token with a name: its holder is the principal "token:<name>".
struct NamedToken {
  std::string name;
  std::string file;  // the token is the file's first line
};

// serve's task flags, over the config file's `tasks:` section (app/task_config.h).
struct TaskFlags {
  bool no_tasks = false;  // --no-tasks: no task capability; optional tools run synchronously
  std::string ttl;        // --task-ttl: how long a finished task's result is kept ("" = the file's or 1h)
};

struct ServeConfig {
  std::string transport = "stdio";    // where MCP clients connect
  bool conformance_fixtures = false;  // serve the conformance fixture tools instead of Lambda functions
  size_t page_size = 100;             // tools per tools/list page
  size_t max_message_bytes = 8 * 1024 * 1024;  // larger messages are refused with -32600
  int worker_threads = 64;         // threads that start tools/call (and run tools that block while they wait)
  size_t max_calls = 0;            // tools/call in flight over all sessions; 0 = no cap beyond the others
  size_t max_queued_calls = 1024;  // calls waiting for a worker before new ones are refused
  // Fair calls (see mcp/call_scheduler.h): caps per session and per principal, and the longest wait.
  size_t max_calls_per_session = 16;            // tools/call running at once for one session
  size_t max_queued_calls_per_session = 64;     // tools/call of one session waiting for a worker
  size_t max_calls_per_principal = 32;          // running at once over all sessions of one principal
  size_t max_queued_calls_per_principal = 128;  // waiting, over all sessions of one principal
  int call_queue_timeout_ms = 30000;            // a call waiting longer is answered "not invoked"; 0 = none
  int list_ttl_ms = 300000;  // MCP 2026-07-28: how long clients may cache server/discover and tools/list
  int request_state_ttl_ms = 600000;  // MCP 2026-07-28: how long a sealed MRTR requestState is accepted
  // On SIGTERM over HTTP: /readyz fails at once and serving goes on this long (a balancer's health check
  // takes the replica out), then the server stops accepting and in-flight calls get the shutdown grace.
  int drain_delay_ms = 0;
  int shutdown_grace_ms = 5000;  // on stdin EOF or SIGTERM: running calls may finish within this, then -32603
  std::string instructions;      // empty = the built-in text
  TaskFlags tasks;               // MCP tasks: over the config file's `tasks:` section
  // Where replicas share tasks, rate limit buckets and the result cache: "redis://HOST:PORT[/DB]"; "" or
  // "memory" = in memory, per process. --state, else LAMBDA_MCP_STATE, else the config file's `state:`.
  std::string state;

  // Streamable HTTP (transport "http", chosen by --http HOST:PORT). See transport/http_server.h.
  std::string http_host = "127.0.0.1";       // anything but loopback requires authentication
  int http_port = 0;                         // 0 = any free port (the URL is printed on stderr)
  std::string auth_token_file;               // static bearer token (first line); or env LAMBDA_MCP_AUTH_TOKEN
  std::vector<NamedToken> auth_tokens;       // named tokens (config file); with or without the one above
  std::string stdio_principal = "stdio";     // the principal of the stdio client (policy, audit)
  std::string oauth_issuer;                  // OAuth resource-server mode: JWTs from this issuer
  std::vector<std::string> oauth_audiences;  // accepted `aud` values (this server's resource URL)
  std::string oauth_jwks_url;
  std::vector<std::string> oauth_required_scopes;
  int oauth_jwks_refetch_s = 30;             // unknown kid → refetch the JWKS at most this often
  std::vector<std::string> allowed_origins;  // besides loopback origins; "*" = any
  std::vector<std::string> allowed_hosts;    // Host names accepted besides loopback names
  int session_idle_timeout_s = 1800;         // idle MCP sessions expire after this
  // With a deployment key, a 2025-era session id is a ticket any replica resumes, valid this long.
  int session_max_age_s = 86400;
  int http_max_connections = 1024;  // open connections; beyond, a fast 503 (health probes still answered)
  int http_max_connections_per_address = 256;    // per client IP address
  int http_max_connections_per_principal = 256;  // per authenticated client
  int http_header_timeout_ms = 10000;            // the whole request head must arrive within this (slowloris)
  int http_max_sessions = 1000;                  // beyond, the least recently active idle session is evicted
  int http_max_sessions_per_principal = 100;
  int http_unconfirmed_session_timeout_s = 60;  // sessions that sent nothing after initialize expire sooner
  std::string public_url;                       // scheme://host[:port] as clients see it (OAuth metadata)
  bool allow_unauthenticated_remote = false;    // serve a non-loopback address without auth (warned)

  // Every problem, one per entry; empty when valid.
  std::vector<std::string> Problems() const;
  // kInvalidArgument listing every problem ("; "-separated), or Ok.
  Status Validate() const;
};

}  // namespace lmcp::app
