// Abuse with JSON itself: nesting deep enough to crash whatever copies or serializes the value (issue 12's
// 58,750-deep initialize over stdio and HTTP; a function that returns an object 100,000 levels deep), batches
// past the length cap, and large valid requests that used to leave the server's RSS hundreds of MB above its
// baseline. Each test runs `lambda-mcp serve` in front of `lambda-mcp local`, then checks the answer, the
// server's RSS (back near its baseline) and that a normal call still works.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "tests/support/mcp_processes.h"

namespace lmcp::test_support {
namespace {

using namespace std::chrono_literals;

constexpr long kRssSlackKb = 4 * 1024;  // allocator slack; a kept DOM of a 5 MB request is 50 MB or more
// The freed heap goes back to the OS within one check of the server's memory reclaimer (250 ms); this
// bounds the wait, it is not a timing assertion.
constexpr auto kReclaimWait = 10s;

std::string Nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// The exact repro: initialize whose params are nested 58,750 levels deep, about 115 KB.
std::string DeepInitialize() {
  return R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","x":)" +
         Nested(58'750) + "}}";
}

// RSS of `pid` once it is at most `limit_kb`, or the last value read when `kReclaimWait` passes first.
long RssSettlesAtMost(int pid, long limit_kb) {
  auto deadline = std::chrono::steady_clock::now() + kReclaimWait;
  long rss = RssKb(pid);
  while (rss > limit_kb && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);  // polling the RSS of another process; bounded by kReclaimWait
    rss = RssKb(pid);
  }
  return rss;
}

std::string DataDir() { return EnvOr("LMCP_ABUSE_DATA_DIR", LMCP_ABUSE_DATA_DIR); }

class JsonAbuseStdio : public ::testing::Test {
 protected:
  // `version` is what the server is initialized with; empty leaves it uninitialized.
  void Start(const std::string& version = "2025-11-25", const std::map<std::string, std::string>& env = {}) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = std::string("abuse_json_") + info->name();
    endpoint_.echo = false;  // the synthetic functions echo; the template's function runs its handler
    ASSERT_TRUE(
        endpoint_.Start(name_ + "_endpoint", {"--template", DataDir() + "/deep_result/template.yaml"}));
    server_.protocol_version = version;
    ASSERT_TRUE(server_.Start(endpoint_, name_, env));
    if (version.empty()) {
      // ping is answered before initialize: the process is up and serving, and still uninitialized.
      auto pong = SendRaw(R"({"jsonrpc":"2.0","id":"p","method":"ping"})");
      ASSERT_TRUE(pong.has_value() && pong->contains("result"));
      baseline_kb_ = RssKb(server_.child().pid());
      return;
    }
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(NormalStdioCallWorks(server_));
    }
    baseline_kb_ = RssKb(server_.child().pid());
  }
  // The tool of the template's function (its name has "deep" in it); "" when it is not listed.
  std::string DeepResultTool() {
    auto tools = server_.client().ListAllTools();
    for (const Json& t : tools.value_or(std::vector<Json>{})) {
      if (t.value("name", "").find("deep") != std::string::npos) {
        return t.value("name", "");
      }
    }
    return "";
  }
  // Writes one raw line and returns the next message the server sends back.
  std::optional<Json> SendRaw(const std::string& line, std::chrono::milliseconds timeout = 30s) {
    EXPECT_TRUE(server_.child().WriteAll(line + "\n"));
    auto reply = server_.child().ReadLine(timeout);
    if (!reply) {
      return std::nullopt;
    }
    Json j = Json::parse(*reply, nullptr, false);
    return j.is_discarded() ? std::nullopt : std::optional<Json>(std::move(j));
  }
  // After an attack: alive, memory back near the baseline, and serving.
  void ExpectRecovered(const std::string& what) {
    ASSERT_TRUE(server_.child().alive()) << what << ": the server died (log " << server_.log_path() << ")";
    EXPECT_TRUE(NormalStdioCallWorks(server_)) << what;
    long rss = RssSettlesAtMost(server_.child().pid(), baseline_kb_ + kRssSlackKb);
    std::printf("ABUSE %-40s RSS baseline %ld kB, after %ld kB\n", what.c_str(), baseline_kb_, rss);
    EXPECT_LE(rss, baseline_kb_ + kRssSlackKb) << what << ": memory did not come back near the baseline";
  }

  std::string name_;
  LocalEndpoint endpoint_;
  StdioServer server_;
  long baseline_kb_ = 0;
};

// Issue 12: this crashed the server with SIGSEGV (a recursive copy of the params).
TEST_F(JsonAbuseStdio, DeepInitializeIsParseError) {
  Start(/*version=*/"");
  auto start = std::chrono::steady_clock::now();
  auto reply = SendRaw(DeepInitialize());
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(reply.has_value()) << "no answer (log " << server_.log_path() << ")";
  EXPECT_EQ((*reply)["error"]["code"], -32700) << reply->dump();
  EXPECT_TRUE((*reply)["id"].is_null());
  EXPECT_EQ((*reply)["error"]["message"], "Parse error: JSON is nested deeper than 128 levels");
  EXPECT_LT(elapsed, 5s);  // refused at level 129, not after reading on; a generous bound for loaded machines
  // The same process initializes normally afterwards.
  ASSERT_TRUE(server_.client().Initialize().has_value());
  ExpectRecovered("58,750-deep initialize over stdio");
}

TEST_F(JsonAbuseStdio, DeepArgumentsAreParseError) {
  Start();
  std::string tool = server_.FindTool();
  auto reply = SendRaw(R"({"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":")" + tool +
                       R"(","arguments":{"x":)" + Nested(200'000) + "}}}");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ((*reply)["error"]["code"], -32700) << reply->dump();
  EXPECT_TRUE((*reply)["id"].is_null());
  ExpectRecovered("200,000-deep tools/call arguments");
}

// A function result 100,000 levels deep (which also crashed the server) becomes an isError result.
TEST_F(JsonAbuseStdio, DeepFunctionResultIsAToolError) {
  Start();
  std::string tool = DeepResultTool();
  ASSERT_FALSE(tool.empty());
  auto reply = server_.CallTool(tool, Json::object(), 60s);
  ASSERT_TRUE(reply.has_value()) << "no answer (log " << server_.log_path() << ")";
  ASSERT_TRUE(reply->contains("result")) << reply->dump();
  const Json& result = (*reply)["result"];
  EXPECT_EQ(result.value("isError", false), true) << reply->dump().substr(0, 500);
  EXPECT_FALSE(result.contains("structuredContent"));
  std::string text = result["content"][0].value("text", "");
  EXPECT_NE(text.find("its result is nested deeper than 128 levels"), std::string::npos) << text;
  // 128 levels pass through as a value.
  auto shallow = server_.CallTool(tool, {{"depth", 128}}, 60s);
  ASSERT_TRUE(shallow.has_value());
  EXPECT_FALSE((*shallow)["result"].value("isError", false)) << shallow->dump().substr(0, 300);
  EXPECT_TRUE((*shallow)["result"]["structuredContent"].is_object());
  ExpectRecovered("100,000-deep function result");
}

// A batch is refused whole past 64 messages; here 4.5 MB of pings (about 90,000), which a 2025-03-26 server
// used to answer one by one.
TEST_F(JsonAbuseStdio, OverlongBatchIsInvalidRequest) {
  Start("2025-03-26");
  std::string batch = "[";
  int n = 0;
  while (batch.size() < 4'500'000) {
    batch += (n ? "," : "") + Json{{"jsonrpc", "2.0"}, {"id", n}, {"method", "ping"}}.dump();
    ++n;
  }
  batch += "]";
  auto reply = SendRaw(batch);
  ASSERT_TRUE(reply.has_value());
  ASSERT_TRUE(reply->is_object()) << reply->dump().substr(0, 300);
  EXPECT_EQ((*reply)["error"]["code"], -32600);
  EXPECT_EQ((*reply)["error"]["message"],
            "Invalid Request: a batch may hold at most 64 messages; this one has " + std::to_string(n));
  // 64 is still a batch.
  Json ok = Json::array();
  for (int i = 0; i < 64; ++i) {
    ok.push_back({{"jsonrpc", "2.0"}, {"id", 1000 + i}, {"method", "ping"}});
  }
  auto answers = SendRaw(ok.dump());
  ASSERT_TRUE(answers.has_value());
  EXPECT_TRUE(answers->is_array());
  EXPECT_EQ(answers->size(), 64u);
  ExpectRecovered("4.5 MB batch of 90,000 pings");
}

// Large valid requests: a 5 MB tools/call of 200,000 small objects is parsed into a DOM of about 50 MB, and
// the function's echo into another (shown whole: the result limit is raised); RSS stayed 290 MB above the
// baseline. It now comes back.
TEST_F(JsonAbuseStdio, LargeValidCallLeavesNoMemoryBehind) {
  Start("2025-11-25", {{"LAMBDA_MCP_MAX_RESULT_BYTES", "8000000"}});
  Json items = Json::array();
  for (int i = 0; i < 200'000; ++i) {
    items.push_back({{"k", i}, {"v", "abc"}});
  }
  auto reply = server_.CallTool(server_.FindTool(), {{"items", std::move(items)}}, 60s);
  ASSERT_TRUE(reply.has_value());
  ASSERT_TRUE(reply->contains("result")) << reply->dump().substr(0, 300);
  EXPECT_FALSE((*reply)["result"].value("isError", false)) << reply->dump().substr(0, 500);
  EXPECT_EQ((*reply)["result"]["structuredContent"]["items"].size(), 200'000u);
  ExpectRecovered("5 MB tools/call of 200,000 objects");
}

TEST_F(JsonAbuseStdio, LargeValidBatchLeavesNoMemoryBehind) {
  Start("2025-03-26");
  std::string tool = server_.FindTool();
  // 64 calls at once grow the server's threads and allocator arenas whatever their size: a batch of 64 small
  // calls first, so the baseline holds that and the check measures only what the large request leaves.
  auto batch_of = [&](int items_per_call) {
    Json batch = Json::array();
    for (int i = 0; i < 64; ++i) {
      Json items = Json::array();
      for (int k = 0; k < items_per_call; ++k) {
        items.push_back({{"k", k}, {"v", "abc"}});
      }
      batch.push_back({{"jsonrpc", "2.0"},
                       {"id", i},
                       {"method", "tools/call"},
                       {"params", {{"name", tool}, {"arguments", {{"items", std::move(items)}}}}}});
    }
    return batch.dump();
  };
  auto warm = SendRaw(batch_of(1), 60s);
  ASSERT_TRUE(warm.has_value() && warm->is_array());
  baseline_kb_ = RssKb(server_.child().pid());
  std::string text = batch_of(3'200);
  ASSERT_GT(text.size(), 4'000'000u);
  auto answers = SendRaw(text, 60s);
  ASSERT_TRUE(answers.has_value());
  ASSERT_TRUE(answers->is_array());
  EXPECT_EQ(answers->size(), 64u);
  ExpectRecovered("4.5 MB batch of 64 tools/call");
}

// The same repro over Streamable HTTP.
TEST(JsonAbuseHttp, DeepInitializeIsParseError) {
  LocalEndpoint endpoint;
  ASSERT_TRUE(endpoint.Start("abuse_json_http_endpoint"));
  HttpServerProcess server;
  ASSERT_TRUE(server.Start(endpoint, "abuse_json_http"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(NormalHttpCallWorks(server.url()));
  }
  long baseline_kb = RssKb(server.child().pid());
  HttpReply reply =
      HttpExchange("POST", server.url(),
                   {{"Accept", "application/json, text/event-stream"}, {"Content-Type", "application/json"}},
                   DeepInitialize());
  EXPECT_EQ(reply.status, 400);
  auto messages = reply.Messages();
  ASSERT_EQ(messages.size(), 1u) << reply.body.substr(0, 300);
  EXPECT_EQ(messages[0]["error"]["code"], -32700);
  ASSERT_TRUE(server.child().alive()) << "the server died:\n" << server.log();
  EXPECT_TRUE(NormalHttpCallWorks(server.url()));
  long rss = RssSettlesAtMost(server.child().pid(), baseline_kb + kRssSlackKb);
  std::printf("ABUSE %-40s RSS baseline %ld kB, after %ld kB\n", "58,750-deep initialize over HTTP",
              baseline_kb, rss);
  EXPECT_LE(rss, baseline_kb + kRssSlackKb);
}

}  // namespace
}  // namespace lmcp::test_support
