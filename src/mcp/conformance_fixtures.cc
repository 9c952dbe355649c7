#include "mcp/conformance_fixtures.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mcp/conformance_fixtures_2026.h"

namespace lmcp::mcp {

const char* ConformanceFixtures::kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==";
const char* ConformanceFixtures::kWavBase64 =
    "UklGRkQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YSAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    "=";

namespace {

using fixtures2026::FixtureTool;
using fixtures2026::Pause;

Json StringArgumentSchema(const std::string& name, const std::string& description) {
  return Json{{"type", "object"},
              {"properties", {{name, {{"type", "string"}, {"description", description}}}}},
              {"required", {name}}};
}

Json SchemaTool2020_12() {
  return Json::parse(R"({
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {
      "address": {
        "$anchor": "addressDef",
        "type": "object",
        "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
      }
    },
    "properties": {
      "name": {"type": "string"},
      "address": {"$ref": "#/$defs/address"},
      "contactMethod": {"type": "string", "enum": ["phone", "email"]},
      "phone": {"type": "string"},
      "email": {"type": "string"}
    },
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": false
  })");
}

Json Text(std::string text) { return Json{{"type", "text"}, {"text", std::move(text)}}; }
Json Image() {
  return Json{{"type", "image"}, {"data", ConformanceFixtures::kPngBase64}, {"mimeType", "image/png"}};
}

// The client's answer to one request: through RequestClient in the 2025 era. In the stateless era it is the
// retry's inputResponses["input"]; without one, `ask` becomes the input-required result asking for it and
// the answer is nullopt.
std::optional<Result<Json>> AskClient(CallContext& ctx, const std::string& method, Json params,
                                      ToolResult& ask) {
  if (!ctx.stateless()) {
    return ctx.RequestClient(method, params);
  }
  const Json& responses = ctx.input_responses();
  if (auto it = responses.is_object() ? responses.find("input") : responses.end();
      responses.is_object() && it != responses.end() && it->is_object()) {
    return Result<Json>(*it);
  }
  ask.input_required =
      InputRequired{Json{{"input", {{"method", method}, {"params", std::move(params)}}}}, nullptr};
  return std::nullopt;
}

ToolResult ElicitationResult(const char* prefix, const Result<Json>& answer) {
  if (!answer.ok()) {
    if (answer.error().code == ErrorCode::kFailedPrecondition) {
      return ToolResult::Text("Elicitation is not supported by this client.", true);
    }
    return ToolResult::Text("Elicitation failed: " + answer.error().message, true);
  }
  std::string action = answer->contains("action") && (*answer)["action"].is_string()
                           ? (*answer)["action"].get<std::string>()
                           : std::string("unknown");
  Json content = answer->contains("content") ? (*answer)["content"] : Json::object();
  return ToolResult::Text(std::string(prefix) + "action=" + action + ", content=" + content.dump());
}

std::optional<std::string> StringArgument(const Json& arguments, const char* name) {
  auto it = arguments.find(name);
  if (it == arguments.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace

ConformanceFixtures::ConformanceFixtures(bool hidden_test_tools) : hidden_test_tools_(hidden_test_tools) {
  auto tools = std::make_shared<std::vector<ToolDefinition>>();
  tools->push_back(FixtureTool("test_simple_text", "Returns a simple text response."));
  tools->push_back(FixtureTool("test_image_content", "Returns a 1x1 PNG image content block."));
  tools->push_back(FixtureTool("test_audio_content", "Returns a short WAV audio content block."));
  tools->push_back(FixtureTool("test_embedded_resource", "Returns an embedded text resource."));
  tools->push_back(FixtureTool("test_multiple_content_types", "Returns text, image and resource content."));
  tools->push_back(
      FixtureTool("test_tool_with_logging", "Sends three info log notifications while running."));
  tools->push_back(
      FixtureTool("test_tool_with_progress", "Sends progress notifications 0, 50 and 100 of 100."));
  tools->push_back(FixtureTool("test_error_handling", "Always fails with an isError result."));
  tools->push_back(FixtureTool("test_sampling", "Asks the client to sample an LLM response for the prompt.",
                               StringArgumentSchema("prompt", "Prompt to send to sampling/createMessage")));
  tools->push_back(FixtureTool("test_elicitation", "Asks the client to elicit a username and an email.",
                               StringArgumentSchema("message", "Prompt message shown to the user")));
  tools->push_back(FixtureTool("test_elicitation_sep1034_defaults",
                               "Elicitation with defaults for every primitive type."));
  tools->push_back(FixtureTool("test_elicitation_sep1330_enums", "Elicitation with every enum variant."));
  tools->push_back(FixtureTool("json_schema_2020_12_tool", "Lists a JSON Schema 2020-12 input schema.",
                               SchemaTool2020_12()));
  for (ToolDefinition& t : fixtures2026::Tools()) {
    tools->push_back(std::move(t));
  }
  tools_ = std::move(tools);
}

Result<ToolList> ConformanceFixtures::ListTools() { return tools_; }

void ConformanceFixtures::SetListChangedCallback(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  list_changed_ = std::move(callback);  // fired by test_trigger_tool_change; the list itself never changes
}

namespace {

// One function per fixture tool, in the suite's order.

Result<ToolResult> TestSimpleText(const Json&, CallContext&) {
  return ToolResult::Text("This is a simple text response for testing.");
}

Result<ToolResult> TestImageContent(const Json&, CallContext&) {
  ToolResult r;
  r.content.push_back(Image());
  return r;
}

Result<ToolResult> TestAudioContent(const Json&, CallContext&) {
  ToolResult r;
  r.content.push_back(
      Json{{"type", "audio"}, {"data", ConformanceFixtures::kWavBase64}, {"mimeType", "audio/wav"}});
  return r;
}

Result<ToolResult> TestEmbeddedResource(const Json&, CallContext&) {
  ToolResult r;
  r.content.push_back(Json{{"type", "resource"},
                           {"resource",
                            {{"uri", "test://embedded-resource"},
                             {"mimeType", "text/plain"},
                             {"text", "This is an embedded resource content."}}}});
  return r;
}

Result<ToolResult> TestMultipleContentTypes(const Json&, CallContext&) {
  ToolResult r;
  r.content.push_back(Text("Multiple content types test:"));
  r.content.push_back(Image());
  r.content.push_back(Json{{"type", "resource"},
                           {"resource",
                            {{"uri", "test://mixed-content-resource"},
                             {"mimeType", "application/json"},
                             {"text", "{\"test\":\"data\",\"value\":123}"}}}});
  return r;
}

Result<ToolResult> TestToolWithLogging(const Json&, CallContext& ctx) {
  const char* messages[] = {"Tool execution started", "Tool processing data", "Tool execution completed"};
  for (int i = 0; i < 3; ++i) {
    if (i > 0 && !Pause(ctx.stop_token(), 50)) {
      return Error::Cancelled("cancelled");
    }
    ctx.Log(LogLevel::kInfo, messages[i]);
  }
  return ToolResult::Text("Logging tool execution completed.");
}

Result<ToolResult> TestToolWithProgress(const Json&, CallContext& ctx) {
  for (int i = 0; i < 3; ++i) {
    if (i > 0 && !Pause(ctx.stop_token(), 50)) {
      return Error::Cancelled("cancelled");
    }
    ctx.Progress(i * 50.0, 100.0);
  }
  // Let the last notification reach the client before the response: the SDK client handles notifications
  // a tick later than responses, and drops progress that arrives together with its response.
  if (!Pause(ctx.stop_token(), 50)) {
    return Error::Cancelled("cancelled");
  }
  return ToolResult::Text("Progress tool execution completed.");
}

Result<ToolResult> TestErrorHandling(const Json&, CallContext&) {
  return ToolResult::Text("This tool intentionally returns an error for testing", true);
}

Result<ToolResult> TestSampling(const Json& arguments, CallContext& ctx) {
  auto prompt = StringArgument(arguments, "prompt");
  if (!prompt) {
    return ToolResult::Text("Invalid arguments: \"prompt\" (string) is required", true);
  }
  Json params{{"messages", {{{"role", "user"}, {"content", {{"type", "text"}, {"text", *prompt}}}}}},
              {"maxTokens", 100}};
  ToolResult ask;
  auto asked = AskClient(ctx, "sampling/createMessage", params, ask);
  if (!asked) {
    return ask;
  }
  const Result<Json>& answer = *asked;
  if (!answer.ok()) {
    if (answer.error().code == ErrorCode::kFailedPrecondition) {
      return ToolResult::Text("Sampling is not supported by this client.", true);
    }
    return ToolResult::Text("Sampling failed: " + answer.error().message, true);
  }
  return ToolResult::Text("LLM response: " + fixtures2026::SampledText(*answer));
}

Result<ToolResult> TestElicitation(const Json& arguments, CallContext& ctx) {
  auto message = StringArgument(arguments, "message");
  if (!message) {
    return ToolResult::Text("Invalid arguments: \"message\" (string) is required", true);
  }
  Json schema{{"type", "object"},
              {"properties",
               {{"username", {{"type", "string"}, {"description", "User's response"}}},
                {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
              {"required", {"username", "email"}}};
  ToolResult ask;
  auto answer =
      AskClient(ctx, "elicitation/create", {{"message", *message}, {"requestedSchema", schema}}, ask);
  return answer ? ElicitationResult("User response: ", *answer) : ask;
}

Result<ToolResult> TestElicitationSep1034Defaults(const Json&, CallContext& ctx) {
  Json schema = Json::parse(R"({
    "type": "object",
    "properties": {
      "name": {"type": "string", "default": "John Doe"},
      "age": {"type": "integer", "default": 30},
      "score": {"type": "number", "default": 95.5},
      "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
      "verified": {"type": "boolean", "default": true}
    },
    "required": ["name", "age", "score", "status", "verified"]
  })");
  ToolResult ask;
  auto answer = AskClient(
      ctx, "elicitation/create",
      {{"message", "Please review and update the form fields with defaults"}, {"requestedSchema", schema}},
      ask);
  return answer ? ElicitationResult("Elicitation completed: ", *answer) : ask;
}

Result<ToolResult> TestElicitationSep1330Enums(const Json&, CallContext& ctx) {
  Json schema = Json::parse(R"({
    "type": "object",
    "properties": {
      "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
      "titledSingle": {"type": "string", "oneOf": [
        {"const": "value1", "title": "First Option"},
        {"const": "value2", "title": "Second Option"},
        {"const": "value3", "title": "Third Option"}]},
      "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"],
                     "enumNames": ["Option One", "Option Two", "Option Three"]},
      "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
      "titledMulti": {"type": "array", "items": {"anyOf": [
        {"const": "value1", "title": "First Choice"},
        {"const": "value2", "title": "Second Choice"},
        {"const": "value3", "title": "Third Choice"}]}}
    },
    "required": ["untitledSingle", "titledSingle", "legacyEnum", "untitledMulti", "titledMulti"]
  })");
  ToolResult ask;
  auto answer = AskClient(ctx, "elicitation/create",
                          {{"message", "Choose enum variants"}, {"requestedSchema", schema}}, ask);
  return answer ? ElicitationResult("Elicitation completed: ", *answer) : ask;
}

Result<ToolResult> JsonSchema202012Tool(const Json& arguments, CallContext&) {
  return ToolResult::Text("Received: " + arguments.dump());
}

Result<ToolResult> TestSlow(const Json& arguments, CallContext& ctx) {
  int ms = 10000;
  if (auto it = arguments.find("ms"); it != arguments.end() && it->is_number_integer()) {
    ms = std::max(0, it->get<int>());
  }
  int steps = std::max(1, ms / 50);
  for (int i = 0; i < steps; ++i) {
    ctx.Progress(i, steps);
    if (!Pause(ctx.stop_token(), ms / steps)) {
      return Error::Cancelled("test_slow cancelled");
    }
  }
  return ToolResult::Text("test_slow finished after " + std::to_string(ms) + " ms");
}

}  // namespace

Result<ToolResult> ConformanceFixtures::CallTool(const std::string& name, Json arguments, CallContext& ctx) {
  using Fixture = Result<ToolResult> (*)(const Json& arguments, CallContext& ctx);
  static const std::map<std::string, Fixture> kFixtures = {
      {"test_simple_text", &TestSimpleText},
      {"test_image_content", &TestImageContent},
      {"test_audio_content", &TestAudioContent},
      {"test_embedded_resource", &TestEmbeddedResource},
      {"test_multiple_content_types", &TestMultipleContentTypes},
      {"test_tool_with_logging", &TestToolWithLogging},
      {"test_tool_with_progress", &TestToolWithProgress},
      {"test_error_handling", &TestErrorHandling},
      {"test_sampling", &TestSampling},
      {"test_elicitation", &TestElicitation},
      {"test_elicitation_sep1034_defaults", &TestElicitationSep1034Defaults},
      {"test_elicitation_sep1330_enums", &TestElicitationSep1330Enums},
      {"json_schema_2020_12_tool", &JsonSchema202012Tool},
  };
  if (auto fixture = kFixtures.find(name); fixture != kFixtures.end()) {
    return fixture->second(arguments, ctx);
  }
  auto list_changed = [this] {
    std::function<void()> callback;
    {
      std::lock_guard lock(mu_);
      callback = list_changed_;
    }
    if (callback) {
      callback();
    }
  };
  if (auto result = fixtures2026::Call(name, arguments, ctx, list_changed)) {
    return std::move(*result);
  }
  if (name == "test_slow" && hidden_test_tools_) {
    return TestSlow(arguments, ctx);
  }
  return Error::NotFound("unknown tool " + name);
}

}  // namespace lmcp::mcp
