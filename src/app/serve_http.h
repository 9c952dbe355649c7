#pragma once
// `lambda-mcp serve --http HOST:PORT`: builds the authenticator from the config (named tokens, a static token
// from file or env LAMBDA_MCP_AUTH_TOKEN, OAuth/JWKS) and starts the Streamable HTTP transport over `server`.
// Prints "lambda-mcp: listening on http://HOST:PORT/mcp" on stderr once bound. The caller stops it on a
// signal.

#include <functional>
#include <memory>
#include <string>

#include "app/config.h"
#include "common/result.h"
#include "mcp/server.h"
#include "transport/http_server.h"

namespace lmcp::app {

// Parses "HOST:PORT", "[::1]:PORT" or ":PORT" into config.http_host / http_port and sets transport "http".
Status ParseHttpListen(const std::string& spec, ServeConfig& config);

// The authenticator the config asks for: named tokens (config file), one static token (--auth-token-file or
// LAMBDA_MCP_AUTH_TOKEN) and OAuth, any of which may accept a request; null when none is configured.
Result<std::shared_ptr<transport::Authenticator>> MakeAuthenticator(const ServeConfig& config);

// `auth` null = no authentication (loopback only); `ready` backs /readyz (the catalog's first discovery),
// null = always ready; `ready_detail` adds members to its body (each target's status), null = none.
Result<std::unique_ptr<transport::HttpServer>> StartHttpServer(
    const ServeConfig& config, mcp::McpServer& server, std::shared_ptr<transport::Authenticator> auth,
    std::function<bool()> ready, std::function<mcp::Json()> ready_detail = nullptr);

}  // namespace lmcp::app
