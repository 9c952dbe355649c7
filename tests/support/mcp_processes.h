#pragma once
// Black-box test support: the real binaries as child processes on loopback. LocalEndpoint runs
// `lambda-mcp local` with synthetic echo functions and fault injection; StdioServer and HttpServerProcess run
// `lambda-mcp serve` in front of it; McpHttpClient speaks Streamable HTTP (JSON or SSE answers) with
// cpp-httplib; tests/support/raw_socket.h sends bytes no well-behaved client would. Binaries: ServeBinary(),
// LocalBinary(); logs go under the build dir. Single-threaded use per object.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_process.h"
#include "tests/support/raw_socket.h"

namespace lmcp::test_support {

using Json = nlohmann::json;
using bench::Child;
using bench::McpClient;

std::string EnvOr(const char* name, const std::string& fallback = "");
// "<LMCP_BUILD_DIR or the build dir>/<name>.log"
std::string TestLogPath(const std::string& name);
// The binaries under test: LMCP_BIN / LMCP_LOCAL_BIN, else the ones this build made.
std::string ServeBinary();
std::string LocalBinary();
// The whole text of a file ("" when missing).
std::string ReadFileText(const std::string& path);
// VmRSS of a process in kB (0 when unknown).
long RssKb(int pid);

// `lambda-mcp local --echo` with `functions` synthetic functions named "<prefix>0001"…, on a free port.
class LocalEndpoint {
 public:
  static constexpr const char* kAccessKey = "AKIDBLACKBOX";
  static constexpr const char* kSecretKey = "black-box-test-secret";

  // False (with a test failure) when it does not start. `extra` is appended to the command line.
  bool Start(const std::string& log_name, const std::vector<std::string>& extra = {}, int functions = 2,
             const std::string& prefix = "fn-");
  // Set before Start: false leaves out --echo, so the functions of a `--template` in `extra` run their
  // handlers (the synthetic functions echo either way).
  bool echo = true;
  ~LocalEndpoint();

  const std::string& url() const { return url_; }
  const std::string& prefix() const { return prefix_; }
  Child& child() { return child_; }
  // /__admin/faults: rules as in src/emulator/faults.h.
  bool SetFaults(const Json& rules);
  void ClearFaults();
  void ResetStats();
  int Invocations(const std::string& function);
  int Operations(const std::string& operation);

 private:
  Child child_;
  std::string url_;
  std::string prefix_;
};

// Environment for `lambda-mcp serve` against `endpoint` (static keys, no profiles, FUNCTION_PREFIX, no
// audit).
std::map<std::string, std::string> ServeEnv(const LocalEndpoint& endpoint);

// `lambda-mcp serve` over stdio, initialized.
class StdioServer {
 public:
  bool Start(const LocalEndpoint& endpoint, const std::string& log_name,
             const std::map<std::string, std::string>& extra_env = {},
             const std::vector<std::string>& extra_args = {});
  // Set before Start: the version Start initializes with; empty: Start does not initialize.
  std::string protocol_version = "2025-11-25";
  ~StdioServer();

  // The first tool whose name contains "0001" (or the first tool); "" when none is listed.
  std::string FindTool();
  std::optional<Json> CallTool(const std::string& tool, const Json& arguments,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));
  McpClient& client() { return *client_; }
  Child& child() { return child_; }
  const std::string& log_path() const { return log_path_; }

 private:
  Child child_;
  std::unique_ptr<McpClient> client_;
  std::string log_path_;
};

// `lambda-mcp serve --http 127.0.0.1:0` (plus `extra_args`), started and bound. Not initialized: HTTP
// clients open their own sessions.
class HttpServerProcess {
 public:
  bool Start(const LocalEndpoint& endpoint, const std::string& log_name,
             const std::map<std::string, std::string>& extra_env = {},
             const std::vector<std::string>& extra_args = {});
  // Spawns with exactly these arguments after `serve` and waits for the "listening on" line; false (without a
  // test failure) when the process exits first or nothing is printed within `timeout`.
  bool StartRaw(const std::vector<std::string>& serve_args, const std::map<std::string, std::string>& env,
                const std::string& log_name, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpServerProcess();

  int port() const { return port_; }
  const std::string& url() const { return url_; }  // http://127.0.0.1:PORT/mcp
  Child& child() { return child_; }
  const std::string& log_path() const { return log_path_; }
  std::string log() const { return ReadFileText(log_path_); }

 private:
  Child child_;
  std::string url_;
  std::string log_path_;
  int port_ = 0;
};

// One HTTP exchange with cpp-httplib on a new connection (`timeout` per step).
struct HttpReply {
  long status = 0;                             // 0: no response (connection failed, reset or timed out)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  // The JSON-RPC messages of the body: the JSON value (an array is split), or every SSE `data:` event.
  std::vector<Json> Messages() const;
};
HttpReply HttpExchange(const std::string& method, const std::string& url,
                       const std::map<std::string, std::string>& headers, const std::string& body,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A Streamable HTTP client for one MCP session.
class McpHttpClient {
 public:
  explicit McpHttpClient(std::string url, std::string token = "")
      : url_(std::move(url)), token_(std::move(token)) {}

  // initialize (+ notifications/initialized); the initialize response, or nullopt.
  std::optional<Json> Initialize(const std::string& protocol_version = "2025-11-25");
  // A request in this session; its response, or nullopt. `reply` (optional) receives the HTTP exchange.
  std::optional<Json> Request(const std::string& method, const Json& params,
                              std::chrono::milliseconds timeout = std::chrono::seconds(30),
                              HttpReply* reply = nullptr);
  // The headers this client sends on a POST (Accept, Content-Type, session, version, Authorization).
  std::map<std::string, std::string> PostHeaders() const;
  const std::string& session_id() const { return session_id_; }

 private:
  std::string url_;
  std::string token_;
  std::string session_id_;
  std::string protocol_version_;
  long next_id_ = 1;
};

// Passes when a fresh HTTP session can initialize, list the tools and call one successfully (isError false).
::testing::AssertionResult NormalHttpCallWorks(const std::string& url, const std::string& token = "");
// Passes when `server` lists a tool and calls it successfully.
::testing::AssertionResult NormalStdioCallWorks(StdioServer& server);

}  // namespace lmcp::test_support
