#pragma once
// Typed Lambda API (rest-json, signing name "lambda"): ListFunctions (one page or every page), ListTags,
// GetFunction and Invoke. Holds a reference to its ServiceCaller; thread-safe. Invoke is never retried once
// the request may have reached Lambda (see ServiceCaller / RetryPolicy).

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "aws/aws_error.h"
#include "aws/service_caller.h"

namespace lmcp::aws {

struct FunctionConfiguration {
  std::string function_name;
  std::string function_arn;
  std::string description;
  std::string runtime;
  std::string handler;
  std::string version;
  std::string last_modified;
  std::string state;
  std::string package_type;
  int timeout_seconds = 0;
  int memory_size_mb = 0;
  nlohmann::json raw;  // the whole object, for fields not modelled here

  static FunctionConfiguration FromJson(const nlohmann::json& j);
};

struct ListFunctionsRequest {
  std::optional<int> max_items;  // page size, 1–10000 (Lambda returns at most 50)
  std::string marker;
  bool all_versions = false;  // FunctionVersion=ALL
  std::string master_region;  // needs all_versions
};

struct ListFunctionsPage {
  std::vector<FunctionConfiguration> functions;
  std::string next_marker;  // empty on the last page
};

struct GetFunctionResult {
  FunctionConfiguration configuration;
  std::map<std::string, std::string> tags;
  std::optional<int> reserved_concurrency;
  nlohmann::json code;  // Code.Location is a presigned URL: do not log it
};

enum class InvocationType { kRequestResponse, kEvent, kDryRun };

struct InvokeRequest {
  std::string function_name;  // name, full or partial ARN, optionally with :qualifier
  std::string qualifier;
  InvocationType invocation_type = InvocationType::kRequestResponse;
  bool tail_log = false;            // X-Amz-Log-Type: Tail (synchronous only)
  std::string client_context_json;  // a JSON object; sent base64-encoded (at most 3,583 bytes of base64)
  std::string trace_header;         // X-Amzn-Trace-Id (X-Ray: "Root=1-…;Parent=…;Sampled=…"); "" = none
  std::string payload;
  std::chrono::milliseconds read_timeout{905'000};  // must exceed the function's timeout (max 900 s)
  std::stop_token stop;
};

struct InvokeResult {
  int status_code = 0;         // 200, 202 (Event), 204 (DryRun)
  std::string function_error;  // "Unhandled" / "Handled"; empty when the function succeeded
  std::string log_result;      // decoded tail of the log
  std::string executed_version;
  std::string payload;
  std::string request_id;
};

inline constexpr std::size_t kMaxSyncPayloadBytes = 6 * 1024 * 1024;
inline constexpr std::size_t kMaxEventPayloadBytes = 1024 * 1024;
inline constexpr std::size_t kMaxClientContextBytes = 3583;

class LambdaClient {
 public:
  LambdaClient(ServiceCaller& caller, ServiceEndpoint endpoint)
      : caller_(caller), endpoint_(std::move(endpoint)) {}

  AwsResult<ListFunctionsPage> ListFunctions(const ListFunctionsRequest& request, std::stop_token stop = {});
  // Follows NextMarker to the end.
  AwsResult<std::vector<FunctionConfiguration>> ListAllFunctions(ListFunctionsRequest request = {},
                                                                 std::stop_token stop = {});
  AwsResult<std::map<std::string, std::string>> ListTags(const std::string& function_arn,
                                                         std::stop_token stop = {});
  AwsResult<GetFunctionResult> GetFunction(const std::string& function_name,
                                           const std::string& qualifier = "", std::stop_token stop = {});
  // Takes the request so the payload (up to 6 MB) moves into the HTTP request instead of being copied.
  AwsResult<InvokeResult> Invoke(InvokeRequest request);
  // Invoke without a thread held while Lambda runs (ServiceCaller::CallAsync): the same request, checks and
  // never-re-sent rule.
  Async<AwsResult<InvokeResult>> InvokeAsync(InvokeRequest request);

  const ServiceEndpoint& endpoint() const { return endpoint_; }

 private:
  static AwsResult<OperationRequest> InvokeOperation(InvokeRequest request);
  static InvokeResult ReadInvoke(HttpResponse response);

  ServiceCaller& caller_;
  ServiceEndpoint endpoint_;
};

}  // namespace lmcp::aws
