#include "mcp/conformance_fixtures.h"

#include <gtest/gtest.h>

#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using testing::TestClient;

class ConformanceFixturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.Initialize("2025-11-25", {{"sampling", Json::object()}, {"elicitation", Json::object()}});
  }
  Json CallResult(const std::string& tool, Json args = Json::object(), Json meta = nullptr) {
    return client_.Call(next_id_++, tool, std::move(args), std::move(meta))["result"];
  }
  // Answers the next server→client request with `result`, returning that request.
  Json AnswerClientRequest(const std::string& method, const Json& result) {
    Json request;
    EXPECT_TRUE(client_.sink().WaitUntil([&](const auto& sent, const auto&) {
      for (const auto& s : sent) {
        if (s.message.value("method", "") == method && !answered_.count(s.message["id"].dump())) {
          request = s.message;
          return true;
        }
      }
      return false;
    }));
    answered_.insert(request["id"].dump());
    client_.session().HandleMessage({{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", result}});
    return request;
  }

  ConformanceFixtures fixtures_;
  TestClient client_{fixtures_};
  int next_id_ = 1;
  std::set<std::string> answered_;
};

TEST_F(ConformanceFixturesTest, ListsExactlyTheSuiteTools) {
  std::vector<std::string> names;
  Json tools = client_.Request(0, "tools/list")["result"]["tools"];
  for (const Json& t : tools) {
    names.push_back(t["name"]);
    EXPECT_EQ(t["inputSchema"]["type"], "object");
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "test_simple_text", "test_image_content", "test_audio_content",
                       "test_embedded_resource", "test_multiple_content_types", "test_tool_with_logging",
                       "test_tool_with_progress", "test_error_handling", "test_sampling", "test_elicitation",
                       "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums",
                       "json_schema_2020_12_tool",
                       // the 2026-07-28 scenarios' fixtures (conformance_fixtures_2026)
                       "test_missing_capability", "test_streaming_elicitation", "test_logging_tool",
                       "test_trigger_tool_change", "test_custom_headers", "test_custom_headers_null",
                       "test_input_required_result_elicitation", "test_input_required_result_sampling",
                       "test_input_required_result_list_roots", "test_input_required_result_request_state",
                       "test_input_required_result_multiple_inputs", "test_input_required_result_multi_round",
                       "test_input_required_result_tampered_state", "test_input_required_result_capabilities",
                       "greet", "slow_compute", "failing_job", "protocol_error_job", "confirm_delete",
                       "multi_input", "test_tool_with_task"}));
}

TEST_F(ConformanceFixturesTest, SimpleText) {
  EXPECT_EQ(CallResult("test_simple_text")["content"],
            Json::parse(R"([{"type":"text","text":"This is a simple text response for testing."}])"));
}

TEST_F(ConformanceFixturesTest, ImageAndAudioAreRealFiles) {
  Json image = CallResult("test_image_content")["content"][0];
  EXPECT_EQ(image["type"], "image");
  EXPECT_EQ(image["mimeType"], "image/png");
  EXPECT_EQ(image["data"].get<std::string>().rfind("iVBORw0KGgo", 0), 0u);  // base64 of the PNG signature
  Json audio = CallResult("test_audio_content")["content"][0];
  EXPECT_EQ(audio["type"], "audio");
  EXPECT_EQ(audio["mimeType"], "audio/wav");
  EXPECT_EQ(audio["data"].get<std::string>().rfind("UklGR", 0), 0u);             // "RIFF"
  EXPECT_EQ(audio["data"].get<std::string>().rfind("UklGRkQAAABXQVZF", 0), 0u);  // "RIFF", size, "WAVE"
}

TEST_F(ConformanceFixturesTest, EmbeddedAndMixedContent) {
  EXPECT_EQ(CallResult("test_embedded_resource")["content"][0]["resource"],
            Json::parse(R"({"uri":"test://embedded-resource","mimeType":"text/plain",
                            "text":"This is an embedded resource content."})"));
  Json mixed = CallResult("test_multiple_content_types")["content"];
  ASSERT_EQ(mixed.size(), 3u);
  EXPECT_EQ(mixed[0]["text"], "Multiple content types test:");
  EXPECT_EQ(mixed[1]["type"], "image");
  EXPECT_EQ(mixed[2]["resource"], Json::parse(R"({"uri":"test://mixed-content-resource",
      "mimeType":"application/json","text":"{\"test\":\"data\",\"value\":123}"})"));
}

TEST_F(ConformanceFixturesTest, ErrorHandling) {
  Json r = CallResult("test_error_handling");
  EXPECT_EQ(r["isError"], true);
  EXPECT_EQ(r["content"][0]["text"], "This tool intentionally returns an error for testing");
}

TEST_F(ConformanceFixturesTest, LoggingSendsThreeInfoMessages) {
  client_.Request("lvl", "logging/setLevel", {{"level", "debug"}});
  CallResult("test_tool_with_logging");
  std::vector<Json> data;
  for (const auto& s : client_.sink().WithMethod("notifications/message")) {
    EXPECT_EQ(s.message["params"]["level"], "info");
    data.push_back(s.message["params"]["data"]);
  }
  EXPECT_EQ(data, (std::vector<Json>{"Tool execution started", "Tool processing data",
                                     "Tool execution completed"}));
}

TEST_F(ConformanceFixturesTest, ProgressZeroFiftyHundred) {
  CallResult("test_tool_with_progress", Json::object(), {{"progressToken", "progress-test-1"}});
  std::vector<Json> progress;
  for (const auto& s : client_.sink().WithMethod("notifications/progress")) {
    progress.push_back(s.message["params"]);
  }
  ASSERT_EQ(progress.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(progress[i],
              (Json{{"progressToken", "progress-test-1"}, {"progress", i * 50}, {"total", 100}}));
  }
}

TEST_F(ConformanceFixturesTest, SamplingAsksTheClient) {
  client_.session().HandleMessage(
      {{"jsonrpc", "2.0"},
       {"id", "s"},
       {"method", "tools/call"},
       {"params", {{"name", "test_sampling"}, {"arguments", {{"prompt", "Hi?"}}}}}});
  Json request = AnswerClientRequest(
      "sampling/createMessage",
      {{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "Hello"}}}, {"model", "m"}});
  EXPECT_EQ(request["params"],
            Json::parse(R"({"messages":[{"role":"user","content":{"type":"text","text":"Hi?"}}],
                                               "maxTokens":100})"));
  auto r = client_.sink().WaitResponse("s");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["result"]["content"][0]["text"], "LLM response: Hello");
}

TEST_F(ConformanceFixturesTest, SamplingWithoutPromptIsAToolError) {
  EXPECT_EQ(CallResult("test_sampling")["isError"], true);
}

TEST_F(ConformanceFixturesTest, Elicitation) {
  client_.session().HandleMessage(
      {{"jsonrpc", "2.0"},
       {"id", "e"},
       {"method", "tools/call"},
       {"params", {{"name", "test_elicitation"}, {"arguments", {{"message", "Who?"}}}}}});
  Json request = AnswerClientRequest(
      "elicitation/create", {{"action", "accept"}, {"content", {{"username", "u"}, {"email", "e@x"}}}});
  EXPECT_EQ(request["params"]["message"], "Who?");
  EXPECT_EQ(request["params"]["requestedSchema"]["required"], Json::parse(R"(["username","email"])"));
  auto r = client_.sink().WaitResponse("e");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["result"]["content"][0]["text"],
            R"(User response: action=accept, content={"email":"e@x","username":"u"})");
}

TEST_F(ConformanceFixturesTest, ElicitationDefaultsAndEnums) {
  client_.session().HandleMessage({{"jsonrpc", "2.0"},
                                   {"id", "d"},
                                   {"method", "tools/call"},
                                   {"params", {{"name", "test_elicitation_sep1034_defaults"}}}});
  Json defaults = AnswerClientRequest("elicitation/create", {{"action", "decline"}});
  const Json& props = defaults["params"]["requestedSchema"]["properties"];
  EXPECT_EQ(props["name"]["default"], "John Doe");
  EXPECT_EQ(props["age"]["default"], 30);
  EXPECT_EQ(props["score"]["default"], 95.5);
  EXPECT_EQ(props["status"]["default"], "active");
  EXPECT_EQ(props["verified"]["default"], true);
  EXPECT_EQ((*client_.sink().WaitResponse("d"))["result"]["content"][0]["text"],
            "Elicitation completed: action=decline, content={}");

  client_.session().HandleMessage({{"jsonrpc", "2.0"},
                                   {"id", "n"},
                                   {"method", "tools/call"},
                                   {"params", {{"name", "test_elicitation_sep1330_enums"}}}});
  Json enums = AnswerClientRequest("elicitation/create", {{"action", "cancel"}});
  const Json& p = enums["params"]["requestedSchema"]["properties"];
  EXPECT_EQ(p["legacyEnum"]["enum"].size(), p["legacyEnum"]["enumNames"].size());
  EXPECT_EQ(p["titledSingle"]["oneOf"][0]["const"], "value1");
  EXPECT_EQ(p["titledMulti"]["items"]["anyOf"].size(), 3u);
  EXPECT_EQ(p["untitledMulti"]["items"]["enum"].size(), 3u);
  EXPECT_TRUE(client_.sink().WaitResponse("n").has_value());
}

TEST_F(ConformanceFixturesTest, JsonSchema2020_12KeywordsSurvive) {
  Json tools = client_.Request(0, "tools/list")["result"]["tools"];
  Json schema;
  for (const Json& t : tools) {
    if (t["name"] == "json_schema_2020_12_tool") {
      schema = t["inputSchema"];
    }
  }
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema["$defs"]["address"]["$anchor"], "addressDef");
  EXPECT_EQ(schema["properties"]["address"]["$ref"], "#/$defs/address");
  EXPECT_EQ(schema["allOf"][0]["anyOf"].size(), 2u);
  EXPECT_TRUE(schema.contains("if") && schema.contains("then") && schema.contains("else"));
  EXPECT_EQ(schema["additionalProperties"], false);
}

TEST_F(ConformanceFixturesTest, HiddenSlowToolIsCallableButNotListedAndCancellable) {
  Json tools = client_.Request(0, "tools/list")["result"]["tools"];
  for (const Json& t : tools) {
    EXPECT_NE(t["name"], "test_slow");
  }
  EXPECT_EQ(CallResult("test_slow", {{"ms", 0}})["content"][0]["text"], "test_slow finished after 0 ms");
  client_.session().HandleMessage({{"jsonrpc", "2.0"},
                                   {"id", "slow"},
                                   {"method", "tools/call"},
                                   {"params", {{"name", "test_slow"}, {"arguments", {{"ms", 60000}}}}}});
  client_.Notify("notifications/cancelled", {{"requestId", "slow"}});
  EXPECT_TRUE(client_.sink().WaitEnded("slow"));
}

}  // namespace
}  // namespace lmcp::mcp
