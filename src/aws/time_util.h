#pragma once
// ISO-8601 / RFC 3339 timestamps as AWS writes them ("2026-11-24T01:00:00Z", "…T01:00:00.000+0000",
// "…T01:00:00+00:00"). Pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lmcp::aws {

std::optional<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text);
std::string FormatIso8601(std::chrono::system_clock::time_point t);  // "2026-11-24T01:00:00Z"

}  // namespace lmcp::aws
