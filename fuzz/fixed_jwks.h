#pragma once
// The fixed key set the fuzz targets verify JWTs against: one EC P-256 key (the RFC 7515 appendix A.3
// example key, so the RFC's example JWS verifies) and one unusable RSA key, served by a JwksFetcher that
// never touches the network; and one JwtAuthenticator on it, built once per process. Header-only, for the
// libFuzzer and the replay builds alike.

#include <string>

#include "common/clock.h"
#include "transport/jwt_verifier.h"

namespace lmcp::fuzz {

inline constexpr char kFixedJwks[] =
    R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},{"kty":"RSA","kid":"bad","n":"AQAB","e":"AQAB"}]})";

class FixedJwksFetcher final : public transport::JwksFetcher {
 public:
  Result<std::string> Fetch(const std::string&) override { return std::string(kFixedJwks); }
};

// Accepts tokens from https://issuer.example.com for https://mcp.example.com with scope "mcp".
inline transport::JwtAuthenticator& FixedJwtAuthenticator() {
  static FixedJwksFetcher fetcher;
  static transport::JwtAuthenticator jwt(transport::JwtConfig{.issuer = "https://issuer.example.com",
                                                              .audiences = {"https://mcp.example.com"},
                                                              .jwks_url = "https://issuer.example.com/jwks",
                                                              .required_scopes = {"mcp"}},
                                         fetcher, Clock::System());
  return jwt;
}

}  // namespace lmcp::fuzz
