#pragma once
// Session tickets: 2025-era Streamable HTTP sessions that any replica can serve, with no session store. The
// Mcp-Session-Id a server issues is the session's own state — the negotiated protocol version and the
// client's capabilities — sealed (AES-256-GCM, mcp/request_state.h) under the deployment key, bound to the
// principal and valid for `max_age`. A replica that meets an id it does not hold opens the ticket and
// resumes the session (Session::Resume) as if it had answered the initialize itself. Per-replica state does
// not travel: logging/setLevel, in-flight requests (a notifications/cancelled reaches only the replica
// running the call) and server-to-client requests. Thread-safe (immutable after construction).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "mcp/request_state.h"

namespace lmcp::mcp {

// What a session needs to serve its client after initialize.
struct SessionTicket {
  std::string protocol_version;  // negotiated
  Json client_capabilities = Json::object();
  std::string client_name;  // clientInfo.name, for logs
};

// The longest Mcp-Session-Id this server issues or accepts.
inline constexpr size_t kMaxSessionIdBytes = 1024;

class SessionTickets {
 public:
  // `key`: kAeadKeyBytes, the same on every replica (derived from the deployment key).
  SessionTickets(std::string key, Clock& clock, std::chrono::milliseconds max_age);

  // The session id carrying `ticket` for `principal`; nullopt when it would be longer than
  // kMaxSessionIdBytes (enormous client capabilities), and the caller falls back to a local id.
  std::optional<std::string> Issue(const std::string& principal, const SessionTicket& ticket) const;
  // The ticket in `session_id` if this deployment issued it to `principal` less than max_age ago.
  // kInvalidArgument when it is not a ticket of ours, kPermissionDenied for another principal's,
  // kFailedPrecondition when it expired.
  Result<SessionTicket> Open(const std::string& principal, std::string_view session_id) const;

  std::chrono::milliseconds max_age() const { return sealer_.ttl(); }

 private:
  RequestStateSealer sealer_;
};

}  // namespace lmcp::mcp
