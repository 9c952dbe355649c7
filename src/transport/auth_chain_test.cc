#include "transport/auth_chain.h"

#include <gtest/gtest.h>

namespace lmcp::transport {
namespace {

// Accepts exactly one token; refuses others with `refusal`.
class OneToken final : public Authenticator {
 public:
  OneToken(std::string token, std::string name, Error refusal, std::vector<std::string> scopes = {})
      : token_(std::move(token)),
        name_(std::move(name)),
        refusal_(std::move(refusal)),
        scopes_(std::move(scopes)) {}
  Result<mcp::Identity> Authenticate(std::string_view authorization) override {
    if (BearerToken(authorization) == token_) {
      return mcp::Identity{.name = name_};
    }
    return refusal_;
  }
  std::vector<std::string> required_scopes() const override { return scopes_; }

 private:
  std::string token_, name_;
  Error refusal_;
  std::vector<std::string> scopes_;
};

std::shared_ptr<Authenticator> Token(const std::string& token, const std::string& name,
                                     Error refusal = Error::Unauthenticated("unknown token")) {
  return std::make_shared<OneToken>(token, name, refusal, std::vector<std::string>{"mcp"});
}

TEST(AnyOfAuthenticatorTest, TheFirstMemberThatAcceptsDecides) {
  AnyOfAuthenticator any({Token("a", "token:alice"), Token("b", "token:bob")});
  EXPECT_EQ(any.Authenticate("Bearer a")->name, "token:alice");
  EXPECT_EQ(any.Authenticate("Bearer b")->name, "token:bob");
  auto refused = any.Authenticate("Bearer c");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(any.required_scopes(), std::vector<std::string>{"mcp"});
}

TEST(AnyOfAuthenticatorTest, AnInsufficientScopeRefusalWinsOverNotMine) {
  AnyOfAuthenticator any(
      {Token("jwt", "oauth:x", Error::PermissionDenied("insufficient scope")), Token("s", "token:s")});
  auto refused = any.Authenticate("Bearer other");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST(ReloadableAuthenticatorTest, ReplaceAppliesToTheNextRequest) {
  ReloadableAuthenticator auth(Token("a", "token:alice"));
  EXPECT_TRUE(auth.Authenticate("Bearer a").ok());
  auth.Replace(Token("b", "token:bob"));
  EXPECT_FALSE(auth.Authenticate("Bearer a").ok());
  EXPECT_EQ(auth.Authenticate("Bearer b")->name, "token:bob");
}

}  // namespace
}  // namespace lmcp::transport
