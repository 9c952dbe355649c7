#pragma once
// Pure Host and Origin checks against DNS rebinding and cross-site requests from browsers, shared by the MCP
// HTTP transport and the local Lambda endpoint's admin API. No I/O, no state; every function is thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace lmcp {

// Lower-cased host name of a Host header value or URL authority: "LocalHost:8080" → "localhost",
// "[::1]:3000" → "::1". Empty when malformed.
std::string HostName(std::string_view authority);

// "localhost", "127.0.0.1" or "::1" (an already lower-cased host name, as HostName() returns).
bool IsLoopbackHostName(std::string_view host);

// A listen address that only this machine can reach: "localhost", "::1" or any 127.x.x.x.
bool IsLoopbackBindAddress(std::string_view host);

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

}  // namespace lmcp
