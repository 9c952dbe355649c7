#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "app/serve_http.h"
#include "aws/asio_http_client.h"
#include "common/host_policy.h"
#include "common/log_text.h"
#include "mcp/protocol.h"
#include "transport/auth_chain.h"
#include "transport/http_auth.h"
#include "transport/jwt_verifier.h"

namespace lmcp::app {

namespace {

// The JWKS document over the aws layer's HTTP client: http(s) only, no redirects, 3 s to connect, 5 s
// without progress, 1 MiB cap; TLS verified against the system CA store, proxies from the environment.
class HttpJwksFetcher final : public transport::JwksFetcher {
 public:
  Result<std::string> Fetch(const std::string& url) override {
    aws::HttpRequest request{.method = "GET",
                             .url = url,
                             .connect_timeout = std::chrono::seconds(3),
                             .read_timeout = std::chrono::seconds(5),
                             .max_response_bytes = 1024 * 1024};
    auto r = http_.Send(request);
    if (!r.ok()) {
      return Error::Unavailable("JWKS fetch failed: " + r.error().message);
    }
    if (r->status != 200) {
      return Error::Unavailable("JWKS fetch: HTTP " + std::to_string(r->status));
    }
    return std::move(r->body);
  }

 private:
  aws::AsioHttpClient http_;
};

}  // namespace

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
  auto weak = transport::WeakTokenProblem(token, source);
  if (!weak) {
    return Ok();
  }
  if (IsLoopbackBindAddress(host)) {
    spdlog::warn("http: {}", *weak);
    return Ok();
  }
  return Error::InvalidArgument("refusing to serve " + ForLog(host) + ": " + *weak);
}

// The one static token of --auth-token-file or LAMBDA_MCP_AUTH_TOKEN; null when neither is set.
Result<std::shared_ptr<transport::Authenticator>> MakeStaticTokenAuthenticator(const ServeConfig& config) {
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

Result<std::shared_ptr<transport::Authenticator>> MakeAuthenticator(const ServeConfig& config) {
  std::vector<std::shared_ptr<transport::Authenticator>> members;
  if (!config.auth_tokens.empty()) {
    std::vector<transport::NamedTokensAuthenticator::TokenFile> files;
    for (const auto& token : config.auth_tokens) {
      files.push_back({.name = token.name, .path = token.file});
    }
    auto named = transport::NamedTokensAuthenticator::Load(files, IsLoopbackBindAddress(config.http_host));
    if (!named.ok()) {
      return named.error();
    }
    spdlog::info("http: {} named bearer token(s)", files.size());
    members.push_back(*named);
  }
  auto single = MakeStaticTokenAuthenticator(config);
  if (!single.ok()) {
    return single.error();
  }
  if (*single) {
    members.push_back(*single);
  }
  if (!config.oauth_issuer.empty()) {
    transport::JwtConfig jwt;
    jwt.issuer = config.oauth_issuer;
    jwt.audiences = config.oauth_audiences;
    jwt.jwks_url = config.oauth_jwks_url;
    jwt.required_scopes = config.oauth_required_scopes;
    jwt.min_refetch_interval = std::chrono::seconds(config.oauth_jwks_refetch_s);
    spdlog::info("http: OAuth resource-server mode (issuer {}, JWKS {})", ForLog(jwt.issuer),
                 ForLog(jwt.jwks_url));
    auto oauth =
        transport::NewJwtAuthenticator(std::move(jwt), std::make_unique<HttpJwksFetcher>(), Clock::System());
    if (!oauth.ok()) {
      return oauth.error();
    }
    members.push_back(*oauth);
  }
  if (members.empty()) {
    return std::shared_ptr<transport::Authenticator>();
  }
  if (members.size() == 1) {
    return members[0];
  }
  return std::shared_ptr<transport::Authenticator>(
      std::make_shared<transport::AnyOfAuthenticator>(std::move(members)));
}

Result<std::unique_ptr<transport::HttpServer>> StartHttpServer(
    const ServeConfig& config, mcp::McpServer& server, std::shared_ptr<transport::Authenticator> auth,
    std::function<bool()> ready, std::function<mcp::Json()> ready_detail, HttpMetrics metrics) {
  if (!auth) {
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
  deps.authenticator = std::move(auth);
  deps.ready = std::move(ready);
  deps.metrics = std::move(metrics.expose);
  deps.ready_detail = std::move(ready_detail);
  deps.session_tickets = server.session_tickets();
  deps.input_schema = [&server](const mcp::Identity& caller,
                                const std::string& tool) -> std::optional<mcp::Json> {
    auto tools = server.provider().ListToolsFor(caller);
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
