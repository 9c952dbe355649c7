// The stateless era (MCP 2026-07-28) of the session core: per-request _meta, server/discover, caching hints,
// the new errors, per-request log level, MRTR with sealed request state, and subscriptions/listen.

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "jsonrpc/error_codes.h"
#include "mcp/request_meta.h"
#include "mcp/request_state.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using testing::FakeProvider;
using testing::TestClient;

Json Meta(Json capabilities = Json::object()) {
  return Json{{kMetaProtocolVersion, "2026-07-28"},
              {kMetaClientCapabilities, std::move(capabilities)},
              {kMetaClientInfo, {{"name", "modern"}, {"version", "1"}}}};
}

Json WithMeta(Json params, Json meta = Meta()) {
  params["_meta"] = std::move(meta);
  return params;
}

// A provider with the MRTR tools: `confirm` asks for an elicitation until it gets one and keeps a state;
// `needs_sampling` declares the sampling capability; `ask_roots` asks for roots; `log` logs at three levels.
class MrtrProvider final : public ToolProvider {
 public:
  MrtrProvider() {
    auto tools = std::make_shared<std::vector<ToolDefinition>>();
    for (const char* name : {"confirm", "needs_sampling", "ask_roots", "log", "echo"}) {
      ToolDefinition t;
      t.name = name;
      t.description = name;
      if (std::string(name) == "needs_sampling") {
        t.required_client_capabilities = Json{{"sampling", Json::object()}};
      }
      tools->push_back(t);
    }
    tools_ = std::move(tools);
  }
  Result<ToolList> ListTools() override { return tools_; }
  void SetListChangedCallback(std::function<void()> callback) override {
    std::lock_guard lock(mu_);
    list_changed_ = std::move(callback);
  }
  void FireListChanged() {
    std::function<void()> cb;
    {
      std::lock_guard lock(mu_);
      cb = list_changed_;
    }
    cb();
  }
  Result<ToolResult> CallTool(const std::string& name, Json arguments, CallContext& ctx) override {
    EXPECT_TRUE(ctx.stateless());
    if (name == "confirm") {
      const Json& responses = ctx.input_responses();
      if (responses.is_object() && responses.contains("ok")) {
        return ToolResult::Text("confirmed " + responses["ok"].value("action", "") + " state " +
                                ctx.request_state().dump());
      }
      ToolResult r;
      r.input_required =
          InputRequired{Json{{"ok", {{"method", "elicitation/create"}, {"params", {{"message", "Sure?"}}}}}},
                        Json{{"step", 1}, {"target", arguments.value("target", "")}}};
      return r;
    }
    if (name == "ask_roots") {
      ToolResult r;
      r.input_required = InputRequired{Json{{"r", {{"method", "roots/list"}}}}, nullptr};
      return r;
    }
    if (name == "log") {
      ctx.Log(LogLevel::kDebug, "d");
      ctx.Log(LogLevel::kError, "e");
      return ToolResult::Text("logged");
    }
    if (name == "echo") {
      return ToolResult::Text(ctx.request_meta().value("traceparent", "none"));
    }
    return ToolResult::Text(name);
  }

 private:
  ToolList tools_;
  std::mutex mu_;
  std::function<void()> list_changed_;
};

TEST(StatelessTest, DiscoverWithoutInitialize) {
  FakeProvider provider;
  TestClient client(provider);
  Json r = client.Request(1, "server/discover", WithMeta(Json::object()));
  ASSERT_TRUE(r.contains("result")) << r.dump();
  const Json& result = r["result"];
  EXPECT_EQ(result["resultType"], "complete");
  EXPECT_EQ(result["supportedVersions"], Json::array({"2026-07-28"}));
  EXPECT_TRUE(result["capabilities"]["tools"]["listChanged"].get<bool>());
  EXPECT_EQ(result["_meta"][kMetaServerInfo]["name"], "lambda-mcp");
  EXPECT_GE(result["ttlMs"].get<int64_t>(), 0);
  EXPECT_EQ(result["cacheScope"], "public");
  EXPECT_FALSE(client.session().initialized());  // nothing was negotiated: no state
}

TEST(StatelessTest, MetaProblemsAreInvalidParamsAndUnknownVersionsAreListed) {
  FakeProvider provider;
  TestClient client(provider);
  EXPECT_EQ(client.Request(1, "server/discover", Json::object())["error"]["code"], -32602);
  Json no_version = Meta();
  no_version.erase(kMetaProtocolVersion);
  EXPECT_EQ(client.Request(2, "server/discover", WithMeta({}, no_version))["error"]["code"], -32602);
  Json no_caps = Meta();
  no_caps.erase(kMetaClientCapabilities);
  EXPECT_EQ(client.Request(3, "tools/list", WithMeta({}, no_caps))["error"]["code"], -32602);
  Json bad_level = Meta();
  bad_level[kMetaLogLevel] = "loud";
  EXPECT_EQ(client.Request(4, "tools/list", WithMeta({}, bad_level))["error"]["code"], -32602);
  Json v999 = Meta();
  v999[kMetaProtocolVersion] = "v999.0.0";
  Json r = client.Request(5, "server/discover", WithMeta({}, v999));
  EXPECT_EQ(r["error"]["code"], -32022);
  EXPECT_EQ(r["error"]["data"]["supported"], Json::array({"2026-07-28"}));
  EXPECT_EQ(r["error"]["data"]["requested"], "v999.0.0");
  // A session-era version in _meta is not served statelessly either.
  Json old = Meta();
  old[kMetaProtocolVersion] = "2025-11-25";
  EXPECT_EQ(client.Request(6, "tools/list", WithMeta({}, old))["error"]["code"], -32022);
  // Client info is optional.
  Json no_info = Meta();
  no_info.erase(kMetaClientInfo);
  EXPECT_TRUE(client.Request(7, "server/discover", WithMeta({}, no_info)).contains("result"));
}

TEST(StatelessTest, RemovedMethodsAreNotFound) {
  FakeProvider provider;
  TestClient client(provider);
  for (const char* method : {"initialize", "ping", "logging/setLevel", "resources/subscribe", "x/unknown"}) {
    Json r = client.Request(method, method, WithMeta(Json::object()));
    EXPECT_EQ(r["error"]["code"], -32601) << method;
    EXPECT_EQ(r["id"], method);
  }
}

TEST(StatelessTest, ListsCarryResultTypeAndCachingHints) {
  FakeProvider provider(3);
  ServerOptions options;
  options.page_size = 5;
  options.list_ttl = std::chrono::milliseconds(1234);
  TestClient client(provider, options);
  Json first = client.Request(1, "tools/list", WithMeta(Json::object()));
  ASSERT_TRUE(first.contains("result")) << first.dump();
  EXPECT_EQ(first["result"]["resultType"], "complete");
  EXPECT_EQ(first["result"]["ttlMs"], 1234);
  EXPECT_EQ(first["result"]["cacheScope"], "public");
  ASSERT_TRUE(first["result"].contains("nextCursor"));
  Json second = client.Request(2, "tools/list", WithMeta(Json{{"cursor", first["result"]["nextCursor"]}}));
  EXPECT_EQ(second["result"]["cacheScope"], "public");  // every page the same scope
  // Deterministic: the same request gives the same bytes.
  EXPECT_EQ(client.Request(3, "tools/list", WithMeta(Json::object()))["result"], first["result"]);
  // The session era's list is unchanged: no hints, no resultType.
  client.Initialize();
  Json legacy = client.Request(4, "tools/list");
  EXPECT_FALSE(legacy["result"].contains("resultType"));
  EXPECT_FALSE(legacy["result"].contains("ttlMs"));
}

TEST(StatelessTest, CallResultsAreCompleteAndRendered) {
  FakeProvider provider;
  TestClient client(provider);
  Json r = client.Call(1, "rich", Json::object(), Meta());
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_EQ(r["result"]["resultType"], "complete");
  EXPECT_EQ(r["result"]["content"].size(), 3u);  // audio and resource_link exist in this revision
  EXPECT_EQ(r["result"]["structuredContent"]["n"], 1);
  EXPECT_EQ(client.Call(2, "nope", Json::object(), Meta())["error"]["code"], -32602);
}

TEST(StatelessTest, NoLogsWithoutALevelAndTheRequestsLevelOtherwise) {
  MrtrProvider provider;
  TestClient client(provider);
  client.Call(1, "log", Json::object(), Meta());
  EXPECT_TRUE(client.sink().WithMethod("notifications/message").empty());
  Json meta = Meta();
  meta[kMetaLogLevel] = "error";
  client.Call(2, "log", Json::object(), meta);
  auto logs = client.sink().WithMethod("notifications/message");
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].message["params"]["level"], "error");
  EXPECT_EQ(logs[0].related, 2);
}

TEST(StatelessTest, UndeclaredRequiredCapabilityIsRefusedBeforeTheToolRuns) {
  MrtrProvider provider;
  TestClient client(provider);
  Json r = client.Call(1, "needs_sampling", Json::object(), Meta());
  EXPECT_EQ(r["error"]["code"], -32021);
  EXPECT_EQ(r["error"]["data"]["requiredCapabilities"], Json::parse(R"({"sampling":{}})"));
  EXPECT_EQ(client.Call(2, "needs_sampling", Json::object(),
                        Meta({{"sampling", Json::object()}}))["result"]["content"][0]["text"],
            "needs_sampling");
}

TEST(StatelessTest, InputRequiredRoundTripWithSealedState) {
  MrtrProvider provider;
  TestClient client(provider);
  Json caps{{"elicitation", Json::object()}};
  Json first = client.Call(1, "confirm", Json{{"target", "db"}}, Meta(caps));
  ASSERT_TRUE(first.contains("result")) << first.dump();
  const Json& ask = first["result"];
  EXPECT_EQ(ask["resultType"], "input_required");
  EXPECT_EQ(ask["inputRequests"]["ok"]["method"], "elicitation/create");
  ASSERT_TRUE(ask["requestState"].is_string());
  std::string state = ask["requestState"];
  EXPECT_EQ(state.find("target"), std::string::npos);  // sealed: the client cannot read it
  Json retry{{"name", "confirm"},
             {"arguments", {{"target", "db"}}},
             {"inputResponses", {{"ok", {{"action", "accept"}}}, {"extra", 1}}},
             {"requestState", state}};
  Json done = client.Request(2, "tools/call", WithMeta(retry, Meta(caps)));
  ASSERT_TRUE(done.contains("result")) << done.dump();
  EXPECT_EQ(done["result"]["resultType"], "complete");
  EXPECT_EQ(done["result"]["content"][0]["text"], R"(confirmed accept state {"step":1,"target":"db"})");
}

TEST(StatelessTest, TamperedForeignOrMismatchedStateIsRefused) {
  MrtrProvider provider;
  TestClient client(provider);
  Json caps{{"elicitation", Json::object()}};
  std::string state = client.Call(1, "confirm", Json{{"target", "db"}}, Meta(caps))["result"]["requestState"];
  auto retry = [&](const Json& id, Json arguments, const std::string& with_state) {
    Json params{{"name", "confirm"},
                {"arguments", std::move(arguments)},
                {"inputResponses", {{"ok", {{"action", "accept"}}}}},
                {"requestState", with_state}};
    return client.Request(id, "tools/call", WithMeta(params, Meta(caps)));
  };
  EXPECT_EQ(retry(2, {{"target", "db"}}, state + "-TAMPERED")["error"]["code"], -32602);
  EXPECT_EQ(retry(3, {{"target", "db"}}, "garbage")["error"]["code"], -32602);
  // The same state with other arguments: bound to the first call's arguments.
  Json other = retry(4, {{"target", "prod"}}, state);
  EXPECT_EQ(other["error"]["code"], -32602);
  EXPECT_NE(other["error"]["message"].get<std::string>().find("another request"), std::string::npos);
  // Sealed by another deployment (another key).
  ServerOptions elsewhere_options;
  elsewhere_options.request_state_key = std::string(kAeadKeyBytes, 'z');
  TestClient elsewhere(provider, elsewhere_options);
  Json foreign = elsewhere.Call(5, "confirm", Json{{"target", "db"}}, Meta(caps));
  EXPECT_EQ(retry(6, {{"target", "db"}}, foreign["result"]["requestState"])["error"]["code"], -32602);
}

TEST(StatelessTest, TwoServersWithOneKeyOpenEachOthersState) {
  MrtrProvider provider;
  ServerOptions options;
  options.request_state_key = std::string(kAeadKeyBytes, 'k');
  TestClient a(provider, options);
  TestClient b(provider, options);
  Json caps{{"elicitation", Json::object()}};
  std::string state = a.Call(1, "confirm", Json::object(), Meta(caps))["result"]["requestState"];
  Json params{{"name", "confirm"},
              {"arguments", Json::object()},
              {"inputResponses", {{"ok", {{"action", "decline"}}}}},
              {"requestState", state}};
  Json done = b.Request(2, "tools/call", WithMeta(params, Meta(caps)));
  EXPECT_EQ(done["result"]["content"][0]["text"], R"(confirmed decline state {"step":1,"target":""})");
}

TEST(StatelessTest, InputRequestsForUndeclaredCapabilitiesAreRefused) {
  MrtrProvider provider;
  TestClient client(provider);
  Json r = client.Call(1, "ask_roots", Json::object(), Meta({{"elicitation", Json::object()}}));
  EXPECT_EQ(r["error"]["code"], -32021);
  EXPECT_EQ(r["error"]["data"]["requiredCapabilities"], Json::parse(R"({"roots":{}})"));
  Json ok = client.Call(2, "ask_roots", Json::object(), Meta({{"roots", Json::object()}}));
  EXPECT_EQ(ok["result"]["resultType"], "input_required");
  EXPECT_FALSE(ok["result"].contains("requestState")) << ok.dump();  // no state: nothing to seal
}

TEST(StatelessTest, RequestMetaReachesTheTool) {
  MrtrProvider provider;
  TestClient client(provider);
  Json meta = Meta();
  meta["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  EXPECT_EQ(client.Call(1, "echo", Json::object(), meta)["result"]["content"][0]["text"],
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
}

TEST(StatelessTest, SubscriptionAcknowledgesThenDeliversOnlyWhatWasAsked) {
  MrtrProvider provider;
  TestClient client(provider);
  client.session().HandleMessage(
      Json{{"jsonrpc", "2.0"},
           {"id", 7},
           {"method", "subscriptions/listen"},
           {"params", WithMeta(Json{{"notifications", {{"toolsListChanged", true}}}})}});
  client.session().HandleMessage(
      Json{{"jsonrpc", "2.0"},
           {"id", 8},
           {"method", "subscriptions/listen"},
           {"params", WithMeta(Json{{"notifications", {{"promptsListChanged", true}}}})}});
  auto acks = client.sink().WithMethod("notifications/subscriptions/acknowledged");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].message["params"]["_meta"][kMetaSubscriptionId], 7);
  EXPECT_EQ(acks[0].message["params"]["notifications"], Json::parse(R"({"toolsListChanged":true})"));
  EXPECT_EQ(acks[1].message["params"]["notifications"], Json::object());  // prompts: not offered
  provider.FireListChanged();
  auto changed = client.sink().WithMethod("notifications/tools/list_changed");
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].related, 7);
  EXPECT_EQ(changed[0].message["params"]["_meta"][kMetaSubscriptionId], 7);
  // Cancelling ends it without a response; shutdown ends the other with a graceful result.
  client.session().Cancel(7);
  EXPECT_TRUE(client.sink().WaitEnded(7));
  provider.FireListChanged();
  EXPECT_EQ(client.sink().WithMethod("notifications/tools/list_changed").size(), 1u);
  client.session().Shutdown(std::chrono::milliseconds(0));
  auto end = client.sink().WaitResponse(8);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ((*end)["result"]["resultType"], "complete");
  EXPECT_EQ((*end)["result"]["_meta"][kMetaSubscriptionId], 8);
  for (const auto& sent : client.sink().sent()) {
    EXPECT_FALSE(sent.message.contains("id") && sent.message["id"] == 7)
        << "a cancelled listen got a response";
  }
}

TEST(StatelessTest, CancelStopsARunningCallWithoutAResponse) {
  FakeProvider provider;
  TestClient client(provider);
  client.session().HandleMessage(
      Json{{"jsonrpc", "2.0"},
           {"id", 1},
           {"method", "tools/call"},
           {"params", WithMeta(Json{{"name", "block"}, {"arguments", {{"gate", 1}}}})}});
  ASSERT_TRUE(provider.WaitStarted(1));
  client.session().Cancel(1);
  EXPECT_TRUE(client.sink().WaitEnded(1));
  EXPECT_EQ(provider.cancelled(), 1);
  EXPECT_TRUE(client.sink().WithMethod("notifications/message").empty());
}

TEST(StatelessTest, StatelessOnlySessionsRefuseRequestsWithoutMeta) {
  FakeProvider provider;
  testing::RecordingSink sink;
  McpServer server(provider);
  auto session = server.CreateSession(
      sink, SessionOptions{.principal = "p", .transport = "http", .stateless_only = true});
  session->HandleMessage(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}});
  auto r = sink.WaitResponse(1);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)["error"]["code"], -32602);
}

TEST(RequestStateTest, ExpiresAfterItsTtl) {
  FakeClock clock;
  RequestStateSealer sealer(std::string(kAeadKeyBytes, 'k'), clock, std::chrono::seconds(60));
  StateBinding binding{"alice", "tool", ArgumentsDigest(Json{{"a", 1}})};
  std::string sealed = *sealer.Seal(binding, Json{{"x", 1}});
  EXPECT_EQ(*sealer.Open(binding, sealed), Json({{"x", 1}}));
  StateBinding bob = binding;
  bob.principal = "bob";
  EXPECT_EQ(sealer.Open(bob, sealed).error().code, ErrorCode::kPermissionDenied);
  clock.Advance(std::chrono::seconds(61));
  EXPECT_EQ(sealer.Open(binding, sealed).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ArgumentsDigest(Json::parse(R"({"b":1,"a":2})")),
            ArgumentsDigest(Json::parse(R"({"a":2,"b":1})")));
}

}  // namespace
}  // namespace lmcp::mcp
