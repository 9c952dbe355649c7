#pragma once
// ServiceCaller: the request pipeline every AWS client shares. For each attempt it takes a fresh credentials
// snapshot, signs (SigV4, new X-Amz-Date), sends through the HttpClient, parses an error reply for the
// service's protocol, and retries per RetryPolicy, sleeping on the injected Clock. Holds references only;
// the HttpClient, provider, clock and policy must outlive it. Thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>

#include "aws/aws_error.h"
#include "aws/credentials_provider.h"
#include "aws/http_client.h"
#include "aws/retry.h"
#include "aws/url.h"
#include "common/clock.h"

namespace lmcp::aws {

struct ServiceEndpoint {
  std::string url;           // scheme://host[:port][/base-path], no trailing slash
  std::string region;        // signing region
  std::string signing_name;  // "lambda", "schemas", "tagging", "sts"
};

struct OperationRequest {
  std::string operation;  // "Invoke", for errors and logs
  std::string method = "GET";
  std::string path = "/";  // already encoded
  QueryParams query;       // decoded; encoded here
  Headers headers;
  std::string body;
  bool idempotent = true;  // false: never repeat once the request may have reached the server
  bool sign = true;        // false only for AssumeRoleWithWebIdentity
  std::chrono::milliseconds connect_timeout{3'100};
  std::chrono::milliseconds read_timeout{60'000};
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  std::stop_token stop;
};

class ServiceCaller {
 public:
  // `credentials` may be null when every call is unsigned.
  ServiceCaller(HttpClient& http, CredentialsProvider* credentials, Clock& clock, RetryPolicy& retry);

  // 2xx → the response; otherwise an AwsError with `operation` and `attempts` filled in. Takes the
  // operation so a large body (an Invoke payload) is moved, not copied; it is never copied per attempt.
  AwsResult<HttpResponse> Call(const ServiceEndpoint& endpoint, Protocol protocol, OperationRequest op);
  // Call, then the reply body parsed as a JSON object (an error naming the operation when it is not one).
  AwsResult<nlohmann::json> CallJson(const ServiceEndpoint& endpoint, Protocol protocol, OperationRequest op);

  HttpClient& http() { return http_; }

  // Retries sent so far, by why the attempt before failed (for metrics).
  struct RetryCounts {
    std::uint64_t throttling = 0;    // a throttling error reply
    std::uint64_t server_error = 0;  // another retryable reply (5xx, transient codes)
    std::uint64_t transport = 0;     // no reply: connection error or timeout
  };
  RetryCounts retries() const {
    return {retry_throttling_.load(std::memory_order_relaxed), retry_server_.load(std::memory_order_relaxed),
            retry_transport_.load(std::memory_order_relaxed)};
  }

 private:
  Status SignRequest(HttpRequest& request, const ServiceEndpoint& endpoint);

  HttpClient& http_;
  CredentialsProvider* credentials_;
  Clock& clock_;
  RetryPolicy& retry_;
  std::atomic<std::uint64_t> retry_throttling_{0};
  std::atomic<std::uint64_t> retry_server_{0};
  std::atomic<std::uint64_t> retry_transport_{0};
};

}  // namespace lmcp::aws
