#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>

#include "jsonrpc/batch.h"
#include "jsonrpc/error_codes.h"
#include "mcp/session.h"
#include "tests/support/mcp/test_support.h"

// Raw input to a session: parse errors, the nesting limit, batches and their cap, and tools/call arguments
// reaching the provider without being copied.

namespace lmcp::mcp {
namespace {

using testing::FakeProvider;
using testing::TestClient;

int ErrorCodeOf(const Json& response) { return response.at("error").at("code").get<int>(); }

std::string Nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// ---- Nesting limit ----

TEST(DepthLimitTest, DeepInitializeIsParseErrorAndTheSessionStillAnswers) {
  // Issue 12: initialize with params nested 58,750 levels deep (about 115 KB) crashed the server.
  FakeProvider provider;
  TestClient client(provider);
  client.session().HandleRaw(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)" +
                             Nested(58'750) + "}}");
  auto sent = client.sink().sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(ErrorCodeOf(sent[0].message), jsonrpc::kParseError);
  EXPECT_TRUE(sent[0].message["id"].is_null());
  EXPECT_EQ(sent[0].message["error"]["message"], "Parse error: JSON is nested deeper than 128 levels");
  EXPECT_FALSE(client.session().initialized());
  // The same session initializes and serves afterwards.
  EXPECT_EQ(client.Initialize()["protocolVersion"], "2025-11-25");
  EXPECT_EQ(client.Call(2, "echo", {{"a", 1}})["result"]["content"][0]["text"], R"({"a":1})");
}

TEST(DepthLimitTest, DeepArgumentsInAnInitializedSessionAreRefusedToo) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize();
  client.sink().Clear();
  std::string call =
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"x":)";
  // Levels: message 1, params 2, arguments 3, so "x" may hold 125 more.
  client.session().HandleRaw(call + Nested(125) + "}}}");
  auto ok = client.sink().WaitResponse(5);
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(ok->contains("result"));
  client.sink().Clear();
  client.session().HandleRaw(call + Nested(126) + "}}}");
  auto sent = client.sink().sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(ErrorCodeOf(sent[0].message), jsonrpc::kParseError);
  EXPECT_EQ(client.Request(6, "ping")["result"], Json::object());
}

// ---- Batches ----

TEST(BatchTest, RejectedUnlessNegotiated2025_03_26) {
  for (const char* version : {"2025-11-25", "2025-06-18", "2024-11-05"}) {
    FakeProvider provider;
    TestClient client(provider);
    client.Initialize(version);
    client.sink().Clear();
    client.session().HandleRaw(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
    auto sent = client.sink().sent();
    ASSERT_EQ(sent.size(), 1u) << version;
    EXPECT_TRUE(sent[0].message.is_object());
    EXPECT_EQ(ErrorCodeOf(sent[0].message), jsonrpc::kInvalidRequest);
    EXPECT_NE(sent[0].message["error"]["message"].get<std::string>().find("batch"), std::string::npos);
  }
}

TEST(BatchTest, RejectedBeforeInitialize) {
  FakeProvider provider;
  TestClient client(provider);
  client.session().HandleRaw(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  ASSERT_EQ(client.sink().sent().size(), 1u);
  EXPECT_EQ(ErrorCodeOf(client.sink().sent()[0].message), jsonrpc::kInvalidRequest);
}

TEST(BatchTest, AcceptedAt2025_03_26WithOneArrayOfResponses) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize("2025-03-26");
  client.sink().Clear();
  client.session().HandleRaw(
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
          {"jsonrpc":"2.0","method":"notifications/whatever"},
          {"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"echo","arguments":{"a":1}}},
          {"jsonrpc":"2.0","id":3,"method":"nope"},
          {"jsonrpc":"2.0","id":4}])");
  ASSERT_TRUE(client.sink().WaitUntil([](const auto& sent, const auto&) { return !sent.empty(); }));
  auto sent = client.sink().sent();
  ASSERT_EQ(sent.size(), 1u);
  const Json& array = sent[0].message;
  ASSERT_TRUE(array.is_array());
  ASSERT_EQ(array.size(), 4u);
  std::map<std::string, Json> by_id;
  for (const Json& r : array) {
    by_id[r["id"].dump()] = r;
  }
  EXPECT_EQ(by_id["1"]["result"], Json::object());
  EXPECT_EQ(by_id["\"c\""]["result"]["content"][0]["text"], R"({"a":1})");
  EXPECT_EQ(by_id["3"]["error"]["code"], jsonrpc::kMethodNotFound);
  EXPECT_EQ(by_id["4"]["error"]["code"], jsonrpc::kInvalidRequest);
}

TEST(BatchTest, EmptyBatchIsInvalid) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize("2025-03-26");
  client.sink().Clear();
  client.session().HandleRaw("[]");
  ASSERT_EQ(client.sink().sent().size(), 1u);
  EXPECT_EQ(ErrorCodeOf(client.sink().sent()[0].message), jsonrpc::kInvalidRequest);
}

TEST(BatchTest, LongerThanTheCapIsRefusedWhole) {
  FakeProvider provider;
  TestClient client(provider);
  client.Initialize("2025-03-26");
  for (std::size_t n : {jsonrpc::kMaxBatchLength, jsonrpc::kMaxBatchLength + 1}) {
    client.sink().Clear();
    Json batch = Json::array();
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "ping"}});
    }
    client.session().HandleRaw(batch.dump());
    ASSERT_TRUE(client.sink().WaitUntil([](const auto& sent, const auto&) { return !sent.empty(); }));
    auto sent = client.sink().sent();
    ASSERT_EQ(sent.size(), 1u);
    if (n == jsonrpc::kMaxBatchLength) {
      ASSERT_TRUE(sent[0].message.is_array());
      EXPECT_EQ(sent[0].message.size(), n);
    } else {
      ASSERT_TRUE(sent[0].message.is_object());
      EXPECT_EQ(ErrorCodeOf(sent[0].message), jsonrpc::kInvalidRequest);
      EXPECT_TRUE(sent[0].message["id"].is_null());
      EXPECT_EQ(sent[0].message["error"]["message"],
                "Invalid Request: a batch may hold at most 64 messages; this one has 65");
    }
  }
  EXPECT_EQ(client.Request(99, "ping")["result"], Json::object());
}

// ---- Arguments are moved, not copied ----

// Records where the "blob" argument's characters live when the call reaches the provider.
class AddressProvider final : public ToolProvider {
 public:
  Result<ToolList> ListTools() override {
    ToolDefinition t;
    t.name = "blob";
    return std::make_shared<const std::vector<ToolDefinition>>(std::vector<ToolDefinition>{t});
  }
  Result<ToolResult> CallTool(const std::string&, Json arguments, CallContext&) override {
    seen = arguments.at("blob").get_ref<const std::string&>().data();
    return ToolResult::Text("ok");
  }
  void SetListChangedCallback(std::function<void()>) override {}
  std::atomic<const char*> seen{nullptr};
};

TEST(ArgumentsTest, ReachTheProviderWithoutACopy) {
  AddressProvider provider;
  TestClient client(provider);
  client.Initialize();
  Json arguments{{"blob", std::string(1 << 20, 'x')}};
  const char* original = arguments["blob"].get_ref<const std::string&>().data();
  Json response = client.Call(1, "blob", std::move(arguments));
  EXPECT_EQ(response["result"]["content"][0]["text"], "ok");
  EXPECT_EQ(provider.seen.load(), original);
}

}  // namespace
}  // namespace lmcp::mcp
