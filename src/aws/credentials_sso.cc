// IAM Identity Center (SSO), step 4: the access token `aws sso login` left in ~/.aws/sso/cache, exchanged
// for role credentials at the SSO portal (GetRoleCredentials) on every refresh.

#include <openssl/sha.h>

#include "aws/credentials_chain_internal.h"
#include "aws/json_util.h"
#include "common/crypto.h"
#include "common/file.h"
#include "common/iso8601.h"
#include "common/json.h"

namespace lmcp::aws {
namespace {

// The CLI names its token cache file after the SHA-1 of the session name or start URL.
std::string Sha1Hex(std::string_view s) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

struct SsoRole {
  std::string cache_file;  // the token cache
  std::string region;      // of the SSO portal
  std::string account;
  std::string role;
};

// A still-valid access token from the cache file.
Result<std::string> CachedSsoToken(const std::string& cache_file, Clock& clock) {
  auto text = ReadWholeFile(cache_file);
  if (!text.ok()) {
    return Error::Unauthenticated("no SSO token in " + cache_file + "; run `aws sso login`");
  }
  auto j = ParseJsonOrDiscarded(*text);
  if (j.is_discarded() || !j.is_object()) {
    return Error::Unauthenticated("malformed SSO token cache " + cache_file);
  }
  std::string token = JsonString(j, "accessToken");
  auto expires = ParseIso8601(JsonString(j, "expiresAt"));
  if (token.empty() || !expires || *expires <= clock.Now()) {
    return Error::Unauthenticated(
        "The SSO session associated with this profile has expired or is otherwise invalid; run `aws sso "
        "login`");
  }
  return token;
}

Result<Credentials> FetchSsoRoleCredentials(const SsoRole& sso, HttpClient& http, Clock& clock,
                                            RetryPolicy& retry) {
  auto token = CachedSsoToken(sso.cache_file, clock);
  if (!token.ok()) {
    return token.error();
  }
  ServiceCaller caller(http, nullptr, clock, retry);
  OperationRequest op;
  op.operation = "GetRoleCredentials";
  op.path = "/federation/credentials";
  op.query = {{"role_name", sso.role}, {"account_id", sso.account}};
  op.headers = {{"x-amz-sso_bearer_token", *token}};
  op.sign = false;
  auto r = caller.Call({"https://portal.sso." + sso.region + ".amazonaws.com", sso.region, "awsssoportal"},
                       Protocol::kRestJson, op);
  if (!r.ok()) {
    return r.error().ToError();
  }
  auto body = ParseJsonOrDiscarded(r->body);
  if (body.is_discarded() || !body.contains("roleCredentials")) {
    return Error::Unauthenticated("malformed SSO GetRoleCredentials reply");
  }
  const auto& rc = body["roleCredentials"];
  Credentials c{JsonString(rc, "accessKeyId"), JsonString(rc, "secretAccessKey"),
                JsonString(rc, "sessionToken"), std::nullopt};
  if (rc.contains("expiration") && rc["expiration"].is_number()) {
    c.expiration =
        std::chrono::system_clock::time_point(std::chrono::milliseconds(rc["expiration"].get<long long>()));
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Error::Unauthenticated("SSO GetRoleCredentials reply without keys");
  }
  return c;
}

}  // namespace

Result<ChainResolver::Found> ChainResolver::FromSso() { return SsoFor(config_.profile()); }

Result<ChainResolver::Found> ChainResolver::SsoFor(const std::string& profile) {
  auto session_name = config_.Get(profile, "sso_session");
  std::string start_url, cache_key;
  SsoRole sso;
  if (session_name) {
    const IniSection* s = config_.SsoSession(*session_name);
    if (s == nullptr) {
      return Error::NotFound("sso-session " + *session_name + " not found in the config file");
    }
    start_url = s->Find("sso_start_url") ? *s->Find("sso_start_url") : "";
    sso.region = s->Find("sso_region") ? *s->Find("sso_region") : "";
    cache_key = Sha1Hex(*session_name);
  } else if (auto url = config_.Get(profile, "sso_start_url")) {
    start_url = *url;
    sso.region = config_.Get(profile, "sso_region").value_or("");
    cache_key = Sha1Hex(start_url);
  } else {
    return Found();
  }
  sso.account = config_.Get(profile, "sso_account_id").value_or("");
  sso.role = config_.Get(profile, "sso_role_name").value_or("");
  if (start_url.empty() || sso.region.empty() || sso.account.empty() || sso.role.empty()) {
    return Error::InvalidArgument("profile " + profile +
                                  " SSO configuration needs sso_start_url, sso_region, sso_account_id and "
                                  "sso_role_name");
  }
  sso.cache_file = ExpandPath("~/.aws/sso/cache/" + cache_key + ".json", env_);
  return Expiring([sso, http = opt_.http, clock = opt_.clock,
                   retry = retry_] { return FetchSsoRoleCredentials(sso, *http, *clock, *retry); },
                  "sso " + profile);
}

}  // namespace lmcp::aws
