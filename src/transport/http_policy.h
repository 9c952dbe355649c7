#pragma once
// Pure request-policy checks for the Streamable HTTP transport: Host and Origin allow-lists (DNS-rebinding
// protection, re-exported from common/host_policy.h), Accept and Content-Type parsing, protocol-version and
// session-id syntax. No I/O, no state; every function is thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "common/host_policy.h"

namespace lmcp::transport {

// The Host/Origin checks moved to common/host_policy.h (the local endpoint uses them too); these names stay
// available here so transport code keeps compiling unchanged.
using ::lmcp::HostName;
using ::lmcp::IsAllowedHost;
using ::lmcp::IsAllowedOrigin;
using ::lmcp::IsLoopbackHostName;
using ::lmcp::OriginPolicy;

// True when the Accept header lists `type` (or a matching wildcard "*/*", "text/*").
bool AcceptsMediaType(std::string_view accept_header, std::string_view type);
// True for "application/json" with optional parameters (charset), case-insensitive.
bool IsJsonContentType(std::string_view content_type);

// Mcp-Session-Id syntax: 1..1024 (mcp::kMaxSessionIdBytes: a session ticket) visible ASCII characters
// (0x21–0x7E).
bool IsValidSessionIdSyntax(std::string_view id);

// A new session id: 32 random bytes from the OS CSPRNG (OpenSSL RAND_bytes), base64url, 43 characters.
std::string NewSessionId();

}  // namespace lmcp::transport
