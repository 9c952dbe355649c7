#pragma once
// The fixture tools of the MCP 2026-07-28 conformance scenarios (server-stateless, http-custom-header-*,
// input-required-result-*, and the tasks extension's tasks-*: greet, slow_compute, failing_job,
// protocol_error_job, confirm_delete, multi_input, test_tool_with_task), for ConformanceFixtures. Internal
// to the fixtures.
//
// The input-required fixtures are written as rounds: given the arguments, the client's inputResponses and the
// tool's own state, a round either finishes or asks for input (ToolResult::input_required). In the stateless
// era the core carries one round per request (it seals the state into requestState and verifies it on the
// retry); in the 2025 era the rounds run within one call, each input request sent with RequestClient.

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "mcp/tool_provider.h"

namespace lmcp::mcp::fixtures2026 {

inline const Json kNoArguments =
    Json{{"type", "object"}, {"properties", Json::object()}, {"additionalProperties", false}};
ToolDefinition FixtureTool(std::string name, std::string description, Json schema = kNoArguments);

// Sleeps up to `ms`; false when the call was stopped meanwhile.
bool Pause(const std::stop_token& stop, int ms);

// The text of a sampling result: content is a block or (newer revisions) an array of blocks.
std::string SampledText(const Json& result);

// The tools, in the order they are listed (after the 2025-era fixtures).
std::vector<ToolDefinition> Tools();

// Runs the fixture `name`; nullopt when it is not one of Tools(). `list_changed` fires the provider's
// list-changed callback (test_trigger_tool_change).
std::optional<Result<ToolResult>> Call(const std::string& name, const Json& arguments, CallContext& ctx,
                                       const std::function<void()>& list_changed);

// One round of a tool that may ask for input: `responses` is the client's inputResponses (an object, or null
// on a first call), `state` the tool's state from the previous round (null if none), `capabilities` what
// the client declared.
struct Round {
  const Json& arguments;
  const Json& responses;
  const Json& state;
  const Json& capabilities;
};
using RoundFn = std::function<ToolResult(const Round&)>;

// Stateless era: one round with the request's inputResponses and verified state. 2025 era: rounds until one
// finishes (at most `max_rounds`), each input request sent to the client with RequestClient; a request the
// client cannot answer ends the call with an isError result naming it.
Result<ToolResult> RunRounds(const RoundFn& round, const Json& arguments, CallContext& ctx,
                             int max_rounds = 8);

}  // namespace lmcp::mcp::fixtures2026
