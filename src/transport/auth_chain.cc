#include "transport/auth_chain.h"

#include <algorithm>

namespace lmcp::transport {

AnyOfAuthenticator::AnyOfAuthenticator(std::vector<std::shared_ptr<Authenticator>> members)
    : members_(std::move(members)) {}

Result<mcp::Identity> AnyOfAuthenticator::Authenticate(std::string_view authorization) {
  std::optional<Error> refusal;
  for (const auto& member : members_) {
    auto identity = member->Authenticate(authorization);
    if (identity.ok()) {
      return identity;
    }
    if (!refusal || refusal->code != ErrorCode::kPermissionDenied) {
      refusal = identity.error();
    }
  }
  if (!refusal) {
    return Error::Unauthenticated("no authentication is configured");
  }
  return *refusal;
}

std::vector<std::string> AnyOfAuthenticator::required_scopes() const {
  std::vector<std::string> scopes;
  for (const auto& member : members_) {
    for (auto& scope : member->required_scopes()) {
      if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
        scopes.push_back(std::move(scope));
      }
    }
  }
  return scopes;
}

std::vector<std::string> AnyOfAuthenticator::authorization_servers() const {
  std::vector<std::string> servers;
  for (const auto& member : members_) {
    for (auto& server : member->authorization_servers()) {
      servers.push_back(std::move(server));
    }
  }
  return servers;
}

void ReloadableAuthenticator::Replace(std::shared_ptr<Authenticator> next) {
  std::lock_guard lock(mu_);
  current_ = std::move(next);
}

std::shared_ptr<Authenticator> ReloadableAuthenticator::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

Result<mcp::Identity> ReloadableAuthenticator::Authenticate(std::string_view authorization) {
  return current()->Authenticate(authorization);
}

std::vector<std::string> ReloadableAuthenticator::required_scopes() const {
  return current()->required_scopes();
}

std::vector<std::string> ReloadableAuthenticator::authorization_servers() const {
  return current()->authorization_servers();
}

}  // namespace lmcp::transport
