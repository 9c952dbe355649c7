#pragma once
// OAuth 2.1 resource-server mode: JWT access tokens (RS256, ES256) verified against the authorization
// server's JWKS. JwksCache fetches and caches the key set (refreshed after `ttl`; an unknown `kid` triggers
// a refetch for key rotation, at most once per `min_refetch_interval`). JwtAuthenticator checks the JOSE
// header, signature, issuer, audience, expiry/not-before (against an injected Clock) and required scopes.
//
// Header rules: `alg` must be the string RS256 or ES256. `crit` is refused whenever present: we understand
// no extension, and RFC 7515 forbids an empty list. `typ` is optional (most issuers send "JWT", RFC 9068
// access tokens send "at+jwt"); when present it must be one of JWT, application/jwt, at+jwt or
// application/at+jwt (case-insensitive), so a JWT of another kind (a DPoP proof, a logout or security-event
// token) is never taken for an access token. We do not require at+jwt: most issuers do not send it.
//
// Thread-safe. The JWKS is fetched on a background thread, never under the cache's lock and one fetch at a
// time: a token whose key is cached is verified at once even while a fetch is in flight (a slow key server
// stalls no valid token); a token whose key is missing waits for that one fetch, at most `jwks_fetch_wait`.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
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

// A JWKS URL we accept at configuration time: https://, or http:// only to a loopback host (localhost,
// 127.0.0.0/8, [::1]). kInvalidArgument naming the URL otherwise.
Status CheckJwksUrl(std::string_view url);

struct JwtConfig {
  std::string issuer;                  // exact `iss`
  std::vector<std::string> audiences;  // token `aud` must contain one (RFC 8707 resource)
  std::string jwks_url;
  std::vector<std::string> required_scopes;  // all must be in `scope` (space-separated) or `scp`
  std::chrono::seconds leeway{60};           // clock skew allowed on exp / nbf
  std::chrono::seconds jwks_ttl{3600};
  std::chrono::seconds min_refetch_interval{30};
  // A token whose key is not cached waits this long for the JWKS fetch in flight (then: unavailable, 503).
  std::chrono::milliseconds jwks_fetch_wait{6000};
};

// Verification keys by `kid` ("" for a JWK without one).
using JwksKeys = std::map<std::string, std::shared_ptr<EVP_PKEY>>;

class JwksCache {
 public:
  JwksCache(std::string url, JwksFetcher& fetcher, Clock& clock, std::chrono::seconds ttl,
            std::chrono::seconds min_refetch_interval,
            std::chrono::milliseconds fetch_wait = std::chrono::milliseconds(6000));
  // Waits for a fetch in flight (bounded by the fetcher's own timeout).
  ~JwksCache();
  // The verification key for `kid` (empty kid: the only key, if there is exactly one). A cached key is
  // returned at once; an expired key set is refreshed in the background meanwhile. A missing key waits for
  // the fetch in flight, or starts one (rate-limited). kNotFound for an unknown kid after that fetch;
  // kUnavailable when no key set is at hand or the fetch did not finish within `fetch_wait`.
  Result<std::shared_ptr<EVP_PKEY>> Key(const std::string& kid);
  int fetch_count() const;
  int WaitersForTest() const;  // callers blocked waiting for a fetch

 private:
  void StartFetchLocked();
  void RunFetch();

  const std::string url_;
  JwksFetcher& fetcher_;
  Clock& clock_;
  const std::chrono::seconds ttl_;
  const std::chrono::seconds min_refetch_;
  const std::chrono::milliseconds fetch_wait_;
  mutable std::mutex mu_;
  std::condition_variable fetched_;  // signalled when a fetch completes
  JwksKeys keys_;
  bool have_keys_ = false;
  bool attempted_ = false;
  bool fetching_ = false;
  uint64_t completed_fetches_ = 0;
  int waiters_ = 0;
  Clock::SteadyTime fetched_at_{};
  Clock::SteadyTime last_attempt_{};
  int fetch_count_ = 0;
  std::thread fetch_thread_;  // the last fetch's thread; joined before the next starts and on destruction
};

// Parses a JWKS document: the usable signature keys (RSA >= 2048 bits, EC P-256) by kid; unusable JWKs are
// skipped. kInvalidArgument when the document is not a key set.
Result<JwksKeys> ParseJwks(std::string_view document);

// Parses one JWK (RSA n/e or EC P-256 x/y) into a public key.
Result<std::shared_ptr<EVP_PKEY>> ParseJwk(const nlohmann::json& jwk);

class JwtAuthenticator final : public Authenticator {
 public:
  // `fetcher` and `clock` must outlive this.
  JwtAuthenticator(JwtConfig config, JwksFetcher& fetcher, Clock& clock);
  Result<mcp::Identity> Authenticate(std::string_view authorization) override;
  std::vector<std::string> required_scopes() const override { return config_.required_scopes; }
  std::vector<std::string> authorization_servers() const override { return {config_.issuer}; }

  // Verifies a compact JWS and its claims; returns the principal "oauth:<sub>" (or "oauth:<client_id>"
  // without a sub) with the token's scopes (`scope`/`scp`) and all its verified claims.
  Result<mcp::Identity> Verify(std::string_view token);
  JwksCache& jwks() { return jwks_; }

 private:
  JwtConfig config_;
  Clock& clock_;
  JwksCache jwks_;
};

// A JwtAuthenticator that owns its JWKS fetcher (production wiring passes one over the aws layer's HTTP
// client, app/cmd_serve_http.cc). Refuses a JWKS URL that CheckJwksUrl refuses.
Result<std::shared_ptr<Authenticator>> NewJwtAuthenticator(JwtConfig config,
                                                           std::unique_ptr<JwksFetcher> fetcher,
                                                           Clock& clock);

}  // namespace lmcp::transport
