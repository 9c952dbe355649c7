#include "transport/jwt_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>

#include "common/base64.h"
#include "common/host_policy.h"
#include "common/json.h"
#include "common/log_text.h"
#include "common/strings.h"
#include "transport/http_auth.h"

namespace lmcp::transport {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxTokenBytes = 16 * 1024;

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::shared_ptr<EVP_PKEY> WrapKey(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, PkeyDeleter{}); }

Result<EVP_PKEY*> FromData(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok) {
    EVP_PKEY_free(key);
    return Error::InvalidArgument(std::string("invalid ") + type + " key");
  }
  return key;
}

Result<std::string> B64Member(const Json& jwk, const char* name) {
  if (!jwk.contains(name) || !jwk[name].is_string()) {
    return Error::InvalidArgument(std::string("JWK lacks ") + name);
  }
  return Base64UrlDecode(jwk[name].get<std::string>());
}

// Raw r||s (JWS ES256) → DER ECDSA-Sig-Value (what OpenSSL verifies).
Result<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.size() != 64) {
    return Error::Unauthenticated("bad ES256 signature length");
  }
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return Error::Internal("ECDSA_SIG");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) {
    return Error::Internal("i2d_ECDSA_SIG");
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool VerifySignature(EVP_PKEY* key, std::string_view signed_part, std::string_view signature) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok =
      md && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

std::set<std::string> TokenScopes(const Json& claims) {
  std::set<std::string> scopes;
  auto add_words = [&](const std::string& s) {
    std::istringstream in(s);
    std::string w;
    while (in >> w) {
      scopes.insert(w);
    }
  };
  for (const char* name : {"scope", "scp"}) {
    if (!claims.contains(name)) {
      continue;
    }
    const Json& v = claims[name];
    if (v.is_string()) {
      add_words(v.get<std::string>());
    }
    if (v.is_array()) {
      for (const auto& s : v) {
        if (s.is_string()) {
          scopes.insert(s.get<std::string>());
        }
      }
    }
  }
  return scopes;
}

Result<Json> DecodeJsonPart(std::string_view part, const char* what) {
  auto bytes = Base64UrlDecode(part);
  if (!bytes.ok()) {
    return Error::Unauthenticated(std::string("malformed token ") + what);
  }
  Json j = ParseJsonOrDiscarded(*bytes);  // bounded depth: this runs before the signature is checked
  if (!j.is_object()) {
    return Error::Unauthenticated(std::string("malformed token ") + what);
  }
  return j;
}

// The JOSE header rules in the header comment; returns the alg (RS256 or ES256).
Result<std::string> CheckHeader(const Json& header) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) {
    return Error::Unauthenticated("token header without a string alg");
  }
  std::string name = alg->get<std::string>();
  if (name != "RS256" && name != "ES256") {
    return Error::Unauthenticated("unsupported alg '" + ForLog(name, 40) + "'");
  }
  if (auto crit = header.find("crit"); crit != header.end()) {
    if (!crit->is_array() || crit->empty() || !(*crit)[0].is_string()) {
      return Error::Unauthenticated("malformed crit header");
    }
    return Error::Unauthenticated("unsupported critical header '" +
                                  ForLog((*crit)[0].get<std::string>(), 40) + "'");
  }
  if (auto typ = header.find("typ"); typ != header.end()) {
    std::string t = typ->is_string() ? AsciiLower(typ->get<std::string>()) : "";
    if (t != "jwt" && t != "application/jwt" && t != "at+jwt" && t != "application/at+jwt") {
      return Error::Unauthenticated("token typ is not an access token (JWT or at+jwt)");
    }
  }
  return name;
}

bool IsLoopbackHostForUrl(std::string_view authority) {
  // Strip userinfo, then the port.
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string host;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    host = authority.substr(1, close - 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  return IsLoopbackBindAddress(host);
}

// The claims of a token whose signature was verified: issuer, audience, expiry and not-before (with the
// configured leeway), and the required scopes.
Status CheckClaims(const Json& c, const JwtConfig& config, Clock::WallTime wall_now) {
  if (!c.contains("iss") || c["iss"] != config.issuer) {
    return Error::Unauthenticated("wrong issuer");
  }
  bool aud_ok = false;
  if (c.contains("aud")) {
    auto matches = [&](const Json& a) {
      return a.is_string() && std::find(config.audiences.begin(), config.audiences.end(),
                                        a.get<std::string>()) != config.audiences.end();
    };
    if (c["aud"].is_array()) {
      aud_ok = std::any_of(c["aud"].begin(), c["aud"].end(), matches);
    } else {
      aud_ok = matches(c["aud"]);
    }
  }
  if (!aud_ok) {
    return Error::Unauthenticated("wrong audience");
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(wall_now.time_since_epoch()).count();
  auto leeway = config.leeway.count();
  if (!c.contains("exp") || !c["exp"].is_number()) {
    return Error::Unauthenticated("token without exp");
  }
  if (static_cast<double>(now) >= c["exp"].get<double>() + static_cast<double>(leeway)) {
    return Error::Unauthenticated("token expired");
  }
  if (c.contains("nbf") && c["nbf"].is_number() &&
      static_cast<double>(now + leeway) < c["nbf"].get<double>()) {
    return Error::Unauthenticated("token not yet valid");
  }
  std::set<std::string> scopes = TokenScopes(c);
  for (const auto& needed : config.required_scopes) {
    if (!scopes.count(needed)) {
      return Error::PermissionDenied("insufficient scope: needs " + needed);
    }
  }
  return Ok();
}

}  // namespace

Status CheckJwksUrl(std::string_view url) {
  std::string lower = AsciiLower(url);
  if (lower.rfind("https://", 0) == 0 && lower.size() > 8) {
    return Ok();
  }
  if (lower.rfind("http://", 0) == 0) {
    std::string_view rest = url.substr(7);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (IsLoopbackHostForUrl(authority)) {
      return Ok();
    }
    return Error::InvalidArgument("JWKS URL " + ForLog(url) +
                                  " uses http:// to a non-loopback host: keys fetched in clear text can be "
                                  "replaced on the way; use https://");
  }
  return Error::InvalidArgument("JWKS URL " + ForLog(url) + " must start with https://");
}

Result<std::shared_ptr<EVP_PKEY>> ParseJwk(const Json& jwk) {
  if (!jwk.is_object() || !jwk.contains("kty") || !jwk["kty"].is_string()) {
    return Error::InvalidArgument("JWK without kty");
  }
  std::string kty = jwk["kty"];
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  if (!bld) {
    return Error::Internal("OSSL_PARAM_BLD_new");
  }
  Result<EVP_PKEY*> key = Error::InvalidArgument("unsupported JWK kty " + ForLog(kty, 40));
  if (kty == "RSA") {
    auto n = B64Member(jwk, "n");
    auto e = B64Member(jwk, "e");
    if (!n.ok() || !e.ok()) {
      OSSL_PARAM_BLD_free(bld);
      return Error::InvalidArgument("RSA JWK lacks n or e");
    }
    BIGNUM* bn_n =
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr);
    BIGNUM* bn_e =
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr);
    if (bn_n && bn_e && BN_num_bits(bn_n) >= 2048 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
      key = FromData("RSA", bld);
    } else {
      key = Error::InvalidArgument("RSA JWK invalid or shorter than 2048 bits");
    }
    BN_free(bn_n);
    BN_free(bn_e);
  } else if (kty == "EC") {
    auto x = B64Member(jwk, "x");
    auto y = B64Member(jwk, "y");
    bool p256 = jwk.contains("crv") && jwk["crv"] == "P-256";
    if (p256 && x.ok() && y.ok() && x->size() == 32 && y->size() == 32) {
      std::string point = "\x04" + *x + *y;
      if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
          OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1) {
        key = FromData("EC", bld);
      }
    } else {
      key = Error::InvalidArgument("EC JWK must be P-256 with 32-byte x and y");
    }
  }
  OSSL_PARAM_BLD_free(bld);
  if (!key.ok()) {
    return key.error();
  }
  return WrapKey(*key);
}

Result<JwksKeys> ParseJwks(std::string_view document) {
  Json doc = ParseJsonOrDiscarded(document);  // over-deep (kMaxJsonDepth) counts as not a key set
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return Error::InvalidArgument(
        "JWKS is not a key set (a JSON object with a \"keys\" array, nested at most " +
        std::to_string(kMaxJsonDepth) + " levels)");
  }
  JwksKeys keys;
  for (const auto& jwk : doc["keys"]) {
    if (jwk.contains("use") && jwk["use"] != "sig") {
      continue;
    }
    auto key = ParseJwk(jwk);
    if (!key.ok()) {
      spdlog::debug("http auth: skipping JWK: {}", ForLog(key.error().message));
      continue;
    }
    std::string kid = jwk.contains("kid") && jwk["kid"].is_string() ? jwk["kid"].get<std::string>() : "";
    keys[kid] = *key;
  }
  return keys;
}

// --- JwksCache ---

JwksCache::JwksCache(std::string url, JwksFetcher& fetcher, Clock& clock, std::chrono::seconds ttl,
                     std::chrono::seconds min_refetch_interval, std::chrono::milliseconds fetch_wait)
    : url_(std::move(url)),
      fetcher_(fetcher),
      clock_(clock),
      ttl_(ttl),
      min_refetch_(min_refetch_interval),
      fetch_wait_(fetch_wait) {}

JwksCache::~JwksCache() {
  std::thread last;
  {
    std::lock_guard lock(mu_);
    last = std::move(fetch_thread_);
  }
  if (last.joinable()) {
    last.join();
  }
}

int JwksCache::fetch_count() const {
  std::lock_guard lock(mu_);
  return fetch_count_;
}

int JwksCache::WaitersForTest() const {
  std::lock_guard lock(mu_);
  return waiters_;
}

void JwksCache::StartFetchLocked() {
  if (fetching_) {
    return;  // single flight
  }
  fetching_ = true;
  attempted_ = true;
  last_attempt_ = clock_.Steady();
  ++fetch_count_;
  // The previous fetch has finished (fetching_ was false); its thread only has to return.
  if (fetch_thread_.joinable()) {
    fetch_thread_.join();
  }
  try {
    fetch_thread_ = std::thread([this] { RunFetch(); });
  } catch (const std::system_error& e) {  // no thread to be had: a failed fetch
    fetching_ = false;
    ++completed_fetches_;
    spdlog::warn("http auth: cannot start the JWKS fetch: {}", e.what());
  }
}

void JwksCache::RunFetch() {
  // Network and parsing outside the lock: readers keep using the cached keys meanwhile.
  auto body = fetcher_.Fetch(url_);
  Result<JwksKeys> keys = body.ok() ? ParseJwks(*body) : Result<JwksKeys>(body.error());
  if (!keys.ok()) {
    spdlog::warn("http auth: JWKS from {}: {}", ForLog(url_), ForLog(keys.error().message));
  }
  std::lock_guard lock(mu_);
  if (keys.ok()) {  // on failure, keep serving the previous key set
    keys_ = std::move(keys).value();
    have_keys_ = true;
    fetched_at_ = clock_.Steady();
  }
  fetching_ = false;
  ++completed_fetches_;
  fetched_.notify_all();
}

Result<std::shared_ptr<EVP_PKEY>> JwksCache::Key(const std::string& kid) {
  std::unique_lock lock(mu_);
  auto find = [&]() -> std::shared_ptr<EVP_PKEY> {
    if (kid.empty()) {
      return keys_.size() == 1 ? keys_.begin()->second : nullptr;
    }
    auto it = keys_.find(kid);
    return it == keys_.end() ? nullptr : it->second;
  };
  auto now = clock_.Steady();
  bool may_fetch = !attempted_ || now - last_attempt_ >= min_refetch_;
  if ((!have_keys_ || now - fetched_at_ >= ttl_) && may_fetch) {
    StartFetchLocked();  // in the background: a cached key is still served below
  }
  if (auto key = find()) {
    return key;
  }
  // Missing key: not fetched yet, or the issuer may have rotated its keys.
  if (may_fetch) {
    StartFetchLocked();  // no-op when one is in flight
  }
  if (fetching_) {
    uint64_t wanted = completed_fetches_ + 1;  // the fetch in flight
    ++waiters_;
    bool done = fetched_.wait_for(lock, fetch_wait_, [&] { return completed_fetches_ >= wanted; });
    --waiters_;
    if (auto key = find()) {
      return key;
    }
    if (!done) {
      return Error::Unavailable("JWKS fetch still in progress");
    }
  }
  if (!have_keys_) {
    return Error::Unavailable("no JWKS available");
  }
  return Error::NotFound("unknown key id");
}

// --- JwtAuthenticator ---

JwtAuthenticator::JwtAuthenticator(JwtConfig config, JwksFetcher& fetcher, Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      jwks_(config_.jwks_url, fetcher, clock, config_.jwks_ttl, config_.min_refetch_interval,
            config_.jwks_fetch_wait) {}

Result<mcp::Identity> JwtAuthenticator::Authenticate(std::string_view authorization) {
  std::string_view token = BearerToken(authorization);
  if (token.empty()) {
    return Error::Unauthenticated("missing bearer token");
  }
  return Verify(token);
}

Result<mcp::Identity> JwtAuthenticator::Verify(std::string_view token) {
  if (token.size() > kMaxTokenBytes) {
    return Error::Unauthenticated("token too large");
  }
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Error::Unauthenticated("malformed token");
  }
  auto header = DecodeJsonPart(token.substr(0, dot1), "header");
  if (!header.ok()) {
    return header.error();
  }
  auto claims = DecodeJsonPart(token.substr(dot1 + 1, dot2 - dot1 - 1), "claims");
  if (!claims.ok()) {
    return claims.error();
  }
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!signature.ok()) {
    return Error::Unauthenticated("malformed token signature");
  }

  auto checked = CheckHeader(*header);
  if (!checked.ok()) {
    return checked.error();
  }
  const std::string& alg = *checked;
  std::string kid =
      (*header).contains("kid") && (*header)["kid"].is_string() ? (*header)["kid"].get<std::string>() : "";
  auto key = jwks_.Key(kid);
  if (!key.ok()) {
    if (key.error().code == ErrorCode::kUnavailable) {
      return key.error();
    }
    return Error::Unauthenticated(key.error().message);
  }
  int type = EVP_PKEY_get_base_id(key->get());
  if ((alg == "RS256" && type != EVP_PKEY_RSA) || (alg == "ES256" && type != EVP_PKEY_EC)) {
    return Error::Unauthenticated("alg does not match the key");
  }
  std::string sig = *signature;
  if (alg == "ES256") {
    auto der = EcdsaRawToDer(sig);
    if (!der.ok()) {
      return Error::Unauthenticated(der.error().message);
    }
    sig = *der;
  }
  if (!VerifySignature(key->get(), token.substr(0, dot2), sig)) {
    return Error::Unauthenticated("invalid signature");
  }

  const Json& c = *claims;
  if (Status valid = CheckClaims(c, config_, clock_.Now()); !valid.ok()) {
    return valid.error();
  }
  std::string subject;
  if (c.contains("sub") && c["sub"].is_string()) {
    subject = c["sub"];
  } else if (c.contains("client_id") && c["client_id"].is_string()) {
    subject = c["client_id"];
  } else {
    subject = "unknown";
  }
  // Escaped (never cut, so distinct subjects stay distinct): the principal reaches log lines and audit
  // records.
  std::set<std::string> scopes = TokenScopes(c);
  return mcp::Identity{.name = "oauth:" + ForLog(subject, 0),
                       .scopes = std::vector<std::string>(scopes.begin(), scopes.end()),
                       .claims = std::move(claims).value()};
}

namespace {
class OwningJwtAuthenticator final : public Authenticator {
 public:
  OwningJwtAuthenticator(JwtConfig config, std::unique_ptr<JwksFetcher> fetcher, Clock& clock)
      : fetcher_(std::move(fetcher)), inner_(std::move(config), *fetcher_, clock) {}
  Result<mcp::Identity> Authenticate(std::string_view authorization) override {
    return inner_.Authenticate(authorization);
  }
  std::vector<std::string> required_scopes() const override { return inner_.required_scopes(); }
  std::vector<std::string> authorization_servers() const override { return inner_.authorization_servers(); }

 private:
  std::unique_ptr<JwksFetcher> fetcher_;
  JwtAuthenticator inner_;
};
}  // namespace

Result<std::shared_ptr<Authenticator>> NewJwtAuthenticator(JwtConfig config,
                                                           std::unique_ptr<JwksFetcher> fetcher,
                                                           Clock& clock) {
  if (Status url = CheckJwksUrl(config.jwks_url); !url.ok()) {
    return url.error();
  }
  return std::shared_ptr<Authenticator>(
      std::make_shared<OwningJwtAuthenticator>(std::move(config), std::move(fetcher), clock));
}

}  // namespace lmcp::transport
