// `lambda-mcp config --client NAME`: prints the MCP client's config entry that starts this binary with
// `serve` and the lambda-mcp settings of the current environment (never its secrets). The config goes to
// stdout, where to put it and what was left out to stderr.

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "app/client_config.h"
#include "app/commands.h"
#include "common/strings.h"

namespace lmcp::app {

CommandRun SetUpConfig(CLI::App& command, const GlobalOptions& /*globals*/) {
  struct Options {
    std::string client;
    std::string name = "lambda-mcp";
    std::string config_file;
    std::vector<std::string> env;
  };
  auto o = std::make_shared<Options>();
  command.add_option("--client", o->client, "claude-desktop, cursor, vscode or claude-code")->required();
  command.add_option("--name", o->name, "The server's name in the client's config")->capture_default_str();
  command.add_option("--config", o->config_file, "Add `--config FILE` (made absolute) to the serve command");
  command.add_option("--env", o->env,
                     "Also pass KEY=VALUE (repeatable; this is how a secret gets in, on purpose)");
  return [o] {
    ClientConfigRequest request;
    request.client = o->client;
    request.name = o->name;
    std::error_code ec;
    request.command = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (!o->config_file.empty()) {
      request.args.push_back("--config");
      request.args.push_back(std::filesystem::absolute(o->config_file).string());
    }
    std::vector<std::string> entries;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      entries.emplace_back(*e);
    }
    std::vector<std::string> skipped;
    request.env = ConfigEnvironment(entries, skipped);
    for (const auto& kv : o->env) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "lambda-mcp config: --env " << kv << ": expected KEY=VALUE\n";
        return 2;
      }
      request.env[kv.substr(0, eq)] = kv.substr(eq + 1);
      std::erase(skipped, kv.substr(0, eq));
    }
    auto text = RenderClientConfig(request);
    if (!text.ok()) {
      std::cerr << "lambda-mcp config: " << text.error().message << "\n";
      return 2;
    }
    std::cout << *text;
    if (std::string where = ClientConfigLocation(o->client); !where.empty()) {
      std::cerr << "Add this to " << where << " (merge it into an existing \""
                << (o->client == "vscode" ? "servers" : "mcpServers") << "\" object).\n";
    }
    if (!skipped.empty()) {
      std::cerr << "Not copied (secrets stay out of config files): " << Join(skipped, ", ")
                << ". Use AWS_PROFILE, or --env KEY=VALUE on purpose.\n";
    }
    return 0;
  };
}

}  // namespace lmcp::app
