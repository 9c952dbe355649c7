#pragma once
// LambdaBackend on real AWS (or an emulator at AWS_ENDPOINT_URL): ListFunctions, ListTags and Invoke on
// Lambda (rest-json), GetResources on the Resource Groups Tagging API (json 1.1), DescribeSchema on
// EventBridge Schemas in the schema ARN's region. Built on the aws layer's ServiceCaller (SigV4, credential
// snapshots, retries; Invoke is marked non-idempotent so it is never repeated once sent). Create() resolves
// profile, region, endpoints, retry mode and credentials the way the AWS CLI does. Thread-safe.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "aws/aws_config.h"
#include "aws/credentials_provider.h"
#include "aws/http_client.h"
#include "aws/retry.h"
#include "aws/service_caller.h"
#include "catalog/catalog_options.h"
#include "catalog/lambda_backend.h"
#include "common/clock.h"

namespace lmcp::catalog {

class AwsLambdaBackend : public LambdaBackend {
 public:
  struct Endpoints {
    aws::ServiceEndpoint lambda;
    aws::ServiceEndpoint tagging;
    std::function<aws::ServiceEndpoint(const std::string& region)> schemas;
  };
  // Uses `caller` (which must outlive this) and the given endpoints.
  AwsLambdaBackend(aws::ServiceCaller& caller, Endpoints endpoints);

  // Everything from the environment and the options' profile/region: owns its HTTP client, retry policy,
  // credentials and caller. Fails with a message naming the fix (e.g. no region, unknown profile).
  static Result<std::unique_ptr<LambdaBackend>> Create(const CatalogOptions& options, Clock& clock,
                                                       const aws::EnvLookup& env);

  Result<std::vector<FunctionInfo>> ListFunctions() override;
  Result<std::vector<TaggedResource>> GetTaggedFunctions(const std::string& tag_key,
                                                         const std::string& tag_value) override;
  Result<Tags> ListTags(const std::string& function_arn) override;
  Result<SchemaDocument> DescribeSchema(const SchemaRequest& request) override;
  Result<InvokeResponse> Invoke(InvokeRequest request, std::stop_token stop) override;

  const Endpoints& endpoints() const { return endpoints_; }

 private:
  aws::ServiceCaller& caller_;
  Endpoints endpoints_;
};

}  // namespace lmcp::catalog
