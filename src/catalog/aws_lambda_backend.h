#pragma once
// LambdaBackend over the aws layer: an AwsSession and its typed Lambda, Resource Groups Tagging and
// EventBridge Schemas clients. This adapter only maps catalog requests to aws requests and aws errors to the
// catalog's classes (lambda_backend.h), so production and the aws layer's integration tests (moto_server,
// `lambda-mcp local`) run the same request code. Invoke is non-idempotent below it (ServiceCaller,
// AsioHttpClient): never re-sent once it may have reached Lambda. Thread-safe.

#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "aws/aws_config.h"
#include "aws/aws_session.h"
#include "aws/http_client.h"
#include "catalog/lambda_backend.h"
#include "catalog/target_options.h"
#include "common/clock.h"

namespace lmcp::catalog {

class AwsLambdaBackend final : public LambdaBackend {
 public:
  explicit AwsLambdaBackend(std::unique_ptr<aws::AwsSession> session);
  ~AwsLambdaBackend() override;

  // The production backend of one target: its region (else the environment's or profile's, as the AWS CLI),
  // endpoint_url (else AWS_ENDPOINT_URL*), credentials (the default chain, a profile, or a role assumed with
  // those, aws/assume_role.h), retry mode and CA bundle, all resolved by aws::AwsSession::Create. `http`
  // (tests) replaces the session's own AsioHttpClient and must outlive the backend. Missing credentials, or
  // a role that cannot be assumed, are not an error here: each call then fails with kUnauthenticated, which
  // discovery reports. Fails with a message naming the fix (no region, unknown profile, bad retry settings).
  static Result<std::unique_ptr<LambdaBackend>> Create(const TargetOptions& target, Clock& clock,
                                                       const aws::EnvLookup& env,
                                                       aws::HttpClient* http = nullptr);
  // The session Create builds the backend on, with the same errors (`lambda-mcp doctor` calls STS on it).
  static Result<std::unique_ptr<aws::AwsSession>> CreateSession(const TargetOptions& target, Clock& clock,
                                                                const aws::EnvLookup& env,
                                                                aws::HttpClient* http = nullptr);
  aws::AwsSession& session() { return *session_; }

  Result<std::vector<FunctionInfo>> ListFunctions() override;
  Result<std::vector<TaggedResource>> GetTaggedFunctions(const std::string& tag_key,
                                                         const std::string& tag_value) override;
  Result<Tags> ListTags(const std::string& function_arn) override;
  Result<SchemaDocument> DescribeSchema(const SchemaRequest& request) override;
  Result<InvokeResponse> Invoke(InvokeRequest request, std::stop_token stop) override;
  // Through LambdaClient::InvokeAsync down to HttpClient::SendAsync: no thread waits for Lambda.
  Async<Result<InvokeResponse>> InvokeAsync(InvokeRequest request, std::stop_token stop) override;
  std::vector<std::pair<std::string, std::uint64_t>> RetryCounts() const override;

 private:
  std::unique_ptr<aws::AwsSession> session_;
};

}  // namespace lmcp::catalog
