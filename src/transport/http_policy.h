#pragma once
// Pure request-policy checks for the Streamable HTTP transport: Host and Origin allow-lists (DNS-rebinding
// protection), Accept and Content-Type parsing, protocol-version and session-id syntax. No I/O, no state;
// every function is thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace lmcp::transport {

// Lower-cased host name of a Host header value or URL authority: "LocalHost:8080" → "localhost",
// "[::1]:3000" → "::1". Empty when malformed.
std::string HostName(std::string_view authority);

bool IsLoopbackHostName(std::string_view host);

struct OriginPolicy {
  // Exact origins ("https://app.example.com", scheme://host[:port], compared case-insensitively) or "*".
  std::vector<std::string> allowed_origins;
  // Extra Host names (no port) accepted besides the loopback names when bound to loopback.
  std::vector<std::string> allowed_hosts;
  // When true, Origins and Hosts naming localhost / 127.0.0.1 / [::1] (any port) are accepted.
  bool allow_loopback = true;
};

// Host header check (DNS rebinding): a missing Host is rejected; loopback names pass when allowed.
bool IsAllowedHost(const OriginPolicy& policy, std::string_view host_header);
// Origin check: an absent Origin (non-browser client) passes; "null" and anything not listed fail.
bool IsAllowedOrigin(const OriginPolicy& policy, std::string_view origin_header);

// True when the Accept header lists `type` (or a matching wildcard "*/*", "text/*").
bool AcceptsMediaType(std::string_view accept_header, std::string_view type);
// True for "application/json" with optional parameters (charset), case-insensitive.
bool IsJsonContentType(std::string_view content_type);

// Mcp-Session-Id syntax: 1..128 visible ASCII characters (0x21–0x7E).
bool IsValidSessionIdSyntax(std::string_view id);

// A new session id: 32 random bytes from the OS CSPRNG (OpenSSL RAND_bytes), base64url, 43 characters.
std::string NewSessionId();

// Constant-time comparison for secrets (length is not hidden).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace lmcp::transport
