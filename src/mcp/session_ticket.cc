#include "mcp/session_ticket.h"

#include <utility>

namespace lmcp::mcp {
namespace {

// A tool name can hold no control character, so a ticket never opens as a tool's request state or back.
StateBinding TicketBinding(const std::string& principal) {
  return StateBinding{.principal = principal, .tool = "\x1fsession", .arguments_digest = ""};
}

}  // namespace

SessionTickets::SessionTickets(std::string key, Clock& clock, std::chrono::milliseconds max_age)
    : sealer_(std::move(key), clock, max_age) {}

std::optional<std::string> SessionTickets::Issue(const std::string& principal,
                                                 const SessionTicket& ticket) const {
  Json state{{"v", ticket.protocol_version}, {"c", ticket.client_capabilities}, {"n", ticket.client_name}};
  auto sealed = sealer_.Seal(TicketBinding(principal), state);
  if (!sealed.ok() || sealed->size() > kMaxSessionIdBytes) {
    return std::nullopt;
  }
  return std::move(*sealed);
}

Result<SessionTicket> SessionTickets::Open(const std::string& principal, std::string_view session_id) const {
  auto state = sealer_.Open(TicketBinding(principal), session_id);
  if (!state.ok()) {
    return state.error();
  }
  const Json& s = *state;
  if (!s.is_object() || !s["v"].is_string() || !s["c"].is_object()) {
    return Error::InvalidArgument("the session ticket is malformed");
  }
  return SessionTicket{.protocol_version = s["v"].get<std::string>(),
                       .client_capabilities = s["c"],
                       .client_name = s.value("n", "")};
}

}  // namespace lmcp::mcp
