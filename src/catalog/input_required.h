#pragma once
// Lambda tools that ask for input (MCP 2026-07-28 multi round-trip requests), function side. Pure functions.
//
// A function asks the client for input by returning MCP's input-required result, with a state of its own:
//   {"resultType": "input_required",
//    "inputRequests": {"<key>": {"method": "elicitation/create" | "sampling/createMessage" | "roots/list",
//                                "params": {...}}},
//    "requestState": <any JSON; optional>}
// At least one of inputRequests (non-empty) and requestState is required. The core seals requestState (the
// client can neither read nor change it: mcp/request_state.h) and keeps nothing. When the client retries, the
// function is invoked again with the same arguments plus the reserved member "_mcp":
//   {..., "_mcp": {"inputResponses": {"<key>": <the client's result>}, "requestState": <the state,
//   verified>}}
// (requestState absent when the function gave none). "_mcp" is reserved in every call: arguments that carry
// it are refused, so a function can trust what it finds there. Only the stateless era (2026-07-28) has
// input-required results; in the 2025 era the call ends with an isError result saying so.

#include <nlohmann/json.hpp>
#include <optional>

#include "catalog/result_mapping.h"
#include "mcp/tool_provider.h"

namespace lmcp::catalog {

// The event member that carries inputResponses and requestState on a retry.
inline constexpr const char* kInputEventMember = "_mcp";

// True when `value` is a function's input-required result (an object whose "resultType" is
// "input_required"); such a value is never mapped as an ordinary result.
bool IsInputRequiredPayload(const nlohmann::json& value);

// Maps an input-required payload (IsInputRequiredPayload) to the tool result: input_required set, or an
// isError result naming what is wrong with it, or (2025 era) saying that the client must use 2026-07-28.
mcp::ToolResult MapInputRequired(nlohmann::json value, const ResultContext& ctx);

// The event of a retry: `event` (an object) plus "_mcp" with the client's inputResponses and the verified
// state (each left out when null).
nlohmann::json EventWithInput(const nlohmann::json& event, const nlohmann::json& input_responses,
                              const nlohmann::json& request_state);

}  // namespace lmcp::catalog
