#pragma once
// MRTR request state (MCP 2026-07-28): a tool that needs input from the client returns its own state, the
// client carries it opaquely to the retry, and the tool gets it back. The server keeps nothing: the state is
// sealed (AES-256-GCM, so the client can neither read nor change it) together with what it is bound to — the
// principal, the tool, a digest of the arguments — and an expiry, and opened only for that same binding
// within the TTL. Any replica holding the same key opens it. Thread-safe (immutable after construction).

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace lmcp::mcp {

using Json = nlohmann::json;

// What a sealed state may be used for.
struct StateBinding {
  std::string principal;
  std::string tool;
  std::string arguments_digest;  // ArgumentsDigest of the call's arguments
};

// SHA-256 (hex) of the arguments' canonical JSON text (object keys sorted).
std::string ArgumentsDigest(const Json& arguments);

class RequestStateSealer {
 public:
  // `key`: 32 bytes (kAeadKeyBytes), the same on every replica. `ttl`: how long a sealed state is accepted.
  RequestStateSealer(std::string key, Clock& clock, std::chrono::milliseconds ttl);

  Result<std::string> Seal(const StateBinding& binding, const Json& state) const;
  // The state sealed for `binding`. kInvalidArgument when the text is not a state this key sealed
  // (tampered, truncated, another deployment); kPermissionDenied when it was sealed for another principal,
  // tool or arguments; kFailedPrecondition when it expired.
  Result<Json> Open(const StateBinding& binding, std::string_view request_state) const;

  std::chrono::milliseconds ttl() const { return ttl_; }

 private:
  std::string key_;
  Clock& clock_;
  std::chrono::milliseconds ttl_;
};

}  // namespace lmcp::mcp
