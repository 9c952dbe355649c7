#pragma once
// What the Lambda catalog needs from AWS, and nothing more: list functions, read tags (Tagging GetResources
// or per-function ListTags), read a Schema Registry schema, and invoke. The production implementation adapts
// the aws layer's clients (aws_lambda_backend.h); FakeLambdaBackend serves unit tests. Implementations must
// be safe to call from many threads at once.
//
// Errors are lmcp::Error values classified by code so the catalog can branch without knowing AWS:
//   kUnauthenticated   no or invalid credentials          kPermissionDenied  access denied
//   kResourceExhausted throttled (after retries), too large  kNotFound       function/schema/registry missing
//   kTimeout           read timeout after the request was sent (an Invoke may have run)
//   kUnavailable       network, endpoint or 5xx            kCancelled         stop requested
// The message starts with the AWS error code when there is one: "AccessDeniedException: User ... is not ...".

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "common/async.h"
#include "common/result.h"

namespace lmcp::catalog {

using Tags = std::map<std::string, std::string>;

// One function's $LATEST configuration as ListFunctions returns it.
struct FunctionInfo {
  std::string name;
  std::string arn;          // unqualified function ARN
  std::string description;  // "" when unset
  std::string runtime;
  int timeout_seconds = 3;  // the function's own Timeout
  int memory_mb = 128;
};

struct TaggedResource {
  std::string arn;  // unqualified function ARN
  Tags tags;        // all of the function's tags
};

struct SchemaRequest {
  std::string region;   // from the schema ARN
  std::string account;  // from the schema ARN (informational: DescribeSchema has no account parameter)
  std::string registry;
  std::string name;
  std::string version;  // "" = latest
};

struct SchemaDocument {
  std::string content;  // the schema document as text (DescribeSchema's Content)
  std::string type;     // "OpenApi3" | "JSONSchemaDraft4" | ...
  std::string version;
};

// Lambda's limit on the ClientContext, as base64.
inline constexpr std::size_t kMaxClientContextBase64Bytes = 3583;

// How Lambda runs an Invoke: synchronously (the response carries the result), or queued for asynchronous
// execution (Event: 202 at once with a request id, the result is never returned).
enum class InvocationType { kRequestResponse, kEvent };
// "RequestResponse", "Event": as AWS spells them.
inline const char* InvocationTypeName(InvocationType type) {
  return type == InvocationType::kEvent ? "Event" : "RequestResponse";
}

// Lambda's request limits: 6 MB for a synchronous Invoke, 1 MB for an asynchronous (Event) one.
inline constexpr std::size_t kMaxSyncInvokePayloadBytes = 6 * 1024 * 1024;
inline constexpr std::size_t kMaxEventInvokePayloadBytes = 1024 * 1024;
inline std::size_t MaxInvokePayloadBytes(InvocationType type) {
  return type == InvocationType::kEvent ? kMaxEventInvokePayloadBytes : kMaxSyncInvokePayloadBytes;
}

struct InvokeRequest {
  std::string function;   // name or ARN
  std::string qualifier;  // "" = $LATEST
  std::string payload;    // the event, JSON text
  std::chrono::milliseconds read_timeout{63'000};
  bool log_tail = false;            // LogType=Tail
  std::string trace_header;         // X-Amzn-Trace-Id (X-Ray form); "" = none
  std::string client_context_json;  // a JSON object, base64 within kMaxClientContextBase64Bytes; "" = none
  InvocationType type = InvocationType::kRequestResponse;
};

struct InvokeResponse {
  int status = 200;              // 200; 202 for an accepted Event invoke (no payload)
  std::string function_error;    // X-Amz-Function-Error: "" | "Handled" | "Unhandled"
  std::string payload;           // raw response bytes
  std::string log_tail;          // decoded X-Amz-Log-Result, when asked for
  std::string executed_version;  // X-Amz-Executed-Version
  std::string request_id;        // x-amzn-RequestId
};

class LambdaBackend {
 public:
  virtual ~LambdaBackend() = default;

  // Every page of ListFunctions, in the order AWS returns them.
  virtual Result<std::vector<FunctionInfo>> ListFunctions() = 0;

  // Tagging GetResources, all pages, ResourceTypeFilters=lambda:function. With tag_key set, only resources
  // carrying that key (and, when tag_value is set, that value); otherwise every tagged function. Each
  // resource comes with all its tags. kPermissionDenied when tag:GetResources is not allowed (the caller then
  // falls back to ListTags).
  virtual Result<std::vector<TaggedResource>> GetTaggedFunctions(const std::string& tag_key,
                                                                 const std::string& tag_value) = 0;

  // lambda:ListTags for one unqualified function ARN.
  virtual Result<Tags> ListTags(const std::string& function_arn) = 0;

  // schemas:DescribeSchema in the request's region.
  virtual Result<SchemaDocument> DescribeSchema(const SchemaRequest& request) = 0;

  // An Invoke of the request's type, sent at most once: never retried once the request may have reached
  // Lambda. Stops (kCancelled) when `stop` is requested. Takes the request so the payload (up to 6 MB)
  // moves into the HTTP request instead of being copied.
  virtual Result<InvokeResponse> Invoke(InvokeRequest request, std::stop_token stop) = 0;
  // Invoke without holding a thread while Lambda runs: the same contract, completed on whichever thread the
  // exchange ends (an I/O thread). The default runs the blocking Invoke when awaited, for backends that
  // block (test fakes).
  virtual Async<Result<InvokeResponse>> InvokeAsync(InvokeRequest request, std::stop_token stop) {
    co_return Invoke(std::move(request), std::move(stop));
  }

  // AWS request retries so far as reason → count ("throttling", "server_error", "transport"), for metrics.
  // Backends that do not retry report none.
  virtual std::vector<std::pair<std::string, std::uint64_t>> RetryCounts() const { return {}; }
};

}  // namespace lmcp::catalog
