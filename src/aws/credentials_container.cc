// Credential sources served over the network by the platform: the ECS/EKS container endpoint (step 8) and
// EC2 instance metadata (step 9; the IMDS client itself is imds.h).

#include <algorithm>

#include "aws/credentials_chain_internal.h"
#include "aws/imds.h"
#include "aws/json_util.h"
#include "aws/url.h"
#include "common/file.h"
#include "common/json.h"

namespace lmcp::aws {
namespace {

struct ContainerEndpoint {
  std::string url;
  std::string token_file;  // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, reread on every refresh
  std::string token;       // AWS_CONTAINER_AUTHORIZATION_TOKEN, when there is no file
};

// The Authorization header value: the token file's first line (CR/LF stripped), else the variable.
Result<std::string> ContainerToken(const ContainerEndpoint& e) {
  std::string token = e.token;
  if (!e.token_file.empty()) {
    auto t = ReadWholeFile(e.token_file);
    if (!t.ok()) {
      return Error::Unauthenticated("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + e.token_file);
    }
    token = *t;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
      token.pop_back();
    }
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return Error::InvalidArgument("container authorization token contains CR or LF");
  }
  return token;
}

// One GET, retried up to three times on transport errors and 5xx.
Result<Credentials> FetchContainerCredentials(const ContainerEndpoint& e, HttpClient& http) {
  auto token = ContainerToken(e);
  if (!token.ok()) {
    return token.error();
  }
  HttpRequest req{.method = "GET", .url = e.url};
  req.connect_timeout = std::chrono::seconds(2);
  req.read_timeout = std::chrono::seconds(2);
  req.headers = {{"Accept", "application/json"}};
  if (!token->empty()) {
    req.headers.emplace_back("Authorization", *token);
  }
  std::string last_error;
  for (int attempt = 0; attempt < 3; ++attempt) {
    HttpResult r = http.Send(req);
    if (!r.ok()) {
      last_error = r.error().message;
      continue;
    }
    if (r->status >= 500) {
      last_error = "HTTP " + std::to_string(r->status);
      continue;
    }
    if (r->status != 200) {
      return Error::Unauthenticated("container credentials endpoint answered " + std::to_string(r->status));
    }
    auto j = ParseJsonOrDiscarded(r->body);
    if (j.is_discarded() || !j.is_object()) {
      return Error::Unauthenticated("container credentials: bad JSON");
    }
    auto c = CredentialsFromJson(j, "Token");
    if (!c) {
      return Error::Unauthenticated("container credentials: missing keys");
    }
    return *c;
  }
  return Error::Unavailable("container credentials endpoint unreachable: " + last_error);
}

}  // namespace

// --- 8. container
Result<ChainResolver::Found> ChainResolver::FromContainer() {
  std::string relative = Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  std::string full = Env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  ContainerEndpoint endpoint;
  if (!relative.empty()) {
    endpoint.url = "http://169.254.170.2" + relative;
  } else if (!full.empty()) {
    auto parsed = ParseUrl(full);
    if (!parsed.ok()) {
      return Error::InvalidArgument("bad AWS_CONTAINER_CREDENTIALS_FULL_URI: " + full);
    }
    const std::string& h = parsed->host;
    bool allowed = parsed->scheme == "https" || h == "localhost" || h.starts_with("127.") || h == "[::1]" ||
                   h == "169.254.170.2" || h == "169.254.170.23" || h == "[fd00:ec2::23]";
    if (!allowed) {
      return Error::InvalidArgument(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS address: " + full);
    }
    endpoint.url = full;
  } else {
    return Found();
  }
  endpoint.token_file = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  endpoint.token = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  return Expiring([endpoint, http = opt_.http] { return FetchContainerCredentials(endpoint, *http); },
                  "container");
}

// --- 9. IMDS
Result<ChainResolver::Found> ChainResolver::FromImds() {
  if (IsTrue(env_("AWS_EC2_METADATA_DISABLED"))) {
    return Found();
  }
  ImdsSettings s;
  s.base = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (s.base.empty()) {
    std::string mode = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    s.base = mode == "IPv6" || mode == "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
  }
  while (!s.base.empty() && s.base.back() == '/') {
    s.base.pop_back();
  }
  try {
    if (std::string t = Env("AWS_METADATA_SERVICE_TIMEOUT"); !t.empty()) {
      s.timeout = std::chrono::milliseconds(static_cast<long>(std::stod(t) * 1000));
    }
    if (std::string n = Env("AWS_METADATA_SERVICE_NUM_ATTEMPTS"); !n.empty()) {
      s.attempts = std::max(1, std::stoi(n));
    }
  } catch (const std::exception&) {
    return Error::InvalidArgument("AWS_METADATA_SERVICE_TIMEOUT / _NUM_ATTEMPTS must be numbers");
  }
  s.v1_disabled = IsTrue(env_("AWS_EC2_METADATA_V1_DISABLED"));
  auto first = FetchImds(*opt_.http, s);
  if (!first.ok()) {
    return first.error();
  }
  if (!*first) {
    return Found();
  }
  HttpClient* http = opt_.http;
  return Found(std::make_shared<RefreshingCredentialsProvider>(
      [http, s]() -> Result<Credentials> {
        auto r = FetchImds(*http, s);
        if (!r.ok()) {
          return r.error();
        }
        if (!*r) {
          return Error::Unavailable("instance metadata no longer reachable");
        }
        return **r;
      },
      *opt_.clock, "instance metadata", **first));
}

}  // namespace lmcp::aws
