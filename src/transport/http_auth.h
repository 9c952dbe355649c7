#pragma once
// Bearer-token authentication for the HTTP transport. An Authenticator turns the Authorization header
// into an mcp::Identity (its name is the principal recorded in audit logs and SessionOptions.principal; its
// scopes and claims are what the policy matches) or an error: kUnauthenticated → 401, kPermissionDenied →
// 403 insufficient_scope. Implementations are thread-safe.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "mcp/identity.h"

namespace lmcp::transport {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `authorization` is the raw header value, empty when absent.
  virtual Result<mcp::Identity> Authenticate(std::string_view authorization) = 0;
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
  Result<mcp::Identity> Authenticate(std::string_view authorization) override;

 private:
  std::string token_;
  std::string principal_;
};

// Several named shared secrets (one per client), each read from its own file. A request's token is compared
// with every one in constant time; the principal is "token:<name>" of the one it equals.
class NamedTokensAuthenticator final : public Authenticator {
 public:
  struct TokenFile {
    std::string name;  // [A-Za-z0-9_.@-]{1,64}; unique
    std::string path;  // read with ReadTokenFile
  };
  // Reads every file and checks every token: readable, at least 16 characters, distinct, and (unless
  // `loopback`: then a warning is logged) at least kMinTokenBits by EstimateTokenBits. Every problem is
  // reported at once, one per line of the error's message; no token is ever part of it.
  static Result<std::shared_ptr<NamedTokensAuthenticator>> Load(const std::vector<TokenFile>& files,
                                                                bool loopback);
  // name → token, as read (tests).
  explicit NamedTokensAuthenticator(std::vector<std::pair<std::string, std::string>> tokens);
  Result<mcp::Identity> Authenticate(std::string_view authorization) override;

 private:
  std::vector<std::pair<std::string, std::string>> tokens_;  // principal "token:<name>" → token
};

// Why `token` (from `source`, e.g. a file name) is too weak to face the network, or nullopt when it is
// strong enough (EstimateTokenBits >= kMinTokenBits). Never contains the token.
std::optional<std::string> WeakTokenProblem(std::string_view token, const std::string& source);

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
