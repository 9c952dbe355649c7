#pragma once
// ServiceCaller: the request pipeline every AWS client shares. For each attempt it takes a fresh credentials
// snapshot, signs (SigV4, new X-Amz-Date), sends through the HttpClient, parses an error reply for the
// service's protocol, and retries per RetryPolicy, sleeping on the injected Clock. CallAsync is the same
// pipeline without a thread held while a request is out (HttpClient::SendAsync) or while it backs off (the
// injected Timer). Holds references only; the HttpClient, provider, clock, policy and timer must outlive it.
// Thread-safe.

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
#include "common/async.h"
#include "common/clock.h"
#include "common/timer.h"

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
  // `timer` (may be null: CallAsync then backs off with a blocking sleep on its current thread) runs
  // CallAsync's retry waits.
  ServiceCaller(HttpClient& http, CredentialsProvider* credentials, Clock& clock, RetryPolicy& retry,
                Timer* timer = nullptr);

  // 2xx → the response; otherwise an AwsError with `operation` and `attempts` filled in. Takes the
  // operation so a large body (an Invoke payload) is moved, not copied; it is never copied per attempt.
  AwsResult<HttpResponse> Call(const ServiceEndpoint& endpoint, Protocol protocol, OperationRequest op);
  // Call as a coroutine: each attempt goes out through HttpClient::SendAsync and the coroutine goes on, on
  // the thread that ends the exchange; a back-off waits on the timer. Signing stays synchronous, so a
  // credentials refresh (rare: once per expiry) may block that thread briefly.
  Async<AwsResult<HttpResponse>> CallAsync(ServiceEndpoint endpoint, Protocol protocol, OperationRequest op);
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
  // The request every attempt copies, without its body (moved into `body`).
  static HttpRequest BaseRequest(const ServiceEndpoint& endpoint, OperationRequest& op, std::string& body);
  // Attempt `attempt` of `op`, signed; an error when signing failed.
  AwsResult<HttpRequest> Prepare(const HttpRequest& base, std::string& body, const ServiceEndpoint& endpoint,
                                 const OperationRequest& op, int attempt);
  // What an attempt came to: the result to return, or none and the back-off before the next attempt.
  struct Outcome {
    std::optional<AwsResult<HttpResponse>> result;
    Clock::Duration backoff{0};
  };
  Outcome AfterAttempt(HttpResult result, Protocol protocol, const OperationRequest& op, int attempt);

  HttpClient& http_;
  CredentialsProvider* credentials_;
  Clock& clock_;
  RetryPolicy& retry_;
  Timer* timer_;
  std::atomic<std::uint64_t> retry_throttling_{0};
  std::atomic<std::uint64_t> retry_server_{0};
  std::atomic<std::uint64_t> retry_transport_{0};
};

}  // namespace lmcp::aws
