#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "app/serve_http.h"
#include "common/host_policy.h"
#include "common/log_text.h"
#include "mcp/protocol.h"
#include "transport/http_auth.h"
#include "transport/jwt_verifier.h"

namespace lmcp::app {

Status ParseHttpListen(const std::string& spec, ServeConfig& config) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos) {
    return Error::InvalidArgument("--http wants HOST:PORT (got \"" + spec + "\")");
  }
  std::string host = spec.substr(0, colon);
  std::string port = spec.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) {
    host = "127.0.0.1";
  }
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) {
    return Error::InvalidArgument("--http port must be 0..65535 (got \"" + port + "\")");
  }
  config.transport = "http";
  config.http_host = host;
  config.http_port = static_cast<int>(p);
  return Ok();
}

namespace {

// A static token must be strong enough to face the network: beyond loopback a weak one is refused, on
// loopback it is a warning. The token itself is never logged.
Status CheckStaticTokenStrength(const std::string& token, const std::string& source,
                                const std::string& host) {
  double bits = transport::EstimateTokenBits(token);
  if (bits >= transport::kMinTokenBits) {
    return Ok();
  }
  std::string what = "the bearer token from " + source + " looks weak (about " +
                     std::to_string(static_cast<int>(bits)) + " bits of entropy estimated, " +
                     std::to_string(static_cast<int>(transport::kMinTokenBits)) +
                     " needed beyond loopback); make a random one with `openssl rand -hex 32`";
  if (IsLoopbackBindAddress(host)) {
    spdlog::warn("http: {}", what);
    return Ok();
  }
  return Error::InvalidArgument("refusing to serve " + ForLog(host) + ": " + what);
}

Result<std::shared_ptr<transport::Authenticator>> MakeAuthenticator(const ServeConfig& config) {
  if (!config.oauth_issuer.empty()) {
    transport::JwtConfig jwt;
    jwt.issuer = config.oauth_issuer;
    jwt.audiences = config.oauth_audiences;
    jwt.jwks_url = config.oauth_jwks_url;
    jwt.required_scopes = config.oauth_required_scopes;
    jwt.min_refetch_interval = std::chrono::seconds(config.oauth_jwks_refetch_s);
    spdlog::info("http: OAuth resource-server mode (issuer {}, JWKS {})", ForLog(jwt.issuer),
                 ForLog(jwt.jwks_url));
    return transport::NewJwtAuthenticator(std::move(jwt), Clock::System());
  }
  std::string token;
  std::string source;
  if (!config.auth_token_file.empty()) {
    auto read = transport::ReadTokenFile(config.auth_token_file);
    if (!read.ok()) {
      return read.error();
    }
    token = *read;
    source = ForLog(config.auth_token_file);
  } else if (const char* env = std::getenv("LAMBDA_MCP_AUTH_TOKEN"); env && *env) {
    token = env;
    source = "LAMBDA_MCP_AUTH_TOKEN";
    if (token.size() < 16) {
      return Error::InvalidArgument("LAMBDA_MCP_AUTH_TOKEN must be at least 16 characters");
    }
  }
  if (token.empty()) {
    return std::shared_ptr<transport::Authenticator>();
  }
  if (Status strong = CheckStaticTokenStrength(token, source, config.http_host); !strong.ok()) {
    return strong.error();
  }
  spdlog::info("http: static bearer token authentication");
  return std::shared_ptr<transport::Authenticator>(
      std::make_shared<transport::StaticTokenAuthenticator>(token));
}

}  // namespace

Result<std::unique_ptr<transport::HttpServer>> StartHttpServer(const ServeConfig& config,
                                                               mcp::McpServer& server,
                                                               std::function<bool()> ready,
                                                               HttpMetrics metrics) {
  auto auth = MakeAuthenticator(config);
  if (!auth.ok()) {
    return auth.error();
  }
  if (!*auth) {
    spdlog::warn("http: authentication is off (loopback only)");
  }

  transport::HttpServerOptions options;
  options.host = config.http_host;
  options.port = config.http_port;
  options.origin_policy.allowed_origins = config.allowed_origins;
  options.origin_policy.allowed_hosts = config.allowed_hosts;
  options.session_idle_timeout = std::chrono::seconds(config.session_idle_timeout_s);
  options.reap_interval =
      std::clamp(options.session_idle_timeout / 2, std::chrono::seconds(1), std::chrono::seconds(5));
  options.max_body_bytes = config.max_message_bytes;
  options.max_connections = static_cast<size_t>(config.http_max_connections);
  options.max_connections_per_address = static_cast<size_t>(config.http_max_connections_per_address);
  options.max_connections_per_principal = static_cast<size_t>(config.http_max_connections_per_principal);
  options.header_timeout = std::chrono::milliseconds(config.http_header_timeout_ms);
  options.max_sessions = static_cast<size_t>(config.http_max_sessions);
  options.max_sessions_per_principal = static_cast<size_t>(config.http_max_sessions_per_principal);
  options.unconfirmed_session_timeout = std::chrono::seconds(config.http_unconfirmed_session_timeout_s);
  options.shutdown_grace = std::chrono::milliseconds(config.shutdown_grace_ms);
  options.public_url = config.public_url;
  options.allow_unauthenticated_remote = config.allow_unauthenticated_remote;
  options.protocol_versions = mcp::SupportedProtocolVersions();
  options.metrics_public = metrics.is_public;

  transport::HttpServerDeps deps;
  deps.session_factory = [&server](mcp::MessageSink& sink, const mcp::SessionOptions& session_options) {
    return server.CreateSession(sink, session_options);
  };
  deps.authenticator = *auth;
  deps.ready = std::move(ready);
  deps.metrics = std::move(metrics.expose);
  deps.input_schema = [&server](const std::string& tool) -> std::optional<mcp::Json> {
    auto tools = server.provider().ListTools();
    const mcp::ToolDefinition* found = tools.ok() ? mcp::FindTool(**tools, tool) : nullptr;
    return found != nullptr ? std::optional<mcp::Json>(found->input_schema) : std::nullopt;
  };

  auto http = std::make_unique<transport::HttpServer>(std::move(options), std::move(deps));
  if (Status started = http->Start(); !started.ok()) {
    return started.error();
  }
  // A fixed, parseable line for scripts and tests (independent of the log level).
  std::fprintf(stderr, "lambda-mcp: listening on %s\n", http->url().c_str());
  std::fflush(stderr);
  return http;
}

}  // namespace lmcp::app
