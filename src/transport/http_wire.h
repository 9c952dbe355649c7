#pragma once
// HTTP/1.1 response text for HttpListener: status lines, response heads, chunks of a chunked body, and the
// canned answers the listener gives without involving a handler. Pure functions; safe from any thread.

#include <string>
#include <string_view>

#include "transport/http_listener.h"

namespace lmcp::transport {

// "HTTP/1.1 413 Payload Too Large\r\n"
std::string StatusLine(int status);
// The status line and headers of `response`, with its framing (Content-Length, or chunked for a stream and
// then Connection: close), up to and including the blank line.
std::string ResponseHead(const HttpResponse& response);
// One chunk of a chunked body.
std::string Chunk(std::string_view data);
// A whole response, connection closing, whose JSON-RPC error body says `message` (503 adds Retry-After).
std::string CannedResponse(int status, std::string_view message);

}  // namespace lmcp::transport
