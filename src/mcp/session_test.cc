#include "mcp/session.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/version.h"
#include "jsonrpc/error_codes.h"
#include "mcp/protocol.h"
#include "mcp/server.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using testing::FakeProvider;
using testing::RecordingSink;
using testing::TestClient;

int ErrorCodeOf(const Json& response) { return response.at("error").at("code").get<int>(); }

// ---- Lifecycle ----

class LifecycleTest : public ::testing::Test {
 protected:
  FakeProvider provider_;
  TestClient client_{provider_};
};

TEST_F(LifecycleTest, InitializeResultHasCapabilitiesServerInfoAndInstructions) {
  Json result = client_.Initialize();
  EXPECT_EQ(result["protocolVersion"], "2025-11-25");
  EXPECT_EQ(result["capabilities"], Json::parse(R"({"tools":{"listChanged":true},"logging":{},
                            "tasks":{"list":{},"cancel":{},"requests":{"tools":{"call":{}}}}})"));
  EXPECT_EQ(result["serverInfo"]["name"], "lambda-mcp");
  EXPECT_EQ(result["serverInfo"]["version"], kVersion);
  EXPECT_FALSE(result["instructions"].get<std::string>().empty());
  EXPECT_TRUE(client_.session().initialized());
  EXPECT_EQ(client_.session().protocol_version(), "2025-11-25");
}

TEST(NegotiationTest, EchoesEverySupportedVersion) {
  for (const std::string& version : SupportedProtocolVersions()) {
    if (IsStateless(version)) {
      continue;  // never through initialize
    }
    FakeProvider provider;
    TestClient client(provider);
    EXPECT_EQ(client.Initialize(version)["protocolVersion"], version);
  }
  EXPECT_EQ(SupportedProtocolVersions().size(), 5u);
}

TEST(NegotiationTest, UnknownVersionGetsTheLatest) {
  for (const char* version : {"2024-10-07", "1999-01-01", "2026-07-28", "garbage"}) {
    FakeProvider provider;
    TestClient client(provider);
    EXPECT_EQ(client.Initialize(version)["protocolVersion"], "2025-11-25") << version;
  }
}

TEST(NegotiationTest, ServerInfoTitleOnlyFrom2025_06_18) {
  FakeProvider provider;
  TestClient old_client(provider);
  EXPECT_FALSE(old_client.Initialize("2025-03-26")["serverInfo"].contains("title"));
  FakeProvider provider2;
  TestClient new_client(provider2);
  EXPECT_TRUE(new_client.Initialize("2025-06-18")["serverInfo"].contains("title"));
}

TEST_F(LifecycleTest, InitializeNeedsProtocolVersion) {
  EXPECT_EQ(ErrorCodeOf(client_.Request(1, "initialize", {{"capabilities", Json::object()}})),
            jsonrpc::kInvalidParams);
  EXPECT_EQ(ErrorCodeOf(client_.Request(2, "initialize")), jsonrpc::kInvalidParams);
  EXPECT_FALSE(client_.session().initialized());
}

TEST_F(LifecycleTest, SecondInitializeIsRejected) {
  client_.Initialize();
  Json r =
      client_.Request(9, "initialize", {{"protocolVersion", "2025-06-18"}, {"capabilities", Json::object()}});
  EXPECT_EQ(ErrorCodeOf(r), jsonrpc::kInvalidRequest);
  EXPECT_EQ(client_.session().protocol_version(), "2025-11-25");
}

TEST_F(LifecycleTest, RequestsBeforeInitializeAreRejectedButPingWorks) {
  EXPECT_EQ(ErrorCodeOf(client_.Request(1, "tools/list")), jsonrpc::kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(client_.Request(2, "tools/call", {{"name", "echo"}})), jsonrpc::kInvalidRequest);
  EXPECT_EQ(client_.Request(3, "ping")["result"], Json::object());
}

TEST_F(LifecycleTest, PingAnswersEmptyObject) {
  client_.Initialize();
  EXPECT_EQ(client_.Request(5, "ping")["result"], Json::object());
}

TEST_F(LifecycleTest, UnknownMethodIsMethodNotFound) {
  client_.Initialize();
  EXPECT_EQ(ErrorCodeOf(client_.Request(1, "resources/list")), jsonrpc::kMethodNotFound);
}

TEST_F(LifecycleTest, UnknownNotificationIsIgnored) {
  client_.Initialize();
  client_.sink().Clear();
  client_.Notify("notifications/whatever", {{"x", 1}});
  EXPECT_EQ(client_.Request(2, "ping")["result"], Json::object());
  EXPECT_EQ(client_.sink().sent().size(), 1u);  // only the ping's response
}

TEST_F(LifecycleTest, IdsEchoedWithTheirType) {
  client_.Initialize();
  Json s = client_.Request("42", "ping");
  EXPECT_TRUE(s["id"].is_string());
  Json i = client_.Request(42, "ping");
  EXPECT_TRUE(i["id"].is_number_integer());
}

// ---- Raw input and JSON-RPC errors ----

TEST_F(LifecycleTest, MalformedJsonIsParseErrorWithNullIdAndServingContinues) {
  client_.session().HandleRaw("{\"jsonrpc\":");
  auto sent = client_.sink().sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(ErrorCodeOf(sent[0].message), jsonrpc::kParseError);
  EXPECT_TRUE(sent[0].message["id"].is_null());
  EXPECT_EQ(client_.Request(1, "ping")["result"], Json::object());
}

TEST_F(LifecycleTest, RequestWithoutMethodIsInvalidRequest) {
  client_.session().HandleRaw(R"({"jsonrpc":"2.0","id":7})");
  auto r = client_.sink().WaitResponse(7);
  ASSERT_TRUE(r);
  EXPECT_EQ(ErrorCodeOf(*r), jsonrpc::kInvalidRequest);
}

TEST(RawInputTest, OversizedMessageIsRejectedAndServingContinues) {
  FakeProvider provider;
  ServerOptions options;
  options.max_message_bytes = 1024;
  TestClient client(provider, options);
  std::string big =
      R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" + std::string(2000, 'x') + "\"}}";
  client.session().HandleRaw(big);
  auto sent = client.sink().sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(ErrorCodeOf(sent[0].message), jsonrpc::kInvalidRequest);
  EXPECT_TRUE(sent[0].message["id"].is_null());
  EXPECT_EQ(client.Request(2, "ping")["result"], Json::object());
}

// ---- tools/list ----

std::vector<std::string> ListAllNames(TestClient& client, int* pages) {
  std::vector<std::string> names;
  Json params = Json::object();
  *pages = 0;
  for (int id = 100;; ++id) {
    Json r = client.Request(id, "tools/list", params);
    ++*pages;
    for (const Json& t : r["result"]["tools"]) {
      names.push_back(t["name"]);
    }
    if (!r["result"].contains("nextCursor")) {
      break;
    }
    params = {{"cursor", r["result"]["nextCursor"]}};
  }
  return names;
}

TEST(PaginationTest, PagesCoverEveryToolInOrder) {
  FakeProvider provider(3);  // 9 fake + 3 extra = 12 tools
  ServerOptions options;
  options.page_size = 5;
  TestClient client(provider, options);
  client.Initialize();
  int pages = 0;
  auto names = ListAllNames(client, &pages);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(names.size(), 12u);
  EXPECT_EQ(names.front(), "echo");
  EXPECT_EQ(names.back(), "extra_2");
}

TEST(PaginationTest, SinglePageHasNoNextCursor) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize();
  Json r = client.Request(1, "tools/list");
  EXPECT_EQ(r["result"]["tools"].size(), 9u);
  EXPECT_FALSE(r["result"].contains("nextCursor"));
}

TEST(PaginationTest, InvalidCursorsAreInvalidParams) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize();
  EXPECT_EQ(ErrorCodeOf(client.Request(1, "tools/list", {{"cursor", "garbage!"}})), jsonrpc::kInvalidParams);
  EXPECT_EQ(ErrorCodeOf(client.Request(2, "tools/list", {{"cursor", 5}})), jsonrpc::kInvalidParams);
  EXPECT_EQ(ErrorCodeOf(client.Request(3, "tools/list", {{"cursor", EncodeCursor(500)}})),
            jsonrpc::kInvalidParams);
}

// ---- Version-dependent fields ----

Json RichTool(TestClient& client) {
  Json r = client.Request(1, "tools/list");
  for (const Json& t : r["result"]["tools"]) {
    if (t["name"] == "rich") {
      return t;
    }
  }
  return Json();
}

TEST(VersionFieldsTest, ToolDefinitionFieldsFollowTheVersion) {
  struct Case {
    const char* version;
    bool title, output_schema, annotations, icons, meta;
  };
  for (const Case& c : {Case{"2024-11-05", false, false, false, false, false},
                        Case{"2025-03-26", false, false, true, false, false},
                        Case{"2025-06-18", true, true, true, false, true},
                        Case{"2025-11-25", true, true, true, true, true}}) {
    FakeProvider provider;
    TestClient client(provider);
    client.Initialize(c.version);
    Json tool = RichTool(client);
    EXPECT_EQ(tool.contains("title"), c.title) << c.version;
    EXPECT_EQ(tool.contains("outputSchema"), c.output_schema) << c.version;
    EXPECT_EQ(tool.contains("annotations"), c.annotations) << c.version;
    EXPECT_EQ(tool.contains("icons"), c.icons) << c.version;
    EXPECT_EQ(tool.contains("_meta"), c.meta) << c.version;
    if (c.annotations) {
      EXPECT_EQ(tool["annotations"].contains("title"), c.title) << c.version;
    }
  }
}

TEST(VersionFieldsTest, CallResultFieldsFollowTheVersion) {
  struct Case {
    const char* version;
    bool structured, audio, resource_link;
  };
  for (const Case& c : {Case{"2024-11-05", false, false, false}, Case{"2025-03-26", false, true, false},
                        Case{"2025-06-18", true, true, true}, Case{"2025-11-25", true, true, true}}) {
    FakeProvider provider;
    TestClient client(provider);
    client.Initialize(c.version);
    Json result = client.Call(1, "rich")["result"];
    EXPECT_EQ(result.contains("structuredContent"), c.structured) << c.version;
    ASSERT_EQ(result["content"].size(), 3u);
    EXPECT_EQ(result["content"][1]["type"], c.audio ? "audio" : "text") << c.version;
    EXPECT_EQ(result["content"][2]["type"], c.resource_link ? "resource_link" : "text") << c.version;
  }
}

// ---- tools/call ----

class ToolsCallTest : public ::testing::Test {
 protected:
  void SetUp() override { client_.Initialize(); }
  FakeProvider provider_;
  TestClient client_{provider_};
};

TEST_F(ToolsCallTest, ReturnsToolContent) {
  Json r = client_.Call(1, "echo", {{"x", "y"}});
  EXPECT_EQ(r["result"]["content"][0], Json::parse(R"({"type":"text","text":"{\"x\":\"y\"}"})"));
  EXPECT_FALSE(r["result"].contains("isError"));
  EXPECT_TRUE(client_.sink().WaitEnded(1));
}

TEST_F(ToolsCallTest, MissingOrBadParamsAreInvalidParams) {
  EXPECT_EQ(ErrorCodeOf(client_.Request(1, "tools/call")), jsonrpc::kInvalidParams);
  EXPECT_EQ(ErrorCodeOf(client_.Request(2, "tools/call", Json::object())), jsonrpc::kInvalidParams);
  EXPECT_EQ(ErrorCodeOf(client_.Request(3, "tools/call", {{"name", 5}})), jsonrpc::kInvalidParams);
  EXPECT_EQ(ErrorCodeOf(client_.Request(4, "tools/call", {{"name", "echo"}, {"arguments", "x"}})),
            jsonrpc::kInvalidParams);
}

TEST_F(ToolsCallTest, UnknownToolIsInvalidParams) {
  Json r = client_.Call(1, "no_such_tool");
  EXPECT_EQ(ErrorCodeOf(r), jsonrpc::kInvalidParams);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("no_such_tool"), std::string::npos);
}

TEST_F(ToolsCallTest, ToolFailureIsAnIsErrorResult) {
  Json r = client_.Call(1, "fail");
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_EQ(r["result"]["content"][0]["text"], "it broke");
}

TEST_F(ToolsCallTest, ProviderErrorIsInternalErrorNamingTheCause) {
  Json r = client_.Call(1, "provider_error");
  EXPECT_EQ(ErrorCodeOf(r), jsonrpc::kInternalError);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("backend down"), std::string::npos);
}

TEST_F(ToolsCallTest, ThrowingToolIsInternalErrorAndServingContinues) {
  EXPECT_EQ(ErrorCodeOf(client_.Call(1, "throw")), jsonrpc::kInternalError);
  EXPECT_EQ(client_.Call(2, "echo")["result"]["content"][0]["text"], "{}");
}

TEST_F(ToolsCallTest, DuplicateInFlightIdIsRejected) {
  client_.session().HandleMessage(
      {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", "block"}}}});
  ASSERT_TRUE(provider_.WaitStarted(1));
  EXPECT_EQ(ErrorCodeOf(client_.Call(1, "echo")), jsonrpc::kInvalidRequest);
  provider_.Release(0);
  ASSERT_TRUE(client_.sink().WaitEnded(1));
}

// ---- Concurrency and cancellation ----

Json CallMessage(const Json& id, const std::string& tool, Json arguments = Json::object()) {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "tools/call"},
          {"params", {{"name", tool}, {"arguments", arguments}}}};
}

TEST_F(ToolsCallTest, ManyCallsInFlightAnswerInAnyOrder) {
  for (int i = 0; i < 4; ++i) {
    client_.session().HandleMessage(CallMessage(i, "block", {{"gate", i}}));
  }
  ASSERT_TRUE(provider_.WaitStarted(4));  // all four run at once
  // Ping is answered while calls are running.
  EXPECT_EQ(client_.Request("p", "ping")["result"], Json::object());
  for (int i = 3; i >= 0; --i) {
    provider_.Release(i);
    auto r = client_.sink().WaitResponse(i);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["result"]["content"][0]["text"], "released " + std::to_string(i));
  }
  // Responses went out in the reverse order of the requests.
  std::vector<int> order;
  for (const auto& s : client_.sink().sent()) {
    if (s.message.contains("result") && s.message["id"].is_number_integer()) {
      order.push_back(s.message["id"]);
    }
  }
  EXPECT_EQ(order, (std::vector<int>{3, 2, 1, 0}));
}

TEST_F(ToolsCallTest, CancelledCallStopsAndSendsNoResponse) {
  client_.session().HandleMessage(CallMessage("slow", "block", {{"gate", 7}}));
  ASSERT_TRUE(provider_.WaitStarted(1));
  client_.Notify("notifications/cancelled", {{"requestId", "slow"}, {"reason", "user"}});
  ASSERT_TRUE(client_.sink().WaitEnded("slow"));
  EXPECT_EQ(provider_.cancelled(), 1);
  for (const auto& s : client_.sink().sent()) {
    EXPECT_NE(s.message.value("id", Json()), "slow") << s.message.dump();
  }
  EXPECT_EQ(client_.Request(2, "ping")["result"], Json::object());
}

TEST_F(ToolsCallTest, CancelOfUnknownOrFinishedIdIsIgnored) {
  client_.Notify("notifications/cancelled", {{"requestId", 12345}});
  client_.Notify("notifications/cancelled", {{"requestId", "init"}});
  client_.Notify("notifications/cancelled", Json::object());
  EXPECT_EQ(client_.Call(1, "echo")["result"]["content"][0]["text"], "{}");
}

// ---- Progress ----

TEST_F(ToolsCallTest, ProgressOnlyWithTokenStrictlyIncreasingBeforeTheResponse) {
  client_.Call(1, "progress");
  EXPECT_TRUE(client_.sink().WithMethod("notifications/progress").empty());

  client_.Call(2, "progress", Json::object(), {{"progressToken", "tok"}});
  auto sent = client_.sink().sent();
  std::vector<Json> progress;
  bool response_seen = false;
  for (const auto& s : sent) {
    if (s.message.value("method", "") == "notifications/progress") {
      EXPECT_FALSE(response_seen) << "progress after the response";
      EXPECT_EQ(s.related, 2);
      progress.push_back(s.message["params"]);
    }
    if (s.message.value("id", Json()) == 2) {
      response_seen = true;
    }
  }
  ASSERT_EQ(progress.size(), 2u);
  EXPECT_EQ(progress[0], Json::parse(R"({"progressToken":"tok","progress":1,"total":3,"message":"one"})"));
  EXPECT_EQ(progress[1], Json::parse(R"({"progressToken":"tok","progress":2,"total":3})"));
}

TEST(ProgressVersionTest, NoProgressMessageIn2024_11_05) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize("2024-11-05");
  client.Call(1, "progress", Json::object(), {{"progressToken", 9}});
  auto progress = client.sink().WithMethod("notifications/progress");
  ASSERT_EQ(progress.size(), 2u);
  EXPECT_FALSE(progress[0].message["params"].contains("message"));
  EXPECT_EQ(progress[0].message["params"]["progressToken"], 9);
}

// ---- Logging ----

std::vector<std::string> LoggedLevels(RecordingSink& sink) {
  std::vector<std::string> levels;
  for (const auto& s : sink.WithMethod("notifications/message")) {
    levels.push_back(s.message["params"]["level"]);
  }
  return levels;
}

TEST_F(ToolsCallTest, LogMessagesFilteredBySetLevel) {
  client_.Call(1, "log");  // default threshold: info
  EXPECT_EQ(LoggedLevels(client_.sink()), (std::vector<std::string>{"info", "error"}));
  auto first = client_.sink().WithMethod("notifications/message");
  EXPECT_EQ(first[0].message["params"], Json::parse(R"({"level":"info","logger":"fake","data":"i"})"));
  EXPECT_EQ(first[0].related, 1);

  client_.sink().Clear();
  EXPECT_EQ(client_.Request(2, "logging/setLevel", {{"level", "debug"}})["result"], Json::object());
  client_.Call(3, "log");
  EXPECT_EQ(LoggedLevels(client_.sink()), (std::vector<std::string>{"debug", "info", "error"}));

  client_.sink().Clear();
  client_.Request(4, "logging/setLevel", {{"level", "critical"}});
  client_.Call(5, "log");
  EXPECT_TRUE(LoggedLevels(client_.sink()).empty());
}

TEST_F(ToolsCallTest, SetLevelRejectsUnknownLevels) {
  EXPECT_EQ(ErrorCodeOf(client_.Request(1, "logging/setLevel", {{"level", "loud"}})),
            jsonrpc::kInvalidParams);
  EXPECT_EQ(ErrorCodeOf(client_.Request(2, "logging/setLevel")), jsonrpc::kInvalidParams);
}

TEST(LogLevelTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(LogLevel::kEmergency); ++i) {
    auto level = static_cast<LogLevel>(i);
    EXPECT_EQ(ParseLogLevel(LogLevelName(level)), level);
  }
  EXPECT_FALSE(ParseLogLevel("verbose").has_value());
}

// ---- Server → client requests ----

TEST(RequestClientTest, RefusedWithoutTheCapability) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize("2025-11-25", Json::object());
  Json r = client.Call(1, "sample");
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_NE(r["result"]["content"][0]["text"].get<std::string>().find("sampling"), std::string::npos);
  EXPECT_TRUE(client.sink().WithMethod("sampling/createMessage").empty());
}

TEST(RequestClientTest, MatchesTheClientResponseById) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize("2025-11-25", {{"sampling", Json::object()}});
  client.session().HandleMessage(CallMessage("call", "sample"));
  ASSERT_TRUE(client.sink().WaitUntil([](const auto& sent, const auto&) {
    for (const auto& s : sent) {
      if (s.message.value("method", "") == "sampling/createMessage") {
        return true;
      }
    }
    return false;
  }));
  auto request = client.sink().WithMethod("sampling/createMessage")[0];
  EXPECT_EQ(request.related, "call");
  Json id = request.message["id"];
  // A response to some other id is ignored; the matching one completes the call.
  client.session().HandleMessage({{"jsonrpc", "2.0"}, {"id", 999}, {"result", Json::object()}});
  client.session().HandleMessage(
      {{"jsonrpc", "2.0"},
       {"id", id},
       {"result", {{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "hi"}}}}}});
  auto r = client.sink().WaitResponse("call");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["result"]["content"][0]["text"], "LLM: hi");
}

TEST(RequestClientTest, CancellingTheCallAbandonsTheClientRequest) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize("2025-11-25", {{"sampling", Json::object()}});
  client.session().HandleMessage(CallMessage("call", "sample"));
  ASSERT_TRUE(client.sink().WaitUntil([](const auto& sent, const auto&) {
    for (const auto& s : sent) {
      if (s.message.value("method", "") == "sampling/createMessage") {
        return true;
      }
    }
    return false;
  }));
  client.Notify("notifications/cancelled", {{"requestId", "call"}});
  ASSERT_TRUE(client.sink().WaitEnded("call"));
  auto cancels = client.sink().WithMethod("notifications/cancelled");
  ASSERT_EQ(cancels.size(), 1u);  // the server withdraws its own request
  for (const auto& s : client.sink().sent()) {
    EXPECT_NE(s.message.value("id", Json()), "call");
  }
}

}  // namespace
}  // namespace lmcp::mcp
