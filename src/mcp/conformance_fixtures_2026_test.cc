#include "mcp/conformance_fixtures_2026.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "mcp/conformance_fixtures.h"
#include "mcp/request_meta.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

// A stateless-era (2026-07-28) call: capabilities, inputResponses and the verified state come with the
// request; RequestClient is not available. Records logs.
class StatelessContext final : public CallContext {
 public:
  explicit StatelessContext(Json capabilities = Json{{"sampling", Json::object()},
                                                     {"elicitation", Json::object()},
                                                     {"roots", Json::object()}},
                            Json responses = nullptr, Json state = nullptr)
      : capabilities_(std::move(capabilities)), responses_(std::move(responses)), state_(std::move(state)) {}
  std::stop_token stop_token() const override { return stop_.get_token(); }
  void Progress(double, std::optional<double>, std::string) override {}
  void Log(LogLevel, const Json& data, std::string) override { logs.push_back(data); }
  const std::string& protocol_version() const override { return version_; }
  const Identity& identity() const override { return identity_; }
  Result<Json> RequestClient(const std::string&, const Json&) override {
    return Error::FailedPrecondition("no server-to-client requests in the stateless era");
  }
  bool stateless() const override { return true; }
  const Json& client_capabilities() const override { return capabilities_; }
  const Json& input_responses() const override { return responses_; }
  const Json& request_state() const override { return state_; }

  std::vector<Json> logs;

 private:
  std::stop_source stop_;
  std::string version_ = "2026-07-28";
  Identity identity_{.name = "test"};
  Json capabilities_, responses_, state_;
};

// A 2025-era call whose client answers each request with the canned result for its method.
class SessionContext final : public CallContext {
 public:
  explicit SessionContext(std::map<std::string, Json> answers) : answers_(std::move(answers)) {}
  std::stop_token stop_token() const override { return stop_.get_token(); }
  void Progress(double, std::optional<double>, std::string) override {}
  void Log(LogLevel, const Json&, std::string) override {}
  const std::string& protocol_version() const override { return version_; }
  const Identity& identity() const override { return identity_; }
  Result<Json> RequestClient(const std::string& method, const Json& params) override {
    requests.push_back({{"method", method}, {"params", params}});
    auto it = answers_.find(method);
    if (it == answers_.end()) {
      return Error::FailedPrecondition("the client did not declare it");
    }
    return it->second;
  }

  std::vector<Json> requests;

 private:
  std::stop_source stop_;
  std::string version_ = "2025-11-25";
  Identity identity_{.name = "test"};
  std::map<std::string, Json> answers_;
};

Json Accept(Json content) { return Json{{"action", "accept"}, {"content", std::move(content)}}; }
Json Sampled(const std::string& text) {
  return Json{{"role", "assistant"}, {"content", {{"type", "text"}, {"text", text}}}, {"model", "m"}};
}
const Json kRoots = Json::parse(R"({"roots":[{"uri":"file:///test/root","name":"Test Root"}]})");

class Fixtures2026Test : public ::testing::Test {
 protected:
  ToolResult Call(const std::string& tool, CallContext& ctx, Json args = Json::object()) {
    auto r = fixtures_.CallTool(tool, std::move(args), ctx);
    EXPECT_TRUE(r.ok()) << tool;
    return r.ok() ? *r : ToolResult{};
  }
  // Round 1, then the retry with `responses` and the state round 1 issued.
  ToolResult Retry(const std::string& tool, const ToolResult& first, Json responses) {
    StatelessContext retry(StatelessContext().client_capabilities(), std::move(responses),
                           first.input_required->state);
    return Call(tool, retry);
  }
  std::string Text(const ToolResult& r) {
    return r.content.empty() ? "" : r.content[0].value("text", std::string());
  }

  ConformanceFixtures fixtures_;
  StatelessContext ctx_;
};

TEST_F(Fixtures2026Test, ListedAfterThe2025FixturesWithUniqueNames) {
  auto tools = fixtures_.ListTools();
  ASSERT_TRUE(tools.ok());
  std::set<std::string> names;
  for (const ToolDefinition& t : **tools) {
    EXPECT_TRUE(names.insert(t.name).second) << t.name;
    EXPECT_FALSE(t.description.empty()) << t.name;
  }
  EXPECT_EQ((**tools)[13].name, "test_missing_capability");
  for (const char* name :
       {"test_streaming_elicitation", "test_logging_tool", "test_trigger_tool_change", "test_custom_headers",
        "test_custom_headers_null", "test_input_required_result_elicitation",
        "test_input_required_result_sampling", "test_input_required_result_list_roots",
        "test_input_required_result_request_state", "test_input_required_result_multiple_inputs",
        "test_input_required_result_multi_round", "test_input_required_result_tampered_state",
        "test_input_required_result_capabilities"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
}

TEST_F(Fixtures2026Test, MissingCapabilityDeclaresSamplingAsRequired) {
  for (const ToolDefinition& t : **fixtures_.ListTools()) {
    if (t.name == "test_missing_capability") {
      EXPECT_EQ(t.required_client_capabilities, Json::parse(R"({"sampling":{}})"));
    } else {
      EXPECT_TRUE(t.required_client_capabilities.is_null()) << t.name;
    }
  }
  ToolResult first = Call("test_missing_capability", ctx_);
  ASSERT_TRUE(first.input_required);
  EXPECT_EQ(first.input_required->input_requests["greeting"]["method"], "sampling/createMessage");
  EXPECT_EQ(Text(Retry("test_missing_capability", first, {{"greeting", Sampled("Hi")}})), "LLM response: Hi");
}

TEST_F(Fixtures2026Test, CustomHeaderToolsMatchTheSuite) {
  // http-custom-header-server-validation takes the first listed tool with an x-mcp-header property, and its
  // first string one.
  const ToolDefinition* first = nullptr;
  for (const ToolDefinition& t : **fixtures_.ListTools()) {
    const Json properties = t.input_schema.value("properties", Json::object());
    for (const auto& [name, prop] : properties.items()) {
      if (first == nullptr && prop.contains("x-mcp-header")) {
        first = &t;
      }
    }
  }
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->name, "test_custom_headers");
  const Json& props = first->input_schema["properties"];
  EXPECT_EQ(props["region"]["x-mcp-header"], "Region");
  EXPECT_EQ(props["priority"]["x-mcp-header"], "Priority");
  EXPECT_FALSE(props["query"].contains("x-mcp-header"));
  EXPECT_FALSE(props["float_val"].contains("x-mcp-header"));
  EXPECT_EQ(first->input_schema["required"], Json::parse(R"(["region","priority","query"])"));
  ToolResult r = Call("test_custom_headers_null", ctx_, {{"region", "us-east1"}, {"verbose", nullptr}});
  EXPECT_FALSE(r.is_error);
  EXPECT_NE(Text(r).find("us-east1"), std::string::npos);
}

TEST_F(Fixtures2026Test, LoggingToolLogsThroughTheContext) {
  ToolResult r = Call("test_logging_tool", ctx_);
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(ctx_.logs.size(), 3u);
}

TEST_F(Fixtures2026Test, TriggerToolChangeFiresTheCallback) {
  std::atomic<int> fired = 0;
  fixtures_.SetListChangedCallback([&] { ++fired; });
  Call("test_trigger_tool_change", ctx_);
  Call("test_trigger_tool_change", ctx_);
  EXPECT_EQ(fired, 2);
}

TEST_F(Fixtures2026Test, StreamingElicitationAsksThroughTheResult) {
  ToolResult first = Call("test_streaming_elicitation", ctx_);
  ASSERT_TRUE(first.input_required);
  EXPECT_EQ(first.input_required->input_requests["confirmation"]["method"], "elicitation/create");
  EXPECT_EQ(
      Text(Retry("test_streaming_elicitation", first, {{"confirmation", Accept({{"continue", true}})}})),
      R"(User response: action=accept, content={"continue":true})");
}

TEST_F(Fixtures2026Test, ElicitationAsksForTheNameThenGreets) {
  ToolResult first = Call("test_input_required_result_elicitation", ctx_);
  ASSERT_TRUE(first.input_required);
  EXPECT_EQ(first.input_required->input_requests, Json::parse(R"({"user_name":{"method":"elicitation/create",
      "params":{"message":"What is your name?","requestedSchema":{"type":"object",
      "properties":{"name":{"type":"string"}},"required":["name"]}}}})"));
  EXPECT_TRUE(first.input_required->state.is_null());
  ToolResult done = Retry("test_input_required_result_elicitation", first,
                          {{"user_name", Accept({{"name", "Alice"}})}, {"unknown_extra_key", Accept({})}});
  EXPECT_FALSE(done.input_required);
  EXPECT_EQ(Text(done), "Hello, Alice!");
  EXPECT_EQ(
      Text(Retry("test_input_required_result_elicitation", first, {{"user_name", {{"action", "decline"}}}})),
      "No name given: the user chose decline.");
}

TEST_F(Fixtures2026Test, ElicitationReasksForMissingOrInvalidResponses) {
  for (const Json& responses : {Json{{"wrong_key", Accept({{"data", "wrong"}})}}, Json{{"user_name", 12345}},
                                Json{{"user_name", Accept({{"name", 7}})}}, Json(nullptr)}) {
    StatelessContext retry(ctx_.client_capabilities(), responses);
    ToolResult r = Call("test_input_required_result_elicitation", retry);
    ASSERT_TRUE(r.input_required) << responses;
    EXPECT_TRUE(r.input_required->input_requests.contains("user_name"));
  }
}

TEST_F(Fixtures2026Test, SamplingAndRoots) {
  ToolResult sampling = Call("test_input_required_result_sampling", ctx_);
  ASSERT_TRUE(sampling.input_required);
  const Json& request = sampling.input_required->input_requests["capital_question"];
  EXPECT_EQ(request["method"], "sampling/createMessage");
  EXPECT_EQ(request["params"]["maxTokens"], 100);
  EXPECT_EQ(Text(Retry("test_input_required_result_sampling", sampling,
                       {{"capital_question", Sampled("The capital of France is Paris.")}})),
            "LLM response: The capital of France is Paris.");

  ToolResult roots = Call("test_input_required_result_list_roots", ctx_);
  ASSERT_TRUE(roots.input_required);
  EXPECT_EQ(roots.input_required->input_requests,
            Json::parse(R"({"client_roots":{"method":"roots/list","params":{}}})"));
  EXPECT_EQ(Text(Retry("test_input_required_result_list_roots", roots, {{"client_roots", kRoots}})),
            "Client roots: file:///test/root");
}

TEST_F(Fixtures2026Test, RequestStateIsIssuedAndChecked) {
  for (const char* tool :
       {"test_input_required_result_request_state", "test_input_required_result_tampered_state"}) {
    ToolResult first = Call(tool, ctx_);
    ASSERT_TRUE(first.input_required);
    EXPECT_TRUE(first.input_required->state.is_object()) << tool;
    EXPECT_EQ(first.input_required->input_requests["confirm"]["method"], "elicitation/create");
    ToolResult done = Retry(tool, first, {{"confirm", Accept({{"ok", true}})}});
    EXPECT_FALSE(done.input_required);
    EXPECT_EQ(Text(done).rfind("state-ok", 0), 0u) << Text(done);
    // Without the state (or with another tool's) the tool asks again.
    StatelessContext stateless_retry(ctx_.client_capabilities(), {{"confirm", Accept({{"ok", true}})}},
                                     Json{{"step", "other"}});
    EXPECT_TRUE(Call(tool, stateless_retry).input_required) << tool;
  }
}

TEST_F(Fixtures2026Test, MultipleInputsAskForWhatIsMissing) {
  ToolResult first = Call("test_input_required_result_multiple_inputs", ctx_);
  ASSERT_TRUE(first.input_required);
  std::set<std::string> methods;
  for (const auto& [key, request] : first.input_required->input_requests.items()) {
    methods.insert(request["method"]);
  }
  EXPECT_EQ(methods, (std::set<std::string>{"elicitation/create", "sampling/createMessage", "roots/list"}));
  EXPECT_FALSE(first.input_required->state.is_null());

  ToolResult partial =
      Retry("test_input_required_result_multiple_inputs", first,
            {{"user_name", Accept({{"name", "Alice"}})}, {"greeting", Sampled("Hello there!")}});
  ASSERT_TRUE(partial.input_required);
  EXPECT_EQ(partial.input_required->input_requests.size(), 1u);
  EXPECT_TRUE(partial.input_required->input_requests.contains("client_roots"));
  ToolResult done = Retry("test_input_required_result_multiple_inputs", partial, {{"client_roots", kRoots}});
  EXPECT_EQ(Text(done), "Hello, Alice! Greeting: Hello there! Roots: file:///test/root");
}

TEST_F(Fixtures2026Test, MultiRoundChangesItsStateEachRound) {
  ToolResult r1 = Call("test_input_required_result_multi_round", ctx_);
  ASSERT_TRUE(r1.input_required);
  EXPECT_TRUE(r1.input_required->input_requests.contains("step1"));
  ToolResult r2 =
      Retry("test_input_required_result_multi_round", r1, {{"step1", Accept({{"name", "Alice"}})}});
  ASSERT_TRUE(r2.input_required);
  EXPECT_TRUE(r2.input_required->input_requests.contains("step2"));
  EXPECT_NE(r2.input_required->state, r1.input_required->state);
  ToolResult r3 =
      Retry("test_input_required_result_multi_round", r2, {{"step2", Accept({{"color", "blue"}})}});
  EXPECT_EQ(Text(r3), "Hello, Alice! Your favorite color is blue.");
}

TEST_F(Fixtures2026Test, CapabilitiesAskOnlyForWhatTheClientDeclared) {
  StatelessContext sampling_only(Json{{"sampling", Json::object()}});
  ToolResult r = Call("test_input_required_result_capabilities", sampling_only);
  ASSERT_TRUE(r.input_required);
  ASSERT_EQ(r.input_required->input_requests.size(), 1u);
  EXPECT_EQ(r.input_required->input_requests.begin().value()["method"], "sampling/createMessage");

  StatelessContext all;
  ToolResult every = Call("test_input_required_result_capabilities", all);
  ASSERT_TRUE(every.input_required);
  EXPECT_EQ(every.input_required->input_requests.size(), 3u);

  StatelessContext none(Json::object());
  ToolResult nothing = Call("test_input_required_result_capabilities", none);
  EXPECT_FALSE(nothing.input_required);
  EXPECT_FALSE(nothing.is_error);
}

TEST_F(Fixtures2026Test, In2025EraTheRoundsRunWithinOneCallThroughRequestClient) {
  SessionContext session({{"elicitation/create", Accept({{"name", "Bob"}})},
                          {"sampling/createMessage", Sampled("Hi!")},
                          {"roots/list", kRoots}});
  EXPECT_EQ(Text(Call("test_input_required_result_elicitation", session)), "Hello, Bob!");
  EXPECT_EQ(Text(Call("test_input_required_result_multiple_inputs", session)),
            "Hello, Bob! Greeting: Hi! Roots: file:///test/root");
  ASSERT_EQ(session.requests.size(), 4u);
  EXPECT_EQ(session.requests[0]["params"]["message"], "What is your name?");

  SessionContext multi({{"elicitation/create", Accept({{"name", "Ann"}, {"color", "red"}})}});
  EXPECT_EQ(Text(Call("test_input_required_result_multi_round", multi)),
            "Hello, Ann! Your favorite color is red.");
  EXPECT_EQ(multi.requests.size(), 2u);

  SessionContext refusing({});
  ToolResult refused = Call("test_input_required_result_sampling", refusing);
  EXPECT_TRUE(refused.is_error);
  EXPECT_EQ(Text(refused),
            "The client could not answer sampling/createMessage: the client did not declare it");
}

TEST_F(Fixtures2026Test, In2025EraAToolThatNeverFinishesStopsAfterMaxRounds) {
  SessionContext session({{"elicitation/create", Json{{"action", "accept"}, {"content", {{"other", 1}}}}}});
  ToolResult r = Call("test_input_required_result_elicitation", session);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(session.requests.size(), 8u);
}

// The 2025-era sampling and elicitation fixtures ask through an input-required result in the stateless era.
TEST_F(Fixtures2026Test, The2025FixturesAskThroughInputRequiredWhenStateless) {
  ToolResult sampling = Call("test_sampling", ctx_, {{"prompt", "Hi?"}});
  ASSERT_TRUE(sampling.input_required);
  EXPECT_EQ(sampling.input_required->input_requests["input"]["method"], "sampling/createMessage");
  EXPECT_EQ(sampling.input_required->input_requests["input"]["params"]["messages"][0]["content"]["text"],
            "Hi?");
  StatelessContext sampled(ctx_.client_capabilities(), {{"input", Sampled("Hello")}});
  EXPECT_EQ(Text(Call("test_sampling", sampled, {{"prompt", "Hi?"}})), "LLM response: Hello");

  for (const char* tool :
       {"test_elicitation", "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums"}) {
    ToolResult first = Call(tool, ctx_, {{"message", "Who?"}});
    ASSERT_TRUE(first.input_required) << tool;
    EXPECT_EQ(first.input_required->input_requests["input"]["method"], "elicitation/create");
    StatelessContext answered(ctx_.client_capabilities(), {{"input", {{"action", "decline"}}}});
    EXPECT_NE(Text(Call(tool, answered, {{"message", "Who?"}})).find("action=decline"), std::string::npos)
        << tool;
  }
}

// Through the real session core, as the 2026-07-28 scenarios drive it (one request per round).
class Fixtures2026SessionTest : public ::testing::Test {
 protected:
  Json Call(const std::string& tool, Json extra = Json::object(),
            Json capabilities = Json{{"sampling", Json::object()},
                                     {"elicitation", Json::object()},
                                     {"roots", {{"listChanged", true}}}},
            Json meta = Json::object()) {
    extra["name"] = tool;
    extra["arguments"] = Json::object();
    meta[kMetaProtocolVersion] = "2026-07-28";
    meta[kMetaClientCapabilities] = std::move(capabilities);
    meta[kMetaClientInfo] = Json{{"name", "conformance-test-client"}, {"version", "1.0.0"}};
    extra["_meta"] = std::move(meta);
    return client_.Request(next_id_++, "tools/call", std::move(extra));
  }

  ConformanceFixtures fixtures_;
  testing::TestClient client_{fixtures_};
  int next_id_ = 1;
};

TEST_F(Fixtures2026SessionTest, RequestStateRoundTripAndTamperedState) {
  Json first = Call("test_input_required_result_request_state")["result"];
  EXPECT_EQ(first["resultType"], "input_required");
  ASSERT_TRUE(first["requestState"].is_string());
  Json accept{{"confirm", Accept({{"ok", true}})}};
  Json done = Call("test_input_required_result_request_state",
                   {{"inputResponses", accept}, {"requestState", first["requestState"]}})["result"];
  EXPECT_EQ(done["resultType"], "complete");
  EXPECT_EQ(done["content"][0]["text"].get<std::string>().rfind("state-ok", 0), 0u) << done;

  Json tampered = Call("test_input_required_result_tampered_state")["result"];
  Json refused = Call("test_input_required_result_tampered_state",
                      {{"inputResponses", accept},
                       {"requestState", tampered["requestState"].get<std::string>() + "-TAMPERED"}});
  EXPECT_TRUE(refused.contains("error")) << refused;
}

TEST_F(Fixtures2026SessionTest, MultiRoundStatesDifferAndMissingResponsesAreAskedAgain) {
  Json r1 = Call("test_input_required_result_multi_round")["result"];
  Json r2 = Call("test_input_required_result_multi_round",
                 {{"inputResponses", {{"step1", Accept({{"name", "Alice"}})}}},
                  {"requestState", r1["requestState"]}})["result"];
  EXPECT_EQ(r2["resultType"], "input_required");
  EXPECT_NE(r2["requestState"], r1["requestState"]);
  Json r3 = Call("test_input_required_result_multi_round",
                 {{"inputResponses", {{"step2", Accept({{"color", "blue"}})}}},
                  {"requestState", r2["requestState"]}})["result"];
  EXPECT_EQ(r3["content"][0]["text"], "Hello, Alice! Your favorite color is blue.");

  Json again =
      Call("test_input_required_result_elicitation", {{"inputResponses", {{"wrong_key", Accept({})}}}});
  EXPECT_EQ(again["result"]["resultType"], "input_required");
  Json extra =
      Call("test_input_required_result_elicitation",
           {{"inputResponses", {{"user_name", Accept({{"name", "Alice"}})}, {"unknown_extra_key", 1}}}});
  EXPECT_EQ(extra["result"]["content"][0]["text"], "Hello, Alice!");
  Json invalid = Call("test_input_required_result_elicitation", {{"inputResponses", {{"user_name", 12345}}}});
  EXPECT_NE(invalid.value("result", Json::object()).value("resultType", ""), "complete") << invalid;
}

TEST_F(Fixtures2026SessionTest, CapabilitiesAreRespected) {
  Json missing = Call("test_missing_capability", Json::object(), Json::object());
  EXPECT_EQ(missing["error"]["code"], -32021);
  EXPECT_TRUE(missing["error"]["data"]["requiredCapabilities"]["sampling"].is_object()) << missing;

  Json sampling_only =
      Call("test_input_required_result_capabilities", Json::object(), {{"sampling", Json::object()}});
  ASSERT_EQ(sampling_only["result"]["resultType"], "input_required") << sampling_only;
  for (const auto& [key, request] : sampling_only["result"]["inputRequests"].items()) {
    EXPECT_NE(request["method"], "elicitation/create");
  }
  Json multiple = Call("test_input_required_result_multiple_inputs")["result"];
  EXPECT_EQ(multiple["inputRequests"].size(), 3u);
  EXPECT_TRUE(multiple["requestState"].is_string());
}

TEST_F(Fixtures2026SessionTest, LoggingToolLogsOnlyAtARequestedLevel) {
  EXPECT_EQ(Call("test_logging_tool")["result"]["resultType"], "complete");
  EXPECT_TRUE(client_.sink().WithMethod("notifications/message").empty());
  Call("test_logging_tool", Json::object(), Json::object(), Json{{kMetaLogLevel, "info"}});
  EXPECT_EQ(client_.sink().WithMethod("notifications/message").size(), 3u);
}

}  // namespace
}  // namespace lmcp::mcp
