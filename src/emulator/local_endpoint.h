#pragma once
// `lambda-mcp local` as a library: options, the assembled endpoint (deployment + runtime + service + HTTP
// server) that tests start in-process on port 0, and RunLocal(), which serves until SIGINT/SIGTERM.
// A LocalEndpoint is started once and stopped once; its accessors are safe from any thread.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "emulator/faults.h"
#include "emulator/http_server.h"
#include "emulator/service.h"

namespace lmcp::emulator {

// The built-in demo credentials: public (they are in this source), so accepted only on a loopback address.
inline constexpr char kDemoAccessKeyId[] = "AKIDLOCAL";
inline constexpr char kDemoSecretAccessKey[] = "lambda-mcp-local-secret";

struct LocalOptions {
  std::string template_path;  // SAM template; empty = no template functions
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::string access_key_id = kDemoAccessKeyId;  // the credentials requests must be signed with
  std::string secret_access_key = kDemoSecretAccessKey;
  std::string session_token;  // when set, requests must carry it
  bool check_signatures = true;
  int synthetic_functions = 0;  // N echo functions for paging tests
  std::string synthetic_prefix = "synthetic-";
  std::vector<std::string> synthetic_tags;  // "key=value"
  bool echo_all = false;                    // run every function with the built-in echo runtime (benchmarks)
  std::vector<std::string> fault_flags;     // compact fault rules (see faults.h)
  std::vector<std::string> deny_flags;      // IAM_ACTION[@function]: deny rules (ParseDenyFlag)
  std::string faults_file;                  // JSON or YAML rules
  int account_concurrency = 1000;
  std::string runtimes_dir;  // empty = FindRuntimesDir()
  std::string python = "python3";
  std::string node = "node";
  bool strict = false;                           // unsupported template parts are errors, not warnings
  size_t max_body_bytes = kDefaultMaxBodyBytes;  // larger request bodies get 413 while they arrive
  int header_timeout_ms = 10'000;                // a request head must arrive within this (slowloris)
  int idle_timeout_ms = 30'000;  // longest silence inside a body, and between kept-alive requests
  int max_connections = 256;     // one more gets 503 at once
};

class LocalEndpoint {
 public:
  // Loads the template, builds the service and binds the port; does not serve yet.
  static Result<std::unique_ptr<LocalEndpoint>> Create(const LocalOptions& options,
                                                       Clock& clock = Clock::System());
  ~LocalEndpoint();

  void Start();
  void Stop();
  int port() const { return server_->port(); }
  std::string url() const;
  LocalService& service() { return *service_; }

 private:
  LocalEndpoint() = default;
  LocalOptions options_;
  std::unique_ptr<LocalService> service_;
  std::unique_ptr<HttpServer> server_;
  bool stopped_ = false;
};

// Serves until SIGINT or SIGTERM. Prints "lambda-mcp local listening on http://HOST:PORT" on stdout once
// bound (and flushes), then returns 0; or logs the error and returns 1 (2 for bad options).
int RunLocal(const LocalOptions& options);

}  // namespace lmcp::emulator
