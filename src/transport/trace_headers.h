#pragma once
// W3C Trace Context over HTTP: the `traceparent` and `tracestate` headers of a POST apply to the requests it
// carries, which take them in params._meta (MCP SEP-414), where the tools read them. Pure function.

#include <nlohmann/json.hpp>

namespace lmcp::transport {

struct HttpHead;

// Copies the request head's trace context into `message`'s params._meta when `message` is a JSON-RPC
// request whose params is an object and whose _meta (an object, or absent) has no "traceparent": the body's
// own trace context wins. Needs exactly one non-empty traceparent header; several tracestate headers are
// joined with ",". The pair is copied together: without a tracestate header, a stray _meta tracestate is
// removed (it belonged to no traceparent). Values are copied as they are; their readers validate them.
void CopyTraceHeaders(const HttpHead& head, nlohmann::json& message);

}  // namespace lmcp::transport
