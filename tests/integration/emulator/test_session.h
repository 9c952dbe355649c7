#pragma once
// An AwsSession for the emulator integration tests: static keys, one attempt per call, no files, no IMDS;
// and a local endpoint serving a template, started.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aws/aws_session.h"
#include "catalog/aws_lambda_backend.h"
#include "emulator/local_endpoint.h"

namespace lmcp::emulator {

// The environment of a test client: static keys, us-east-1, one attempt per call, no files, no IMDS; and
// AWS_ENDPOINT_URL when `url` is given.
inline aws::EnvLookup StaticKeyEnv(const std::string& akid, const std::string& secret,
                                   const std::string& url = "") {
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", akid},
                                            {"AWS_SECRET_ACCESS_KEY", secret},
                                            {"AWS_REGION", "us-east-1"},
                                            {"AWS_MAX_ATTEMPTS", "1"},
                                            {"AWS_CONFIG_FILE", "/nonexistent/config"},
                                            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"},
                                            {"AWS_EC2_METADATA_DISABLED", "true"}};
  if (!url.empty()) {
    env["AWS_ENDPOINT_URL"] = url;
  }
  return [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

inline std::unique_ptr<aws::AwsSession> StaticKeySession(const std::string& url, const std::string& akid,
                                                         const std::string& secret) {
  aws::AwsSessionOptions o;
  o.env = StaticKeyEnv(akid, secret);
  o.endpoint_url = url;
  auto s = aws::AwsSession::Create(o);
  return s.ok() ? std::move(*s) : nullptr;
}

// A started endpoint serving `template_path` with the given keys; an error when the template does not load.
inline Result<std::unique_ptr<LocalEndpoint>> StartEndpoint(const std::string& template_path,
                                                            const std::string& akid,
                                                            const std::string& secret) {
  LocalOptions o;
  o.template_path = template_path;
  o.access_key_id = akid;
  o.secret_access_key = secret;
  auto ep = LocalEndpoint::Create(o);
  if (ep.ok()) {
    (*ep)->Start();
  }
  return ep;
}

}  // namespace lmcp::emulator
