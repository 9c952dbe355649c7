#pragma once
// An AwsSession for the emulator integration tests: static keys, one attempt per call, no files, no IMDS.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aws/aws_session.h"

namespace lmcp::emulator {

inline std::unique_ptr<aws::AwsSession> StaticKeySession(const std::string& url, const std::string& akid,
                                                         const std::string& secret) {
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", akid},
                                            {"AWS_SECRET_ACCESS_KEY", secret},
                                            {"AWS_REGION", "us-east-1"},
                                            {"AWS_MAX_ATTEMPTS", "1"},
                                            {"AWS_CONFIG_FILE", "/nonexistent/config"},
                                            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"},
                                            {"AWS_EC2_METADATA_DISABLED", "true"}};
  aws::AwsSessionOptions o;
  o.env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  o.endpoint_url = url;
  auto s = aws::AwsSession::Create(o);
  return s.ok() ? std::move(*s) : nullptr;
}

}  // namespace lmcp::emulator
