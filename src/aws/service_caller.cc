#include "aws/service_caller.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "aws/json_util.h"
#include "aws/sigv4.h"
#include "common/log_text.h"

namespace lmcp::aws {

ServiceCaller::ServiceCaller(HttpClient& http, CredentialsProvider* credentials, Clock& clock,
                             RetryPolicy& retry, Timer* timer)
    : http_(http), credentials_(credentials), clock_(clock), retry_(retry), timer_(timer) {}

Status ServiceCaller::SignRequest(HttpRequest& request, const ServiceEndpoint& endpoint) {
  if (credentials_ == nullptr) {
    return Error::Unauthenticated("no credentials provider for a signed request");
  }
  Result<Credentials> creds = credentials_->GetCredentials();
  if (!creds.ok()) {
    return creds.error();
  }
  auto artifacts =
      Sign(request, *creds,
           SigningParams{.region = endpoint.region, .service = endpoint.signing_name, .time = clock_.Now()});
  if (!artifacts.ok()) {
    return artifacts.error();
  }
  return Ok();
}

HttpRequest ServiceCaller::BaseRequest(const ServiceEndpoint& endpoint, OperationRequest& op,
                                       std::string& body) {
  HttpRequest base;
  base.method = op.method;
  base.url = endpoint.url + op.path;
  if (!op.query.empty()) {
    base.url += '?';
    base.url += BuildQuery(op.query);
  }
  base.headers = std::move(op.headers);
  // The body stays out of `base`: each attempt copies `base` (signing adds headers) and borrows the body.
  body = std::move(op.body);
  base.connect_timeout = op.connect_timeout;
  base.read_timeout = op.read_timeout;
  base.max_response_bytes = op.max_response_bytes;
  base.idempotent = op.idempotent;
  return base;
}

AwsResult<HttpRequest> ServiceCaller::Prepare(const HttpRequest& base, std::string& body,
                                              const ServiceEndpoint& endpoint, const OperationRequest& op,
                                              int attempt) {
  HttpRequest request = base;
  request.body = std::move(body);
  if (op.sign) {
    Status signed_ok = SignRequest(request, endpoint);
    if (!signed_ok.ok()) {
      AwsError error = AwsError::Client(signed_ok.error().message);
      error.operation = op.operation;
      error.attempts = attempt;
      return error;
    }
  }
  return request;
}

ServiceCaller::Outcome ServiceCaller::AfterAttempt(HttpResult result, Protocol protocol,
                                                   const OperationRequest& op, int attempt) {
  if (result.ok() && result->status >= 200 && result->status < 300) {
    retry_.OnSuccess(attempt > 1);
    return {.result = std::move(result.value())};
  }
  AwsError error =
      result.ok() ? ParseError(protocol, result.value()) : AwsError::FromTransport(result.error());
  error.operation = op.operation;
  error.attempts = attempt;
  if (!retry_.ShouldRetry(error, attempt, op.idempotent) || op.stop.stop_requested()) {
    return {.result = std::move(error)};
  }
  (error.throttling  ? retry_throttling_
   : error.transport ? retry_transport_
                     : retry_server_)
      .fetch_add(1, std::memory_order_relaxed);
  auto delay = retry_.Backoff(error, attempt);
  spdlog::debug("{} attempt {} failed ({}), retrying in {} ms", op.operation, attempt,
                ForLog(error.code.empty() ? error.message : error.code), delay.count());
  return {.backoff = delay};
}

AwsResult<HttpResponse> ServiceCaller::Call(const ServiceEndpoint& endpoint, Protocol protocol,
                                            OperationRequest op) {
  std::string body;
  const HttpRequest base = BaseRequest(endpoint, op, body);
  for (int attempt = 1;; ++attempt) {
    AwsResult<HttpRequest> request = Prepare(base, body, endpoint, op, attempt);
    if (!request.ok()) {
      return request.error();
    }
    HttpResult result = http_.Send(*request, op.stop);
    body = std::move(request->body);  // for a next attempt
    Outcome outcome = AfterAttempt(std::move(result), protocol, op, attempt);
    if (outcome.result) {
      return std::move(*outcome.result);
    }
    clock_.SleepFor(outcome.backoff);
  }
}

Async<AwsResult<HttpResponse>> ServiceCaller::CallAsync(ServiceEndpoint endpoint, Protocol protocol,
                                                        OperationRequest op) {
  std::string body;
  const HttpRequest base = BaseRequest(endpoint, op, body);
  for (int attempt = 1;; ++attempt) {
    AwsResult<HttpRequest> request = Prepare(base, body, endpoint, op, attempt);
    if (!request.ok()) {
      co_return request.error();
    }
    // SendAsync takes the request, body and all. The last attempt the policy allows moves the body in; an
    // earlier one sends a copy, kept for a next attempt (a copy the blocking Call avoids by lending it).
    if (attempt < retry_.config().max_attempts) {
      body = request->body;
    }
    HttpResult result = co_await WhenCalledWith<HttpResult>([&](Resume<HttpResult> resume) {
      http_.SendAsync(std::move(*request), op.stop, [resume](HttpResult r) { resume(std::move(r)); });
    });
    Outcome outcome = AfterAttempt(std::move(result), protocol, op, attempt);
    if (outcome.result) {
      co_return std::move(*outcome.result);
    }
    if (timer_ != nullptr) {
      Status slept = co_await SleepFor(*timer_, clock_, outcome.backoff);  // a timer never fails it
      (void)slept;
    } else {
      clock_.SleepFor(outcome.backoff);
    }
  }
}

AwsResult<nlohmann::json> ServiceCaller::CallJson(const ServiceEndpoint& endpoint, Protocol protocol,
                                                  OperationRequest op) {
  const std::string operation = op.operation;
  auto r = Call(endpoint, protocol, std::move(op));
  if (!r.ok()) {
    return r.error();
  }
  return ParseJsonReply(operation, *r);
}

}  // namespace lmcp::aws
