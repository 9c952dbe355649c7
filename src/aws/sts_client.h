#pragma once
// STS (query protocol, XML replies): GetCallerIdentity, AssumeRole (signed with the caller's credentials) and
// AssumeRoleWithWebIdentity (unsigned). Holds a reference to its ServiceCaller; thread-safe.

#include <optional>
#include <string>

#include "aws/aws_error.h"
#include "aws/service_caller.h"
#include "aws/sigv4.h"

namespace lmcp::aws {

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;
  std::optional<int> duration_seconds;  // 900–43200
  std::string external_id;
};

struct AssumeRoleWithWebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;
  std::optional<int> duration_seconds;
};

struct AssumedRole {
  Credentials credentials;  // with expiration
  std::string assumed_role_arn;
  std::string assumed_role_id;
};

class StsClient {
 public:
  StsClient(ServiceCaller& caller, ServiceEndpoint endpoint)
      : caller_(caller), endpoint_(std::move(endpoint)) {}

  AwsResult<CallerIdentity> GetCallerIdentity(std::stop_token stop = {});
  AwsResult<AssumedRole> AssumeRole(const AssumeRoleRequest& request, std::stop_token stop = {});
  AwsResult<AssumedRole> AssumeRoleWithWebIdentity(const AssumeRoleWithWebIdentityRequest& request,
                                                   std::stop_token stop = {});

  const ServiceEndpoint& endpoint() const { return endpoint_; }

 private:
  AwsResult<HttpResponse> Post(const std::string& action, const QueryParams& params, bool sign,
                               std::stop_token stop);

  ServiceCaller& caller_;
  ServiceEndpoint endpoint_;
};

}  // namespace lmcp::aws
