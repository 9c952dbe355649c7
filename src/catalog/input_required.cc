#include "catalog/input_required.h"

#include <set>
#include <string>
#include <utility>

namespace lmcp::catalog {
namespace {

using Json = nlohmann::json;

mcp::ToolResult ErrorText(std::string text) {
  mcp::ToolResult r;
  r.content = Json::array({Json{{"type", "text"}, {"text", std::move(text)}}});
  r.is_error = true;
  return r;
}

// Why `requests` is not a valid inputRequests map; "" when it is.
std::string InputRequestsProblem(const Json& requests) {
  static const std::set<std::string> kMethods = {"elicitation/create", "sampling/createMessage",
                                                 "roots/list"};
  if (!requests.is_object()) {
    return "\"inputRequests\" must be an object mapping keys to requests";
  }
  for (const auto& [key, request] : requests.items()) {
    if (key.empty()) {
      return "an inputRequests key is empty";
    }
    if (!request.is_object() || !request.contains("method") || !request["method"].is_string() ||
        !kMethods.count(request["method"].get<std::string>())) {
      return "inputRequests[\"" + key +
             "\"] must be {\"method\": \"elicitation/create\" | \"sampling/createMessage\" | \"roots/list\", "
             "\"params\": {...}}";
    }
    const bool params_optional = request["method"] == "roots/list";
    auto params = request.find("params");
    if ((params == request.end() && !params_optional) || (params != request.end() && !params->is_object())) {
      return "inputRequests[\"" + key + "\"].params must be an object";
    }
  }
  return "";
}

std::string Methods(const Json& requests) {
  std::set<std::string> methods;
  for (const auto& [key, request] : requests.items()) {
    methods.insert(request.value("method", std::string()));
  }
  std::string out;
  for (const auto& m : methods) {
    out += (out.empty() ? "" : ", ") + m;
  }
  return out;
}

}  // namespace

bool IsInputRequiredPayload(const Json& value) {
  if (!value.is_object()) {
    return false;
  }
  auto it = value.find("resultType");
  return it != value.end() && it->is_string() && it->get_ref<const std::string&>() == "input_required";
}

mcp::ToolResult MapInputRequired(Json value, const ResultContext& ctx) {
  const std::string who = "Lambda function " + ctx.function;
  Json requests = value.contains("inputRequests") ? std::move(value["inputRequests"]) : Json::object();
  Json state = value.contains("requestState") ? std::move(value["requestState"]) : Json();
  if (std::string problem = InputRequestsProblem(requests); !problem.empty()) {
    return ErrorText(who + " returned an input-required result lambda-mcp cannot pass on: " + problem + ".");
  }
  if (requests.empty() && state.is_null()) {
    return ErrorText(who +
                     " returned an input-required result with neither inputRequests nor requestState; it "
                     "needs at least one.");
  }
  if (!ctx.stateless) {
    return ErrorText(who + " asks the client for input (" +
                     (requests.empty() ? "a retry" : Methods(requests)) +
                     "), which lambda-mcp passes on only to clients that speak MCP 2026-07-28; this client "
                     "uses " +
                     ctx.protocol_version + ". The function did not finish.");
  }
  mcp::ToolResult r;
  r.input_required = mcp::InputRequired{std::move(requests), std::move(state)};
  return r;
}

Json EventWithInput(const Json& event, const Json& input_responses, const Json& request_state) {
  Json input = Json::object();
  if (!input_responses.is_null()) {
    input["inputResponses"] = input_responses;
  }
  if (!request_state.is_null()) {
    input["requestState"] = request_state;
  }
  Json out = event;
  out[kInputEventMember] = std::move(input);
  return out;
}

}  // namespace lmcp::catalog
