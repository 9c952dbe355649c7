#pragma once
// W3C Trace Context (traceparent, tracestate) read from a request's _meta (MCP SEP-414; the HTTP transport
// copies the headers in), and what a Lambda Invoke carries of it: the X-Ray X-Amzn-Trace-Id header and a
// ClientContext whose `custom` holds the two values. Anything invalid is ignored, never forwarded, and
// never fails the call. Pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mcp/tool_provider.h"

namespace lmcp::catalog {

// tracestate longer than this is cut (whole members dropped, W3C's order) to keep the Invoke small.
inline constexpr std::size_t kMaxTracestateChars = 512;

struct TraceContext {
  std::string trace_id;    // 32 lower-case hex digits, not all zero
  std::string parent_id;   // 16 lower-case hex digits, not all zero
  std::uint8_t flags = 0;  // trace-flags; bit 0 is "sampled"
  std::string tracestate;  // valid and at most kMaxTracestateChars; "" when absent or invalid
  // The version-00 traceparent: "00-<trace_id>-<parent_id>-<flags>".
  std::string Traceparent() const;
};

// A traceparent value: version 00 exactly 55 characters; a later version (not ff) at least that, with "-"
// after the flags when longer. Lower-case hex only; an all-zero trace or parent id is invalid. Null when
// invalid.
std::optional<TraceContext> ParseTraceparent(std::string_view value);

// A tracestate value: comma-separated key=value members (W3C keys and values, at most 32 members, no key
// twice; empty members and optional white space around them are skipped). Returned rejoined with ","; cut
// to kMaxTracestateChars by dropping members over 128 characters, then members from the end. "" when
// invalid.
std::string NormalizeTracestate(std::string_view value);

// The trace context of a request's _meta: its "traceparent" and, only with a valid one, "tracestate" (both
// strings). Null when there is no valid traceparent.
std::optional<TraceContext> ReadTraceContext(const mcp::Json& meta);

// X-Ray's form: "Root=1-<first 8 hex>-<last 24 hex>;Parent=<parent_id>;Sampled=<0|1>".
std::string XRayTraceHeader(const TraceContext& trace);

// The ClientContext JSON: {"custom":{"traceparent":…,"tracestate":…}}, whose base64 fits in
// `max_base64_bytes` (Lambda allows 3,583): tracestate is left out when it would not fit, and "" is
// returned when even the traceparent does not.
std::string ClientContextJson(const TraceContext& trace, std::size_t max_base64_bytes);

}  // namespace lmcp::catalog
