// The fault matrix: black-box, over loopback. Starts the local Lambda endpoint (zero-work echo functions) and
// `lambda-mcp serve` in front of it, injects one AWS-side fault per case through /__admin/faults, makes one
// tools/call and checks that (1) the failure reaches the client as a clear isError result or JSON-RPC error,
// (2) the server keeps serving (a clean call succeeds right after), (3) no invoke was duplicated (the
// endpoint's invocation counter), and at the end (4) the server's memory is back near its baseline.
// Each case prints its observed outcome ("FAULT <case>: ..."). Binaries: LMCP_BIN and LMCP_LOCAL_BIN.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/mcp_processes.h"

namespace lmcp::faults {
namespace {

using bench::Child;
using bench::Json;
using bench::McpClient;
using namespace std::chrono_literals;

using test_support::LocalEndpoint;
constexpr const char* kAccessKey = LocalEndpoint::kAccessKey;
constexpr const char* kSecretKey = LocalEndpoint::kSecretKey;
constexpr const char* kFunction = "fault-0001";

using Endpoint = LocalEndpoint;

std::string LogPath(const std::string& what) { return test_support::TestLogPath("fault_matrix_" + what); }

// lambda-mcp serve against the endpoint, initialized, with its tool list read.
class Server {
 public:
  bool Start(const LocalEndpoint& endpoint, std::map<std::string, std::string> extra_env = {},
             bool require_tools = true) {
    std::string bin = test_support::ServeBinary();
    auto env = test_support::ServeEnv(endpoint);
    for (auto& [k, v] : extra_env) {
      env[k] = v;
    }
    if (!child_.Spawn({bin, "serve"}, env, LogPath("server"))) {
      return false;
    }
    client_ = std::make_unique<McpClient>(child_);
    if (!client_->Initialize()) {
      ADD_FAILURE() << "initialize failed";
      return false;
    }
    if (!require_tools) {
      return true;
    }
    return FindTool();
  }
  // Lists the tools and picks the one the calls go to; false (with a test failure) when there are none.
  bool FindTool(bool report = true) {
    auto tools = client_->ListAllTools();
    if (!tools || tools->empty()) {
      if (!report) {
        return false;
      }
      ADD_FAILURE() << "serve lists no tools against the local endpoint (catalog not wired?)";
      return false;
    }
    for (const Json& t : *tools) {
      std::string name = t.value("name", "");
      if (name.find("0001") != std::string::npos) {
        tool_ = name;
      }
    }
    if (tool_.empty()) {
      tool_ = (*tools)[0]["name"];
    }
    return true;
  }
  ~Server() {
    if (child_.pid() > 0) {
      child_.CloseStdin();
      child_.Wait(10s);
    }
  }
  std::optional<Json> Call(const Json& arguments, std::chrono::milliseconds timeout = 60s) {
    return client_->Call("tools/call", {{"name", tool_}, {"arguments", arguments}}, timeout);
  }
  Child& child() { return child_; }
  bool alive() { return child_.alive(); }

 private:
  Child child_;
  std::unique_ptr<McpClient> client_;
  std::string tool_;
};

// What the client saw for one call.
struct Outcome {
  enum Kind { kOk, kToolError, kRpcError, kNoAnswer } kind = kNoAnswer;
  std::string text;  // the error message or the first text block
  double ms = 0;

  std::string Describe() const {
    const char* k[] = {"success", "isError", "JSON-RPC error", "NO ANSWER"};
    std::string t = text.size() > 160 ? text.substr(0, 160) + "..." : text;
    return std::string(k[kind]) + " after " + std::to_string(static_cast<int>(ms)) + " ms: " + t;
  }
  bool clear_failure() const { return (kind == kToolError || kind == kRpcError) && text.size() >= 10; }
};

Outcome Classify(const std::optional<Json>& r, double ms) {
  Outcome o;
  o.ms = ms;
  if (!r) {
    return o;
  }
  if (r->contains("error")) {
    o.kind = Outcome::kRpcError;
    o.text = (*r)["error"].value("message", "");
    return o;
  }
  const Json& result = (*r)["result"];
  o.kind = result.value("isError", false) ? Outcome::kToolError : Outcome::kOk;
  if (result.contains("content") && result["content"].is_array() && !result["content"].empty()) {
    o.text = result["content"][0].value("text", "");
  }
  return o;
}

class FaultMatrix : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    endpoint_ = new Endpoint();
    if (!endpoint_->Start("fault_matrix_endpoint", {}, 2, "fault-")) {
      return;
    }
    server_ = new Server();
    if (!server_->Start(*endpoint_, {{"LAMBDA_MCP_INVOKE_TIMEOUT_SECONDS", "2"}})) {
      return;
    }
    // Warm up, then take the baseline RSS.
    for (int i = 0; i < 50; ++i) {
      server_->Call({{"warm", i}});
    }
    baseline_rss_kb_ = server_->child().RssKb();
    ready_ = true;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete endpoint_;
    server_ = nullptr;
    endpoint_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(ready_) << "fault matrix set-up failed (see above and " << LogPath("server") << ")";
    endpoint_->ClearFaults();
    endpoint_->ResetStats();
  }

  // Injects `rules`, makes one call, clears the faults, checks the server still serves; returns the outcome
  // and the number of invocations the endpoint ran for that one call.
  // `next_may_fail_once`: the fault leaves a dead connection in the client's pool that the next call may pick
  // up before the reset arrives; that call must then fail clearly without invoking (the request may have been
  // received, so it is not re-sent), and the one after it must succeed.
  std::pair<Outcome, int> RunCase(const std::string& name, const Json& rules,
                                  const Json& args = {{"case", 1}}, std::chrono::milliseconds settle = 0ms,
                                  bool next_may_fail_once = false) {
    endpoint_->SetFaults(rules);
    auto t0 = bench::Now();
    auto r = server_->Call(args);
    Outcome o = Classify(r, bench::MsSince(t0));
    std::this_thread::sleep_for(settle);  // let a stalled invoke finish on the endpoint before counting
    int invocations = endpoint_->Invocations(kFunction);
    int attempts = endpoint_->Operations("Invoke");
    endpoint_->ClearFaults();
    endpoint_->ResetStats();
    auto after = server_->Call({{"after", name}});
    Outcome a = Classify(after, 0);
    std::string next = a.kind == Outcome::kOk ? "ok" : a.Describe();
    if (next_may_fail_once && a.kind != Outcome::kOk) {
      EXPECT_TRUE(a.clear_failure()) << name << ": " << a.Describe();
      EXPECT_EQ(endpoint_->Invocations(kFunction), 0) << name << ": the failed next call invoked";
      a = Classify(server_->Call({{"after", name}, {"again", true}}), 0);
      next += "; the call after it: " + std::string(a.kind == Outcome::kOk ? "ok" : a.Describe());
    }
    std::printf("FAULT %-28s %s | endpoint: %d Invoke request(s), %d invocation(s) | next call: %s\n",
                name.c_str(), o.Describe().c_str(), attempts, invocations, next.c_str());
    std::fflush(stdout);
    EXPECT_NE(o.kind, Outcome::kNoAnswer) << name << ": the client got no answer";
    EXPECT_TRUE(server_->alive()) << name << ": the server died";
    EXPECT_EQ(a.kind, Outcome::kOk) << name << ": the server did not keep serving: " << a.Describe();
    EXPECT_LE(invocations, 1) << name << ": the invoke was duplicated";
    return {o, invocations};
  }

  static Json Rule(const std::string& type, Json extra = Json::object()) {
    Json r = {{"operation", "Invoke"}, {"function", kFunction}, {"type", type}};
    for (auto& [k, v] : extra.items()) {
      r[k] = v;
    }
    return Json::array({r});
  }

  static inline Endpoint* endpoint_ = nullptr;
  static inline Server* server_ = nullptr;
  static inline long baseline_rss_kb_ = 0;
  static inline bool ready_ = false;
};

TEST_F(FaultMatrix, ThrottleOnceWithRetryAfterIsRetried) {
  auto [o, n] = RunCase("429 Retry-After:1, once",
                        Rule("throttle", {{"status", 429}, {"retry_after_seconds", 1}, {"count", 1}}));
  EXPECT_TRUE(o.kind == Outcome::kOk || o.clear_failure()) << o.Describe();
  EXPECT_EQ(n, o.kind == Outcome::kOk ? 1 : 0);
}

TEST_F(FaultMatrix, ThrottleAlwaysIsAClearError) {
  auto [o, n] =
      RunCase("429 Retry-After:1, always", Rule("throttle", {{"status", 429}, {"retry_after_seconds", 1}}));
  EXPECT_TRUE(o.clear_failure()) << o.Describe();
  EXPECT_EQ(n, 0);
}

TEST_F(FaultMatrix, ServerError500Once) {
  auto [o, n] = RunCase("500 ServiceException, once", Rule("error", {{"status", 500}, {"count", 1}}));
  EXPECT_TRUE(o.kind == Outcome::kOk || o.clear_failure()) << o.Describe();
}

TEST_F(FaultMatrix, Unavailable503Always) {
  auto [o, n] = RunCase("503 always", Rule("error", {{"status", 503}}));
  EXPECT_TRUE(o.clear_failure()) << o.Describe();
  EXPECT_EQ(n, 0);
}

TEST_F(FaultMatrix, ProxyHtmlErrorPage) {
  auto [o, n] = RunCase("502 HTML page (a proxy's)", Rule("malformed", {{"status", 502}}));
  EXPECT_TRUE(o.clear_failure()) << o.Describe();
  EXPECT_NE(o.text.find("502"), std::string::npos) << o.Describe();
  EXPECT_EQ(n, 0);
}

TEST_F(FaultMatrix, ResponseBodyCutInHalf) {
  // A 200 whose payload is half a JSON document: Invoke payloads are the function's own bytes, so the
  // server passes them on as text; what matters is one invocation and a server that keeps serving.
  auto [o, n] = RunCase("200 with half a body", Rule("malformed"), {{"case", "cut-me-in-half"}});
  EXPECT_TRUE(o.kind == Outcome::kOk || o.clear_failure()) << o.Describe();
  EXPECT_EQ(n, 1);
}

TEST_F(FaultMatrix, ResetBeforeAnyResponse) {
  auto [o, n] = RunCase("reset, no response (once)", Rule("reset", {{"count", 1}}));
  EXPECT_TRUE(o.kind == Outcome::kOk || o.clear_failure()) << o.Describe();
}

TEST_F(FaultMatrix, ResetBeforeBodyIsNotRetried) {
  // The function ran; the response broke after its headers. Retrying would run it twice.
  auto [o, n] = RunCase("reset before body (once)", Rule("reset_before_body", {{"count", 1}}));
  EXPECT_TRUE(o.clear_failure()) << o.Describe();
  EXPECT_EQ(n, 1);
}

TEST_F(FaultMatrix, ResetAfterBody) {
  auto [o, n] =
      RunCase("reset after body (once)", Rule("reset_after_body", {{"count", 1}}), {{"case", 1}}, 0ms,
              /*next_may_fail_once=*/true);
  EXPECT_TRUE(o.kind == Outcome::kOk || o.clear_failure()) << o.Describe();
  EXPECT_EQ(n, 1);
}

TEST_F(FaultMatrix, SlowResponseSucceeds) {
  auto [o, n] = RunCase("slow response (500 ms)", Rule("latency", {{"latency_ms", 500}}));
  EXPECT_EQ(o.kind, Outcome::kOk) << o.Describe();
  EXPECT_GE(o.ms, 500);
  EXPECT_EQ(n, 1);
}

TEST_F(FaultMatrix, StalledResponseHitsReadTimeout) {
  // The server's invoke timeout is 2 s (LAMBDA_MCP_INVOKE_TIMEOUT_SECONDS); the endpoint stalls 4 s.
  auto [o, n] = RunCase("stalled 4 s > read timeout 2 s", Rule("latency", {{"latency_ms", 4000}}),
                        {{"case", 1}}, 3000ms);
  EXPECT_TRUE(o.clear_failure()) << o.Describe();
  EXPECT_LT(o.ms, 3900) << "the read timeout did not fire";
  EXPECT_LE(n, 1);
}

TEST_F(FaultMatrix, ErrorBodyThatIsNotJson) {
  // A 502 whose error body the endpoint shapes; the server must still say what happened.
  auto [o, n] = RunCase(
      "502 with error code BadGateway",
      Rule("error", {{"status", 502}, {"code", "BadGateway"}, {"message", "<html>bad gateway</html>"}}));
  EXPECT_TRUE(o.clear_failure()) << o.Describe();
}

TEST_F(FaultMatrix, LargeResultArrivesWhole) {
  // A 2 MiB event echoed back: under the default result cap, which is Lambda's own 6 MB response limit, so it
  // arrives whole, as the reference server returns it (a smaller LAMBDA_MCP_MAX_RESULT_BYTES truncates
  // visibly: result_mapping_test).
  std::string big(2 * 1024 * 1024, 'x');
  auto [o, n] = RunCase("large result (2 MiB echo)", Json::array(), {{"blob", big}});
  EXPECT_EQ(o.kind, Outcome::kOk) << o.Describe();
  EXPECT_NE(o.text.find(big), std::string::npos) << "the result was cut";
  EXPECT_EQ(o.text.find("truncated"), std::string::npos);
  EXPECT_EQ(n, 1);
}

TEST_F(FaultMatrix, RequestOverLambdaLimit) {
  // 7 MB is over Lambda's 6 MB synchronous payload limit: the endpoint refuses it (413).
  std::string big(7 * 1000 * 1000, 'y');
  auto [o, n] = RunCase("7 MB request (413)", Json::array(), {{"blob", big}});
  EXPECT_TRUE(o.clear_failure()) << o.Describe();
  EXPECT_EQ(n, 0);
}

TEST_F(FaultMatrix, ZMemoryReturnsToBaseline) {
  for (int i = 0; i < 200; ++i) {
    server_->Call({{"settle", i}});
  }
  endpoint_->ResetStats();
  const long after_matrix = server_->child().RssKb();
  // Run the failures and the large payloads again, several times: a leak per failure grows memory each round,
  // while worker threads, their HTTP connections and allocator arenas created during the matrix do not.
  const std::string big(2 * 1024 * 1024, 'x');
  const std::string too_big(7 * 1000 * 1000, 'y');
  for (int round = 0; round < 3; ++round) {
    endpoint_->ResetStats();
    RunCase("again: 503 always", Rule("error", {{"status", 503}}));
    endpoint_->ResetStats();
    RunCase("again: 2 MiB echo", Json::array(), {{"blob", big}});
    endpoint_->ResetStats();
    RunCase("again: 7 MB request", Json::array(), {{"blob", too_big}});
    for (int i = 0; i < 50; ++i) {
      server_->Call({{"settle", i}});
    }
  }
  const long rss = server_->child().RssKb();
  std::printf(
      "FAULT memory: baseline VmRSS %ld kB, after the matrix and 200 calls %ld kB, after 3 more rounds "
      "of failures and large payloads %ld kB (peak %ld kB)\n",
      baseline_rss_kb_, after_matrix, rss, server_->child().PeakRssKb());
  EXPECT_LE(rss, after_matrix + 2048) << "memory grows with repeated failures";
  // Back to the baseline within 3 MB (measured: +0.6 MB; worker threads, pooled connections and handles
  // that the matrix created and that stay for reuse).
  EXPECT_LE(rss, baseline_rss_kb_ + 3 * 1024) << "memory did not come back to the baseline";
  EXPECT_LE(after_matrix, baseline_rss_kb_ + 3 * 1024) << "memory did not come back to the baseline";
}

// Discovery against a ListFunctions answer that is not valid JSON: the server reports it, retries in the
// background, and the tools appear once the endpoint answers properly again.
TEST(FaultMatrixDiscovery, MalformedListFunctionsIsRetried) {
  Endpoint ep;
  ASSERT_TRUE(ep.Start("fault_matrix_endpoint", {"--fault", "ListFunctions:malformed,count=1"}, 2, "fault-"));
  Server server;
  auto t0 = bench::Now();
  ASSERT_TRUE(server.Start(ep, {}, /*require_tools=*/false));
  bool listed = false;
  while (!listed && bench::MsSince(t0) < 30'000) {
    listed = server.FindTool(/*report=*/false);
    if (!listed) {
      std::this_thread::sleep_for(200ms);
    }
  }
  ASSERT_TRUE(listed) << "no tools 30 s after a malformed ListFunctions answer";
  double ms = bench::MsSince(t0);
  Outcome o = Classify(server.Call({{"i", 1}}), 0);
  std::ifstream log(LogPath("server"));
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  std::printf("FAULT %-28s tools listed %d ms after spawn (ListFunctions sent %d times); first call: %s\n",
              "ListFunctions half a body", static_cast<int>(ms), ep.Operations("ListFunctions"),
              o.kind == Outcome::kOk ? "ok" : o.Describe().c_str());
  EXPECT_EQ(o.kind, Outcome::kOk) << o.Describe();
  EXPECT_GE(ep.Operations("ListFunctions"), 2);
  EXPECT_NE(text.find("ListFunctions"), std::string::npos) << "the failed discovery was not logged: " << text;
}

// Credentials that expire mid-run: credential_process hands out keys that expire 2 s later; every call
// must still succeed, and the process must have been asked again.
TEST(FaultMatrixCredentials, ExpiringCredentialsAreRefreshed) {
  std::string dir = test_support::EnvOr("LMCP_BUILD_DIR", "/tmp");
  std::string script = dir + "/fault_matrix_creds.sh";
  std::string counter = dir + "/fault_matrix_creds.count";
  std::filesystem::remove(counter);
  {
    std::ofstream s(script);
    s << "#!/bin/sh\necho x >> '" << counter << "'\n"
      << "exp=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)\n"
      << "printf '{\"Version\":1,\"AccessKeyId\":\"" << kAccessKey << "\",\"SecretAccessKey\":\""
      << kSecretKey << "\",\"SessionToken\":\"tok\",\"Expiration\":\"%s\"}\\n' \"$exp\"\n";
  }
  chmod(script.c_str(), 0755);
  std::string config = dir + "/fault_matrix_config";
  {
    std::ofstream c(config);
    c << "[default]\nregion = us-east-1\ncredential_process = " << script << "\n";
  }
  Endpoint ep;
  ASSERT_TRUE(ep.Start("fault_matrix_endpoint", {"--session-token", "tok"}, 2, "fault-"));
  Server server;
  ASSERT_TRUE(server.Start(
      ep, {{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}, {"AWS_CONFIG_FILE", config}}));
  int failures = 0;
  std::string last;
  for (int i = 0; i < 6; ++i) {
    Outcome o = Classify(server.Call({{"i", i}}), 0);
    if (o.kind != Outcome::kOk) {
      ++failures;
      last = o.Describe();
    }
    std::this_thread::sleep_for(1s);
  }
  int fetches = 0;
  std::ifstream in(counter);
  std::string line;
  while (std::getline(in, line)) {
    ++fetches;
  }
  std::printf("FAULT %-28s %d/6 calls failed%s | credential_process ran %d times\n",
              "credentials expiring (2 s)", failures, last.empty() ? "" : (" (" + last + ")").c_str(),
              fetches);
  EXPECT_EQ(failures, 0) << last;
  EXPECT_GE(fetches, 2) << "credentials were never refreshed";
}

}  // namespace
}  // namespace lmcp::faults
