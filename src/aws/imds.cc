#include "aws/imds.h"

#include "aws/json_util.h"
#include "common/json.h"

namespace lmcp::aws {
namespace {

// Up to `attempts` tries while IMDS answers 5xx or not at all.
HttpResult ImdsSend(HttpClient& http, const ImdsSettings& s, HttpRequest req) {
  req.connect_timeout = s.timeout;
  req.read_timeout = s.timeout;
  req.max_response_bytes = 64 * 1024;
  HttpResult r = HttpError{HttpErrorKind::kConnectFailed, "no attempt", false};
  for (int i = 0; i < s.attempts; ++i) {
    r = http.Send(req);
    if (r.ok() && r->status < 500) {
      return r;
    }
  }
  return r;
}

}  // namespace

Result<std::optional<Credentials>> FetchImds(HttpClient& http, const ImdsSettings& s) {
  HttpRequest token_req{.method = "PUT", .url = s.base + "/latest/api/token"};
  token_req.headers = {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  HttpResult t = ImdsSend(http, s, token_req);
  std::string token;
  if (t.ok() && t->status == 200) {
    token = t->body;
  } else if (t.ok() && t->status == 400) {
    return Error::Unauthenticated("IMDS rejected the token request (400)");
  } else if (s.v1_disabled) {
    if (!t.ok()) {
      return std::optional<Credentials>();
    }
    return Error::Unauthenticated("IMDSv2 token unavailable and IMDSv1 is disabled");
  } else if (!t.ok() && t.error().kind != HttpErrorKind::kReadTimeout) {
    return std::optional<Credentials>();  // nothing listens: no instance metadata here
  }
  Headers h;
  if (!token.empty()) {
    h.emplace_back("x-aws-ec2-metadata-token", token);
  }
  HttpRequest role_req{
      .method = "GET", .url = s.base + "/latest/meta-data/iam/security-credentials/", .headers = h};
  HttpResult role = ImdsSend(http, s, role_req);
  if (!role.ok() || role->status == 404) {
    return std::optional<Credentials>();
  }
  if (role->status != 200) {
    return Error::Unauthenticated("IMDS role lookup answered " + std::to_string(role->status));
  }
  std::string name = role->body.substr(0, role->body.find('\n'));
  if (name.empty()) {
    return std::optional<Credentials>();
  }
  HttpRequest cred_req{
      .method = "GET", .url = s.base + "/latest/meta-data/iam/security-credentials/" + name, .headers = h};
  HttpResult cred = ImdsSend(http, s, cred_req);
  if (!cred.ok()) {
    return Error::Unavailable("IMDS credentials: " + cred.error().message);
  }
  if (cred->status != 200) {
    return Error::Unauthenticated("IMDS credentials answered " + std::to_string(cred->status));
  }
  auto j = ParseJsonOrDiscarded(cred->body);
  if (j.is_discarded() || !j.is_object()) {
    return Error::Unauthenticated("IMDS credentials: bad JSON");
  }
  if (std::string code = JsonString(j, "Code"); !code.empty() && code != "Success") {
    return Error::Unauthenticated("IMDS credentials: Code " + code);
  }
  auto c = CredentialsFromJson(j, "Token");
  if (!c) {
    return Error::Unauthenticated("IMDS: missing keys");
  }
  return c;
}

}  // namespace lmcp::aws
