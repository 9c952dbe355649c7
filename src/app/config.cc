#include "app/config.h"

#include "app/task_config.h"
#include "state/shared_state.h"
#include "transport/jwt_verifier.h"

namespace lmcp::app {

std::vector<std::string> ServeConfig::Problems() const {
  std::vector<std::string> problems = TaskFlagProblems(tasks);
  for (auto& problem : state::StateUrlProblems(state)) {
    problems.push_back(std::move(problem));
  }
  if (transport != "stdio" && transport != "http") {
    problems.push_back("transport must be \"stdio\" or \"http\" (got \"" + transport + "\")");
  }
  if (transport == "http") {
    if (http_port < 0 || http_port > 65535) {
      problems.push_back("HTTP port must be 0..65535");
    }
    if (session_idle_timeout_s < 1) {
      problems.push_back("session idle timeout must be at least 1 s");
    }
    if (session_max_age_s < 60) {
      problems.push_back("session max age must be at least 60 s (got " + std::to_string(session_max_age_s) +
                         ")");
    }
    if (http_max_connections < 4) {
      problems.push_back("max connections must be at least 4");
    }
    if (http_max_connections_per_address < 1 || http_max_connections_per_principal < 1) {
      problems.push_back("per-address and per-principal connection caps must be at least 1");
    }
    if (http_header_timeout_ms < 100) {
      problems.push_back("header timeout must be at least 100 ms");
    }
    if (http_max_sessions < 1 || http_max_sessions_per_principal < 1) {
      problems.push_back("session caps must be at least 1");
    }
    if (http_unconfirmed_session_timeout_s < 1) {
      problems.push_back("unconfirmed session timeout must be at least 1 s");
    }
    bool oauth = !oauth_issuer.empty() || !oauth_jwks_url.empty() || !oauth_audiences.empty();
    if (oauth && (oauth_issuer.empty() || oauth_jwks_url.empty() || oauth_audiences.empty())) {
      problems.push_back("OAuth needs --oauth-issuer, --oauth-audience and --oauth-jwks-url together");
    }
    if (!oauth_jwks_url.empty()) {
      if (Status url = transport::CheckJwksUrl(oauth_jwks_url); !url.ok()) {
        problems.push_back(url.error().message);
      }
    }
  }
  if (page_size == 0 || page_size > 10000) {
    problems.push_back("page size must be between 1 and 10000 (got " + std::to_string(page_size) + ")");
  }
  if (max_message_bytes < 1024) {
    problems.push_back("max message bytes must be at least 1024 (got " + std::to_string(max_message_bytes) +
                       ")");
  }
  if (worker_threads < 1 || worker_threads > 1024) {
    problems.push_back("worker threads must be between 1 and 1024 (got " + std::to_string(worker_threads) +
                       ")");
  }
  if (max_queued_calls < 1) {
    problems.push_back("max queued calls must be at least 1");
  }
  if (max_calls_per_session < 1 || max_queued_calls_per_session < 1) {
    problems.push_back("max calls and max queued calls per session must be at least 1");
  }
  if (max_calls_per_principal < max_calls_per_session) {
    problems.push_back("max calls per principal (" + std::to_string(max_calls_per_principal) +
                       ") must be at least max calls per session (" + std::to_string(max_calls_per_session) +
                       ")");
  }
  if (max_queued_calls_per_principal < max_queued_calls_per_session) {
    problems.push_back("max queued calls per principal (" + std::to_string(max_queued_calls_per_principal) +
                       ") must be at least max queued calls per session (" +
                       std::to_string(max_queued_calls_per_session) + ")");
  }
  if (call_queue_timeout_ms < 0) {
    problems.push_back("call queue timeout must not be negative (got " +
                       std::to_string(call_queue_timeout_ms) + " ms)");
  }
  if (list_ttl_ms < 0) {
    problems.push_back("list TTL must not be negative (got " + std::to_string(list_ttl_ms) + " ms)");
  }
  if (request_state_ttl_ms <= 0) {
    problems.push_back("request state TTL must be positive (got " + std::to_string(request_state_ttl_ms) +
                       " ms)");
  }
  if (drain_delay_ms < 0 || drain_delay_ms > 600'000) {
    problems.push_back("drain delay must be 0..600000 ms (got " + std::to_string(drain_delay_ms) + ")");
  }
  if (shutdown_grace_ms < 0) {
    problems.push_back("shutdown grace must not be negative (got " + std::to_string(shutdown_grace_ms) +
                       " ms)");
  }
  return problems;
}

Status ServeConfig::Validate() const {
  auto problems = Problems();
  if (problems.empty()) {
    return Ok();
  }
  std::string message = "invalid serve configuration: ";
  for (size_t i = 0; i < problems.size(); ++i) {
    message += (i > 0 ? "; " : "") + problems[i];
  }
  return Error::InvalidArgument(message);
}

}  // namespace lmcp::app
