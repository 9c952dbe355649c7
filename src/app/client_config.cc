#include "app/client_config.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace lmcp::app {
namespace {

using Json = nlohmann::ordered_json;

// POSIX shell quoting: bare when only safe characters, else in single quotes.
std::string ShellWord(const std::string& word) {
  bool safe = !word.empty();
  for (char c : word) {
    safe = safe && (std::isalnum(static_cast<unsigned char>(c)) ||
                    std::string_view("/._-=:,@+").find(c) != std::string_view::npos);
  }
  if (safe) {
    return word;
  }
  std::string out = "'";
  for (char c : word) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

Json StdioEntry(const ClientConfigRequest& r, bool with_type) {
  Json entry = Json::object();
  if (with_type) {
    entry["type"] = "stdio";
  }
  entry["command"] = r.command;
  entry["args"] = r.args;
  entry["env"] = Json::object();
  for (const auto& [k, v] : r.env) {
    entry["env"][k] = v;
  }
  return entry;
}

}  // namespace

const std::vector<std::string>& KnownClients() {
  static const std::vector<std::string> clients = {"claude-desktop", "cursor", "vscode", "claude-code"};
  return clients;
}

Result<std::string> RenderClientConfig(const ClientConfigRequest& r) {
  if (r.client == "claude-desktop" || r.client == "cursor") {
    return Json{{"mcpServers", {{r.name, StdioEntry(r, false)}}}}.dump(2) + "\n";
  }
  if (r.client == "vscode") {
    return Json{{"servers", {{r.name, StdioEntry(r, true)}}}}.dump(2) + "\n";
  }
  if (r.client == "claude-code") {
    std::string line = "claude mcp add " + ShellWord(r.name);
    for (const auto& [k, v] : r.env) {
      line += " -e " + ShellWord(k + "=" + v);
    }
    line += " -- " + ShellWord(r.command);
    for (const auto& a : r.args) {
      line += " " + ShellWord(a);
    }
    return line + "\n";
  }
  std::string hint = ClosestMatch(r.client, KnownClients());
  return Error::InvalidArgument("--client: unknown client '" + r.client + "'" +
                                (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                                " (known: " + Join(KnownClients(), ", ") + ")");
}

std::string ClientConfigLocation(const std::string& client) {
  if (client == "claude-desktop") {
    return "claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: "
           "%APPDATA%\\Claude\\)";
  }
  if (client == "cursor") {
    return "~/.cursor/mcp.json, or .cursor/mcp.json in a project";
  }
  if (client == "vscode") {
    return ".vscode/mcp.json in the workspace (or the MCP: Open User Configuration command)";
  }
  return "";
}

std::map<std::string, std::string> ConfigEnvironment(const std::vector<std::string>& environ_entries,
                                                     std::vector<std::string>& skipped) {
  static const std::vector<std::string> kSecrets = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                    "AWS_SESSION_TOKEN", "LAMBDA_MCP_AUTH_TOKEN"};
  static const std::vector<std::string> kAws = {"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
                                                "AWS_CA_BUNDLE"};
  std::map<std::string, std::string> out;
  for (const auto& entry : environ_entries) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      continue;
    }
    std::string name = entry.substr(0, eq);
    if (std::find(kSecrets.begin(), kSecrets.end(), name) != kSecrets.end()) {
      skipped.push_back(name);
      continue;
    }
    if (name.starts_with("FUNCTION_") || name.starts_with("LAMBDA_MCP_") ||
        name.starts_with("AWS_ENDPOINT_URL") || std::find(kAws.begin(), kAws.end(), name) != kAws.end()) {
      out[name] = entry.substr(eq + 1);
    }
  }
  return out;
}

}  // namespace lmcp::app
