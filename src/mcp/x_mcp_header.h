#pragma once
// x-mcp-header (MCP 2026-07-28, Streamable HTTP "Custom Headers from Tool Parameters"): a tool's inputSchema
// may mark a parameter to be mirrored into the HTTP header "Mcp-Param-<name>". These pure functions check the
// annotations of a schema, decode a header value (plain, or the "=?base64?...?=" sentinel), and check a
// tools/call's headers against its arguments. No HTTP here: the transport hands the headers over as a list.
// Stateless and thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace lmcp::mcp {

// One valid annotation: the argument at `path` (a chain of `properties` keys from the schema root) is
// mirrored in the header "Mcp-Param-<header>".
struct HeaderParam {
  std::vector<std::string> path;
  std::string header;  // the x-mcp-header value as declared (header names compare case-insensitively)
  std::string type;    // "string", "integer" or "boolean"
  bool operator==(const HeaderParam&) const = default;
};

// An annotation that makes the tool definition invalid: where it is (JSON pointer of the schema that carries
// it) and why.
struct InvalidHeaderParam {
  std::string pointer;
  std::string reason;
};

struct HeaderParamScan {
  std::vector<HeaderParam> valid;           // in document order (object keys sorted)
  std::vector<InvalidHeaderParam> invalid;  // empty: the schema's annotations are valid
};

// Every x-mcp-header annotation of an inputSchema, sorted into valid and invalid. Valid: a non-empty RFC 9110
// token, case-insensitively unique (the first one in document order keeps the name), on a property whose
// `type` is exactly "string", "integer" or "boolean" and that is reached from the root through `properties`
// only. Anywhere else (items, anyOf, $defs, additionalProperties, ...), or on another type, it is invalid.
// Data keywords (const, enum, default, examples) and property names are not looked into.
HeaderParamScan ScanHeaderParams(const nlohmann::json& input_schema);

// The valid annotations, or kInvalidArgument naming the first invalid one ("<pointer>: <reason>").
Result<std::vector<HeaderParam>> ParseHeaderParams(const nlohmann::json& input_schema);

// Removes every invalid annotation (only the "x-mcp-header" key; the property stays) and returns one line per
// removal ("<pointer>: <reason>"). Clients must drop a tool with an invalid annotation; without it the tool
// stays usable, its other annotations intact.
std::vector<std::string> RemoveInvalidHeaderParams(nlohmann::json& input_schema);

// A header value as received → its text. Optional white space (SP, HTAB) around it is dropped; then
// "=?base64?<Base64>?=" is decoded (standard alphabet, padded, canonical), anything else is the text itself.
// kInvalidArgument: a plain value with a character outside 0x20-0x7E and HTAB, or a malformed sentinel.
Result<std::string> DecodeHeaderValue(std::string_view raw);

// The request's headers as (name, value) pairs, as received. Only names starting "Mcp-Param-" (any case) are
// read; one that no annotation names is ignored.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A tools/call's Mcp-Param-* headers against its arguments. Ok, or kInvalidArgument with the HeaderMismatch
// reason (the caller answers HTTP 400, -32020): a value is present (not null) but its header is missing; a
// header is present but the value is absent or null; a header appears twice; the header cannot be decoded;
// or the values differ (strings exactly, integers numerically, booleans as "true"/"false", integers only in
// ±(2^53-1)). Reasons name headers and parameters, never values.
Status CheckHeaderParams(const std::vector<HeaderParam>& params, const nlohmann::json& arguments,
                         const HeaderList& headers);

// The Mcp-Name header (nullptr: absent) against the body's name-shaped field (params.name of tools/call,
// params.taskId of tasks/*; `field` names it in the reason): decoded like DecodeHeaderValue, then compared
// exactly. kInvalidArgument (HeaderMismatch) when absent, undecodable or different.
Status CheckMcpNameHeader(const std::string* header, const std::string& name,
                          std::string_view field = "name");

}  // namespace lmcp::mcp
