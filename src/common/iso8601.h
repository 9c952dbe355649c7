#pragma once
// ISO-8601 / RFC 3339 timestamps in UTC. Formatting truncates (never rounds) to the unit shown. Parsing takes
// what AWS writes ("2026-11-24T01:00:00Z", "…T01:00:00.000+0000", "…T01:00:00+00:00") and the basic form
// SigV4 signs with ("20261124T010000Z"). Pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lmcp {

using WallTime = std::chrono::system_clock::time_point;

std::string FormatIso8601(WallTime t);        // "2026-11-24T01:00:00Z"
std::string FormatIso8601Millis(WallTime t);  // "2026-11-24T01:00:00.123Z" (the audit log's)
std::string FormatIso8601Basic(WallTime t);   // "20261124T010000Z" (SigV4's X-Amz-Date)

// Extended form with optional time, fraction (milliseconds kept) and offset. nullopt when malformed.
std::optional<WallTime> ParseIso8601(std::string_view text);
// Exactly the basic form FormatIso8601Basic writes. nullopt otherwise.
std::optional<WallTime> ParseIso8601Basic(std::string_view text);

}  // namespace lmcp
