#pragma once
// Combining authenticators. AnyOfAuthenticator accepts a token any of its members accepts (named static
// tokens and OAuth side by side); ReloadableAuthenticator lets SIGHUP swap the whole set while requests are
// being authenticated. Both are thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "transport/http_auth.h"

namespace lmcp::transport {

class AnyOfAuthenticator final : public Authenticator {
 public:
  // Tried in order; the first that accepts decides. When none accepts, the answer is the first refusal that
  // says more than "not my token" (kPermissionDenied: insufficient scope), else the last member's refusal.
  explicit AnyOfAuthenticator(std::vector<std::shared_ptr<Authenticator>> members);
  Result<mcp::Identity> Authenticate(std::string_view authorization) override;
  std::vector<std::string> required_scopes() const override;
  std::vector<std::string> authorization_servers() const override;

 private:
  std::vector<std::shared_ptr<Authenticator>> members_;
};

class ReloadableAuthenticator final : public Authenticator {
 public:
  explicit ReloadableAuthenticator(std::shared_ptr<Authenticator> current) : current_(std::move(current)) {}
  // Requests authenticated from now on use `next`; those already running finish with the old one.
  void Replace(std::shared_ptr<Authenticator> next);
  Result<mcp::Identity> Authenticate(std::string_view authorization) override;
  std::vector<std::string> required_scopes() const override;
  std::vector<std::string> authorization_servers() const override;

 private:
  std::shared_ptr<Authenticator> current() const;
  mutable std::mutex mu_;
  std::shared_ptr<Authenticator> current_;
};

}  // namespace lmcp::transport
