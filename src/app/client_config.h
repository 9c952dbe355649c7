#pragma once
// What `lambda-mcp config --client NAME` prints: the stdio server entry in each MCP client's own format.
// Pure: the caller gives the command, its arguments and the environment to pass.

#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace lmcp::app {

struct ClientConfigRequest {
  std::string client;               // claude-desktop, cursor, vscode or claude-code
  std::string name = "lambda-mcp";  // the server's key in the client's config
  std::string command;              // absolute path of lambda-mcp
  std::vector<std::string> args = {"serve"};
  std::map<std::string, std::string> env;
};

// The clients `config` knows, in the order help lists them.
const std::vector<std::string>& KnownClients();

// The config text (JSON, or the `claude mcp add` command line for claude-code), followed by a newline.
// Fails on an unknown client, naming the known ones.
Result<std::string> RenderClientConfig(const ClientConfigRequest& request);

// Where `client` reads its config, for the user to paste into ("" for claude-code: it is a command).
std::string ClientConfigLocation(const std::string& client);

// The variables of `environ` that configure lambda-mcp and are no secret: AWS_PROFILE, AWS_REGION,
// AWS_DEFAULT_REGION, AWS_ENDPOINT_URL*, AWS_CA_BUNDLE, FUNCTION_* and LAMBDA_MCP_* (but
// LAMBDA_MCP_AUTH_TOKEN). `skipped` gets the names of secrets that are set and left out (AWS keys, session
// token, the HTTP token).
std::map<std::string, std::string> ConfigEnvironment(const std::vector<std::string>& environ_entries,
                                                     std::vector<std::string>& skipped);

}  // namespace lmcp::app
