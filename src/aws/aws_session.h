#pragma once
// AwsSession: the one object other layers build to talk to AWS (production: catalog/aws_lambda_backend.h;
// the integration tests against moto_server and `lambda-mcp local` use it the same way). Create() reads the
// environment and profile files, resolves region, endpoints, retry settings and the credential chain, and
// owns the service clients. The HttpClient and Clock may be injected (tests, the local endpoint); by default
// it owns an AsioHttpClient (honouring AWS_CA_BUNDLE / profile ca_bundle, `~` expanded, and the proxy
// variables in `env`) and uses the system clock. Thread-safe after creation.

#include <memory>
#include <optional>
#include <string>

#include "aws/assume_role.h"
#include "aws/aws_config.h"
#include "aws/credentials_provider.h"
#include "aws/http_client.h"
#include "aws/lambda_client.h"
#include "aws/retry.h"
#include "aws/schemas_client.h"
#include "aws/service_caller.h"
#include "aws/sts_client.h"
#include "aws/tagging_client.h"
#include "common/clock.h"
#include "common/result.h"

namespace lmcp::aws {

struct AwsSessionOptions {
  EnvLookup env;                       // default: the process environment
  std::optional<std::string> profile;  // like --profile (skips environment keys); default AWS_PROFILE
  std::optional<std::string> region;   // overrides AWS_REGION / profile region
  std::string endpoint_url;            // like --endpoint-url: every service goes there
  HttpClient* http = nullptr;          // default: an owned AsioHttpClient
  Clock* clock = nullptr;              // default: Clock::System()
  std::shared_ptr<CredentialsProvider> credentials;  // default: the AWS CLI chain
  // When the chain finds no credentials: false fails Create(); true lets Create() succeed and every signed
  // call fail with the chain's error (kUnauthenticated), for a server that reports it and keeps running.
  bool defer_credentials_error = false;
  // Set: the credentials above (given, or the chain's) only sign STS AssumeRole calls to this session's STS
  // endpoint; every other call is signed with the assumed role's, fetched on first use and refreshed before
  // expiry (assume_role.h). A role that cannot be assumed fails each call, not Create().
  std::optional<AssumeRoleOptions> assume_role;
};

class AwsSession {
 public:
  static Result<std::unique_ptr<AwsSession>> Create(AwsSessionOptions options = {});
  ~AwsSession();

  LambdaClient& lambda() { return *lambda_; }
  SchemasClient& schemas() { return *schemas_; }
  TaggingClient& tagging() { return *tagging_; }
  StsClient& sts() { return *sts_; }
  // EventBridge Schemas in another region (a schema ARN's), on this session's caller and endpoint rules.
  SchemasClient SchemasIn(const std::string& region) const;

  const std::string& region() const { return region_; }
  const std::string& profile() const { return profile_; }
  CredentialsProvider& credentials() { return *credentials_; }
  // Retries of this session's requests so far (metrics).
  ServiceCaller::RetryCounts retries() const { return caller_->retries(); }

 private:
  AwsSession() = default;
  ServiceEndpoint EndpointFor(const ServiceInfo& service, const std::string& region) const;

  EnvLookup env_;
  std::unique_ptr<ProfileConfig> config_;
  std::string endpoint_url_;
  std::string region_;
  std::string profile_;
  std::unique_ptr<HttpClient> owned_http_;
  std::shared_ptr<CredentialsProvider> credentials_;
  std::unique_ptr<RetryPolicy> retry_;
  std::unique_ptr<ClockTimer> timer_;  // asynchronous calls' retry back-off; its thread starts on first use
  std::unique_ptr<ServiceCaller> caller_;
  std::unique_ptr<LambdaClient> lambda_;
  std::unique_ptr<SchemasClient> schemas_;
  std::unique_ptr<TaggingClient> tagging_;
  std::unique_ptr<StsClient> sts_;
};

}  // namespace lmcp::aws
