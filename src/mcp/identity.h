#pragma once
// Who is calling. The transport builds one per authenticated request (HTTP) or per process (stdio) and the
// core hands it to the tool provider with every list and call, so the provider can decide per principal
// (policy, limits, audit). Immutable once built; shared between the sessions of one principal.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lmcp::mcp {

struct Identity {
  // The principal: "stdio" (or the configured stdio principal), "token:<name>" for a named static bearer
  // token, "oauth:<sub>" for an OAuth access token, "anonymous" for an unauthenticated loopback client.
  // Used for audit, caps and policy matching.
  std::string name;
  std::vector<std::string> scopes;  // OAuth scopes (the `scope`/`scp` claim); empty otherwise
  nlohmann::json claims = nlohmann::json::object();  // the verified JWT claims (OAuth); empty otherwise
};

}  // namespace lmcp::mcp
