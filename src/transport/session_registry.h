#pragma once
// The Streamable HTTP sessions of one server, by Mcp-Session-Id, with caps in total and per principal. When a
// cap is reached, a new session takes the place of the least recently active idle session (no request in
// flight, no open stream) — of the same principal for the per-principal cap, of anyone for the total cap —
// preferring sessions that never sent a message after `initialize` ("unconfirmed"). So a flood of initializes
// evicts the flooder's own sessions instead of locking everyone out; only when every session is busy is the
// new one refused. Unconfirmed sessions also expire sooner than confirmed ones. Thread-safe.

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "transport/http_session.h"

namespace lmcp::transport {

struct SessionLimits {
  size_t max_sessions = 1000;
  size_t max_per_principal = 100;
  std::chrono::seconds idle_timeout{1800};       // confirmed sessions
  std::chrono::seconds unconfirmed_timeout{60};  // sessions that sent nothing after initialize
};

class SessionRegistry {
 public:
  SessionRegistry(SessionLimits limits, Clock& clock) : limits_(limits), clock_(clock) {}

  // Adds `session`, evicting as described above; the evicted sessions are returned for the caller to Close()
  // (outside any lock). kResourceExhausted, and nothing added, when every candidate is busy.
  Result<std::vector<std::shared_ptr<HttpSession>>> Add(std::shared_ptr<HttpSession> session);
  std::shared_ptr<HttpSession> Find(const std::string& id) const;
  std::shared_ptr<HttpSession> Remove(const std::string& id);
  // Removes and returns the sessions idle past their timeout.
  std::vector<std::shared_ptr<HttpSession>> TakeExpired();
  std::vector<std::shared_ptr<HttpSession>> TakeAll();
  size_t size() const;
  size_t evictions() const;

 private:
  // The eviction candidate among sessions matching `principal` ("" = any), or end().
  std::map<std::string, std::shared_ptr<HttpSession>>::iterator Victim(const std::string& principal);

  const SessionLimits limits_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<HttpSession>> sessions_;
  std::map<std::string, size_t> per_principal_;
  size_t evictions_ = 0;
};

}  // namespace lmcp::transport
