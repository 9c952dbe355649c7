#include "mcp/conformance_fixtures_2026.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <utility>

namespace lmcp::mcp::fixtures2026 {

namespace {

// The x-mcp-header tools exactly as the suite's own client scenario (http-custom-headers) serves them. The
// server scenario picks the first listed tool with an x-mcp-header string property: test_custom_headers,
// `region` (header Mcp-Param-Region).
Json CustomHeadersSchema() {
  return Json::parse(R"json({
    "type": "object",
    "properties": {
      "region": {"type": "string", "description": "Plain ASCII string value", "x-mcp-header": "Region"},
      "priority": {"type": "integer", "description": "Integer numeric value", "x-mcp-header": "Priority"},
      "verbose": {"type": "boolean", "description": "Boolean value", "x-mcp-header": "Verbose"},
      "debug": {"type": "boolean", "description": "Boolean true value", "x-mcp-header": "Debug"},
      "empty_val": {"type": "string", "description": "Empty string value", "x-mcp-header": "EmptyVal"},
      "method_val": {"type": "string", "description": "Value for the header named Method (Mcp-Param-Method)",
                     "x-mcp-header": "Method"},
      "float_val": {"type": "number", "description": "Floating point value without x-mcp-header"},
      "non_ascii_val": {"type": "string", "description": "Non-ASCII string value (Base64 in the header)",
                        "x-mcp-header": "NonAscii"},
      "whitespace_val": {"type": "string", "description": "Leading and trailing whitespace (Base64)",
                         "x-mcp-header": "Whitespace"},
      "leading_space_val": {"type": "string", "description": "Leading space only (Base64)",
                            "x-mcp-header": "LeadingSpace"},
      "trailing_space_val": {"type": "string", "description": "Trailing space only (Base64)",
                             "x-mcp-header": "TrailingSpace"},
      "internal_space_val": {"type": "string", "description": "Internal spaces only (plain)",
                             "x-mcp-header": "InternalSpace"},
      "control_char_val": {"type": "string", "description": "Control characters (Base64)",
                           "x-mcp-header": "ControlChar"},
      "crlf_val": {"type": "string", "description": "Carriage return and line feed (Base64)",
                   "x-mcp-header": "CrLf"},
      "tab_val": {"type": "string", "description": "Leading tab (Base64)", "x-mcp-header": "Tab"},
      "query": {
  "type" : "string", "description" : "No x-mcp-header annotation"
}
}
, "required" : [ "region", "priority", "query" ]
})json");
}

Json CustomHeadersNullSchema() {
  return Json::parse(R"json({
    "type": "object",
    "properties": {
      "region": {"type": "string", "description": "Plain ASCII string value", "x-mcp-header": "Region"},
      "priority": {"type": "integer", "description": "Integer numeric value", "x-mcp-header": "Priority"},
      "verbose": {"type": "boolean", "description": "Boolean value, null to test omission",
                  "x-mcp-header": "Verbose"},
      "query": {"type": "string", "description": "No x-mcp-header annotation"}
    },
    "required": ["region", "priority", "query"]
  })json");
}

// --- input requests and responses ---

Json Elicit(const std::string& message, const std::string& field, const std::string& type) {
  return Json{{"method", "elicitation/create"},
              {"params",
               {{"message", message},
                {"requestedSchema",
                 {{"type", "object"}, {"properties", {{field, {{"type", type}}}}}, {"required", {field}}}}}}};
}

Json Sample(const std::string& text, int max_tokens) {
  return Json{{"method", "sampling/createMessage"},
              {"params",
               {{"messages", {{{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}}}},
                {"maxTokens", max_tokens}}}};
}

Json ListRoots() { return Json{{"method", "roots/list"}, {"params", Json::object()}}; }

ToolResult Ask(Json requests, Json state = nullptr) {
  ToolResult r;
  r.input_required = InputRequired{std::move(requests), std::move(state)};
  return r;
}

// The client's response under `key`, if it is an object.
const Json* Response(const Round& r, const std::string& key) {
  if (!r.responses.is_object()) {
    return nullptr;
  }
  auto it = r.responses.find(key);
  return it != r.responses.end() && it->is_object() ? &*it : nullptr;
}

// The elicitation response's action ("accept", "decline", "cancel"), or "" when it has none.
std::string Action(const Json* response) {
  if (response == nullptr) {
    return "";
  }
  auto it = response->find("action");
  return it != response->end() && it->is_string() ? it->get<std::string>() : "";
}

// The accepted elicitation's string field `field`, if the user accepted and gave one.
std::optional<std::string> AcceptedString(const Json* response, const std::string& field) {
  if (Action(response) != "accept") {
    return std::nullopt;
  }
  auto content = response->find("content");
  if (content == response->end() || !content->is_object()) {
    return std::nullopt;
  }
  auto it = content->find(field);
  return it != content->end() && it->is_string() ? std::optional(it->get<std::string>()) : std::nullopt;
}

bool IsSamplingResult(const Json* response) { return response != nullptr && response->contains("content"); }

std::string RootUris(const Json& roots_result) {
  std::string uris;
  for (const Json& root : roots_result["roots"]) {
    if (root.is_object() && root.contains("uri") && root["uri"].is_string()) {
      uris += (uris.empty() ? "" : ", ") + root["uri"].get<std::string>();
    }
  }
  return uris.empty() ? "none" : uris;
}

bool IsRootsResult(const Json* response) {
  return response != nullptr && response->contains("roots") && (*response)["roots"].is_array();
}

// --- the input-required fixtures, one round each ---

ToolResult ElicitationRound(const Round& r) {
  const Json* answer = Response(r, "user_name");
  std::string action = Action(answer);
  if (action == "decline" || action == "cancel") {
    return ToolResult::Text("No name given: the user chose " + action + ".");
  }
  if (auto name = AcceptedString(answer, "name")) {
    return ToolResult::Text("Hello, " + *name + "!");
  }
  return Ask({{"user_name", Elicit("What is your name?", "name", "string")}});
}

// Asks the client's LLM `prompt` under `key`, then answers with what it sampled.
RoundFn SamplingFixture(std::string key, std::string prompt, int max_tokens) {
  return [key = std::move(key), prompt = std::move(prompt), max_tokens](const Round& r) {
    const Json* answer = Response(r, key);
    if (IsSamplingResult(answer)) {
      return ToolResult::Text("LLM response: " + SampledText(*answer));
    }
    return Ask({{key, Sample(prompt, max_tokens)}});
  };
}

ToolResult ListRootsRound(const Round& r) {
  const Json* answer = Response(r, "client_roots");
  if (IsRootsResult(answer)) {
    return ToolResult::Text("Client roots: " + RootUris(*answer));
  }
  return Ask({{"client_roots", ListRoots()}});
}

Json ConfirmRequest() { return Elicit("Please confirm", "ok", "boolean"); }

// test_input_required_result_request_state and _tampered_state: the retry finishes only with the state the
// first round issued (the core hands it over verified; a tampered one never gets here).
RoundFn ConfirmWithState(std::string step, std::string done) {
  return [step = std::move(step), done = std::move(done)](const Round& r) {
    const Json state{{"step", step}};
    std::string action = Action(Response(r, "confirm"));
    if (r.state == state && !action.empty()) {
      return ToolResult::Text(done + " (confirm: " + action + ")");
    }
    return Ask({{"confirm", ConfirmRequest()}}, state);
  };
}

// Asks for whatever is still missing; the answers so far travel in the state.
ToolResult MultipleInputsRound(const Round& r) {
  Json answers = r.state.is_object() && r.state.contains("answers") && r.state["answers"].is_object()
                     ? r.state["answers"]
                     : Json::object();
  const std::map<std::string, Json> requests = {
      {"user_name", Elicit("What is your name?", "name", "string")},
      {"greeting", Sample("Generate a greeting", 50)},
      {"client_roots", ListRoots()},
  };
  Json missing = Json::object();
  for (const auto& [key, request] : requests) {
    if (const Json* answer = Response(r, key)) {
      answers[key] = *answer;
    }
    if (!answers.contains(key)) {
      missing[key] = request;
    }
  }
  if (missing.empty()) {
    std::string name = AcceptedString(&answers["user_name"], "name").value_or("(no name)");
    std::string roots = IsRootsResult(&answers["client_roots"]) ? RootUris(answers["client_roots"]) : "none";
    return ToolResult::Text("Hello, " + name + "! Greeting: " + SampledText(answers["greeting"]) +
                            " Roots: " + roots);
  }
  return Ask(std::move(missing), Json{{"step", "multiple_inputs"}, {"answers", std::move(answers)}});
}

// Three rounds: a name, then a colour; each retry carries a different state.
ToolResult MultiRoundRound(const Round& r) {
  const Json step1 = Elicit("Step 1: What is your name?", "name", "string");
  const Json step2 = Elicit("Step 2: What is your favorite color?", "color", "string");
  int round = r.state.is_object() ? r.state.value("round", 0) : 0;
  if (round == 2) {
    if (auto color = AcceptedString(Response(r, "step2"), "color")) {
      return ToolResult::Text("Hello, " + r.state.value("name", std::string()) + "! Your favorite color is " +
                              *color + ".");
    }
    return Ask({{"step2", step2}}, r.state);
  }
  if (round == 1) {
    if (auto name = AcceptedString(Response(r, "step1"), "name")) {
      return Ask({{"step2", step2}}, Json{{"round", 2}, {"name", *name}});
    }
  }
  return Ask({{"step1", step1}}, Json{{"round", 1}});
}

// Asks only for what the client declared (a request for an undeclared capability is a protocol error).
ToolResult CapabilitiesRound(const Round& r) {
  const std::map<std::string, std::pair<std::string, Json>> by_capability = {
      {"sampling", {"capital_question", Sample("What is the capital of France?", 100)}},
      {"elicitation", {"user_name", Elicit("What is your name?", "name", "string")}},
      {"roots", {"client_roots", ListRoots()}},
  };
  Json requests = Json::object();
  std::string answered;
  for (const auto& [capability, request] : by_capability) {
    if (!r.capabilities.is_object() || !r.capabilities.contains(capability)) {
      continue;
    }
    if (Response(r, request.first) != nullptr) {
      answered += (answered.empty() ? "" : ", ") + request.first;
    } else {
      requests[request.first] = request.second;
    }
  }
  if (!answered.empty()) {
    return ToolResult::Text("Received input for: " + answered);
  }
  if (requests.empty()) {
    return ToolResult::Text("The client declared none of sampling, elicitation and roots: nothing to ask.");
  }
  return Ask(std::move(requests));
}

// test_streaming_elicitation: the elicitation goes out as an input-required result on the response, never
// as a request of its own on the stream.
ToolResult StreamingElicitationRound(const Round& r) {
  const Json* answer = Response(r, "confirmation");
  std::string action = Action(answer);
  if (!action.empty()) {
    Json content = answer->contains("content") ? (*answer)["content"] : Json::object();
    return ToolResult::Text("User response: action=" + action + ", content=" + content.dump());
  }
  return Ask({{"confirmation", Elicit("Continue with the streaming operation?", "continue", "boolean")}});
}

// --- the fixtures that do not ask for input ---

Result<ToolResult> LoggingTool(CallContext& ctx) {
  for (const char* message : {"Logging tool started", "Logging tool working", "Logging tool finished"}) {
    ctx.Log(LogLevel::kInfo, message);
  }
  return ToolResult::Text("Logged 3 messages.");
}

Result<ToolResult> CustomHeaders(const Json& arguments) {
  return ToolResult::Text("Custom headers test completed: " + arguments.dump());
}

const std::map<std::string, RoundFn>& RoundFixtures() {
  static const std::map<std::string, RoundFn> kRounds = {
      // Lists sampling as required, so the core refuses a client without it (-32021).
      {"test_missing_capability", SamplingFixture("greeting", "Say hello.", 50)},
      {"test_streaming_elicitation", StreamingElicitationRound},
      {"test_input_required_result_elicitation", ElicitationRound},
      {"test_input_required_result_sampling",
       SamplingFixture("capital_question", "What is the capital of France?", 100)},
      {"test_input_required_result_list_roots", ListRootsRound},
      {"test_input_required_result_request_state",
       ConfirmWithState("request_state", "state-ok: the requestState came back intact")},
      {"test_input_required_result_multiple_inputs", MultipleInputsRound},
      {"test_input_required_result_multi_round", MultiRoundRound},
      {"test_input_required_result_tampered_state",
       ConfirmWithState("tampered_state", "state-ok: the requestState passed its integrity check")},
      {"test_input_required_result_capabilities", CapabilitiesRound},
  };
  return kRounds;
}

// --- the tasks extension's fixtures (tasks-* scenarios) ---

Json SlowComputeSchema() {
  return Json{{"type", "object"},
              {"properties",
               {{"seconds", {{"type", "number"}, {"minimum", 0}, {"maximum", 600}}},
                {"label", {{"type", "string"}}}}}};
}

Result<ToolResult> SlowCompute(const Json& arguments, CallContext& ctx) {
  double seconds = arguments.value("seconds", 1.0);
  std::string label = arguments.value("label", std::string("job"));
  if (!Pause(ctx.stop_token(), static_cast<int>(seconds * 1000))) {
    return Error::Cancelled("slow_compute cancelled");
  }
  return ToolResult::Text("Computed " + label + " in " + arguments.value("seconds", Json(1)).dump() + " s");
}

ToolResult ConfirmDeleteRound(const Round& r) {
  std::string file = r.arguments.value("filename", std::string("file"));
  const Json* answer = Response(r, "confirm");
  if (answer == nullptr) {
    return Ask({{"confirm", Elicit("Delete " + file + "?", "confirm", "boolean")}});
  }
  return ToolResult::Text(Action(answer) == "accept" ? "Deleted " + file : "Kept " + file);
}

ToolResult MultiInputRound(const Round& r) {
  const Json* first = Response(r, "name");
  const Json* second = Response(r, "confirm");
  if (first == nullptr || second == nullptr) {
    return Ask({{"name", Elicit("What is your name?", "name", "string")},
                {"confirm", Elicit("Go ahead?", "confirm", "boolean")}});
  }
  return ToolResult::Text("Got " + AcceptedString(first, "name").value_or("(no name)") + " and " +
                          Action(second));
}

ToolResult GreetLaterRound(const Round& r) {
  if (auto name = AcceptedString(Response(r, "user_name"), "name")) {
    return ToolResult::Text("Hello, " + *name + "! (finished in a task)");
  }
  return Ask({{"user_name", Elicit("What is your name?", "name", "string")}});
}

std::vector<ToolDefinition> TaskTools() {
  std::vector<ToolDefinition> tools;
  tools.push_back(FixtureTool("greet", "Greets synchronously; never a task.",
                              Json{{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}}));
  ToolDefinition slow =
      FixtureTool("slow_compute", "Sleeps `seconds`, then answers; may run as a task.", SlowComputeSchema());
  slow.task_support = TaskSupport::kOptional;
  tools.push_back(std::move(slow));
  ToolDefinition failing =
      FixtureTool("failing_job", "Fails with a tool error after a second; only as a task.");
  failing.task_support = TaskSupport::kRequired;
  tools.push_back(std::move(failing));
  ToolDefinition protocol =
      FixtureTool("protocol_error_job", "Fails with a protocol error; may run as a task.");
  protocol.task_support = TaskSupport::kOptional;
  tools.push_back(std::move(protocol));
  ToolDefinition confirm =
      FixtureTool("confirm_delete", "Asks to confirm, then deletes (pretends to); may run as a task.",
                  Json{{"type", "object"}, {"properties", {{"filename", {{"type", "string"}}}}}});
  confirm.task_support = TaskSupport::kOptional;
  tools.push_back(std::move(confirm));
  ToolDefinition multi = FixtureTool("multi_input", "Asks two questions at once; may run as a task.");
  multi.task_support = TaskSupport::kOptional;
  tools.push_back(std::move(multi));
  ToolDefinition later =
      FixtureTool("test_tool_with_task", "Asks for a name, then greets from a task (input before the task).");
  later.task_support = TaskSupport::kRequired;
  later.input_before_task = true;
  tools.push_back(std::move(later));
  return tools;
}

std::optional<Result<ToolResult>> CallTaskTool(const std::string& name, const Json& arguments,
                                               CallContext& ctx) {
  if (name == "greet") {
    return ToolResult::Text("Hello, " + arguments.value("name", std::string("world")) + "!");
  }
  if (name == "slow_compute") {
    return SlowCompute(arguments, ctx);
  }
  if (name == "failing_job") {
    if (!Pause(ctx.stop_token(), 1000)) {
      return Result<ToolResult>(Error::Cancelled("failing_job cancelled"));
    }
    return ToolResult::Text("The job failed: the fixture always fails", /*is_error=*/true);
  }
  if (name == "protocol_error_job") {
    return Result<ToolResult>(Error::Internal("protocol_error_job always fails at the protocol level"));
  }
  if (name == "confirm_delete") {
    return RunRounds(ConfirmDeleteRound, arguments, ctx);
  }
  if (name == "multi_input") {
    return RunRounds(MultiInputRound, arguments, ctx);
  }
  if (name == "test_tool_with_task") {
    return RunRounds(GreetLaterRound, arguments, ctx);
  }
  return std::nullopt;
}

}  // namespace

ToolDefinition FixtureTool(std::string name, std::string description, Json schema) {
  ToolDefinition t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = std::move(schema);
  return t;
}

std::string SampledText(const Json& result) {
  const Json* content = result.contains("content") ? &result["content"] : nullptr;
  if (content != nullptr && content->is_array() && !content->empty()) {
    content = &(*content)[0];
  }
  if (content != nullptr && content->is_object() && content->contains("text") &&
      (*content)["text"].is_string()) {
    return (*content)["text"].get<std::string>();
  }
  return result.dump();
}

std::vector<ToolDefinition> Tools() {
  std::vector<ToolDefinition> tools;
  ToolDefinition missing =
      FixtureTool("test_missing_capability",
                  "Needs the client's sampling capability; the server refuses a client without it.");
  missing.required_client_capabilities = Json{{"sampling", Json::object()}};
  tools.push_back(std::move(missing));
  tools.push_back(FixtureTool("test_streaming_elicitation",
                              "Asks the user to confirm through an input-required result."));
  tools.push_back(
      FixtureTool("test_logging_tool", "Logs three info messages (sent only at a requested log level)."));
  tools.push_back(
      FixtureTool("test_trigger_tool_change", "Announces a change of the tool list to listeners."));
  tools.push_back(FixtureTool("test_custom_headers", "Mirrors parameters into Mcp-Param headers.",
                              CustomHeadersSchema()));
  tools.push_back(FixtureTool("test_custom_headers_null",
                              "A null x-mcp-header parameter is omitted from the headers.",
                              CustomHeadersNullSchema()));
  tools.push_back(
      FixtureTool("test_input_required_result_elicitation", "Asks the user for their name, then greets."));
  tools.push_back(
      FixtureTool("test_input_required_result_sampling", "Asks the client's LLM for the capital of France."));
  tools.push_back(FixtureTool("test_input_required_result_list_roots",
                              "Asks the client for its roots, then lists them."));
  tools.push_back(FixtureTool("test_input_required_result_request_state",
                              "Asks for a confirmation and checks its request state."));
  tools.push_back(FixtureTool("test_input_required_result_multiple_inputs",
                              "Asks for a name, a sampled greeting and the roots at once."));
  tools.push_back(
      FixtureTool("test_input_required_result_multi_round", "Asks for a name, then for a colour."));
  tools.push_back(FixtureTool("test_input_required_result_tampered_state",
                              "Asks for a confirmation; a tampered request state is refused."));
  tools.push_back(FixtureTool("test_input_required_result_capabilities",
                              "Asks only for the kinds of input the client declared."));
  for (ToolDefinition& t : TaskTools()) {
    tools.push_back(std::move(t));
  }
  return tools;
}

std::optional<Result<ToolResult>> Call(const std::string& name, const Json& arguments, CallContext& ctx,
                                       const std::function<void()>& list_changed) {
  if (auto it = RoundFixtures().find(name); it != RoundFixtures().end()) {
    return RunRounds(it->second, arguments, ctx);
  }
  if (name == "test_logging_tool") {
    return LoggingTool(ctx);
  }
  if (name == "test_trigger_tool_change") {
    if (list_changed) {
      list_changed();
    }
    return ToolResult::Text("Tool list change announced.");
  }
  if (name == "test_custom_headers" || name == "test_custom_headers_null") {
    return CustomHeaders(arguments);
  }
  return CallTaskTool(name, arguments, ctx);
}

bool Pause(const std::stop_token& stop, int ms) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  return !cv.wait_for(lock, stop, std::chrono::milliseconds(ms), [] { return false; });
}

Result<ToolResult> RunRounds(const RoundFn& round, const Json& arguments, CallContext& ctx, int max_rounds) {
  const Json& capabilities = ctx.client_capabilities();
  if (ctx.stateless()) {
    return round(Round{arguments, ctx.input_responses(), ctx.request_state(), capabilities});
  }
  Json responses;
  Json state;
  for (int i = 0; i < max_rounds; ++i) {
    ToolResult result = round(Round{arguments, responses, state, capabilities});
    if (!result.input_required) {
      return result;
    }
    responses = Json::object();
    for (const auto& [key, request] : result.input_required->input_requests.items()) {
      const std::string method = request.value("method", std::string());
      auto answer = ctx.RequestClient(method, request.value("params", Json::object()));
      if (!answer.ok()) {
        if (answer.error().code == ErrorCode::kCancelled) {
          return answer.error();
        }
        return ToolResult::Text("The client could not answer " + method + ": " + answer.error().message,
                                true);
      }
      responses[key] = std::move(answer).value();
    }
    state = std::move(result.input_required->state);
  }
  return ToolResult::Text("Still missing input after " + std::to_string(max_rounds) + " rounds.", true);
}

}  // namespace lmcp::mcp::fixtures2026
