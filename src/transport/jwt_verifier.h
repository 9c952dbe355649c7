#pragma once
// OAuth 2.1 resource-server mode: JWT access tokens (RS256, ES256) verified against the authorization
// server's JWKS. JwksCache fetches and caches the key set (refreshed after `ttl`; an unknown `kid` triggers
// a refetch for key rotation, at most once per `min_refetch_interval`). JwtAuthenticator checks signature,
// issuer, audience, expiry/not-before (against an injected Clock) and required scopes.
// Thread-safe; fetches are serialised under the cache's lock.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "transport/http_auth.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace lmcp::transport {

// The seam for getting the JWKS document.
class JwksFetcher {
 public:
  virtual ~JwksFetcher() = default;
  virtual Result<std::string> Fetch(const std::string& url) = 0;
};

// libcurl, http(s) only, no redirects, 5 s timeout, 1 MiB cap.
std::unique_ptr<JwksFetcher> NewCurlJwksFetcher();

// base64url without padding (padding tolerated on decode). Decode fails on any other character.
std::string Base64UrlEncode(std::string_view bytes);
Result<std::string> Base64UrlDecode(std::string_view text);

struct JwtConfig {
  std::string issuer;                  // exact `iss`
  std::vector<std::string> audiences;  // token `aud` must contain one (RFC 8707 resource)
  std::string jwks_url;
  std::vector<std::string> required_scopes;  // all must be in `scope` (space-separated) or `scp`
  std::chrono::seconds leeway{60};           // clock skew allowed on exp / nbf
  std::chrono::seconds jwks_ttl{3600};
  std::chrono::seconds min_refetch_interval{30};
};

class JwksCache {
 public:
  JwksCache(std::string url, JwksFetcher& fetcher, Clock& clock, std::chrono::seconds ttl,
            std::chrono::seconds min_refetch_interval);
  ~JwksCache();
  // The verification key for `kid` (empty kid: the only key, if there is exactly one).
  // kNotFound for an unknown kid after a (rate-limited) refetch; kUnavailable when no key set is at hand.
  Result<std::shared_ptr<EVP_PKEY>> Key(const std::string& kid);
  int fetch_count() const;

 private:
  Status RefreshLocked();

  const std::string url_;
  JwksFetcher& fetcher_;
  Clock& clock_;
  const std::chrono::seconds ttl_;
  const std::chrono::seconds min_refetch_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<EVP_PKEY>> keys_;
  bool have_keys_ = false;
  bool attempted_ = false;
  Clock::SteadyTime fetched_at_{};
  Clock::SteadyTime last_attempt_{};
  int fetch_count_ = 0;
};

// Parses one JWK (RSA n/e or EC P-256 x/y) into a public key.
Result<std::shared_ptr<EVP_PKEY>> ParseJwk(const nlohmann::json& jwk);

class JwtAuthenticator final : public Authenticator {
 public:
  // `fetcher` and `clock` must outlive this.
  JwtAuthenticator(JwtConfig config, JwksFetcher& fetcher, Clock& clock);
  Result<std::string> Authenticate(std::string_view authorization) override;
  std::vector<std::string> required_scopes() const override { return config_.required_scopes; }
  std::vector<std::string> authorization_servers() const override { return {config_.issuer}; }

  // Verifies a compact JWS and its claims; returns the principal "oauth:<sub>".
  Result<std::string> Verify(std::string_view token);
  JwksCache& jwks() { return jwks_; }

 private:
  JwtConfig config_;
  Clock& clock_;
  JwksCache jwks_;
};

// A JwtAuthenticator that owns its libcurl JWKS fetcher (for production wiring).
std::shared_ptr<Authenticator> NewJwtAuthenticator(JwtConfig config, Clock& clock);

}  // namespace lmcp::transport
