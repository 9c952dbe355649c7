#pragma once
// Bearer-token authentication for the HTTP transport. An Authenticator turns the Authorization header
// into a principal (the identity recorded in audit logs and SessionOptions.principal) or an error:
// kUnauthenticated → 401, kPermissionDenied → 403 insufficient_scope. Implementations are thread-safe.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmcp::transport {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `authorization` is the raw header value, empty when absent.
  virtual Result<std::string> Authenticate(std::string_view authorization) = 0;
  // Scopes a token needs; named in WWW-Authenticate and the resource metadata.
  virtual std::vector<std::string> required_scopes() const { return {}; }
  // OAuth authorization servers for the RFC 9728 metadata; empty for static tokens (no metadata served).
  virtual std::vector<std::string> authorization_servers() const { return {}; }
};

// The token after "Bearer " (scheme case-insensitive), or empty.
std::string_view BearerToken(std::string_view authorization);

// A single shared secret, compared in constant time. The principal is "token:<name>".
class StaticTokenAuthenticator final : public Authenticator {
 public:
  explicit StaticTokenAuthenticator(std::string token, std::string name = "static");
  Result<std::string> Authenticate(std::string_view authorization) override;

 private:
  std::string token_;
  std::string principal_;
};

// Reads a token from a file (first line, trimmed). Errors if unreadable, empty or shorter than 16 chars.
Result<std::string> ReadTokenFile(const std::string& path);

// A rough, deliberately conservative estimate of a secret's entropy in bits: per character log2 of the
// alphabet its character classes span (lower, upper, digits, punctuation, other bytes; capped at three times
// the distinct characters used), with characters that continue a run, a repeated pattern or an arithmetic
// sequence ("aaaa", "abab", "1234") and common words ("password", "secret"...) counted as next to nothing.
// `openssl rand -hex 32` (32 random bytes) scores about 300; 16 random bytes sit at the 128-bit line (hex
// passes, base64 may not), so ask for 32.
double EstimateTokenBits(std::string_view token);
constexpr double kMinTokenBits = 128;

}  // namespace lmcp::transport
