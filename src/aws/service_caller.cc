#include "aws/service_caller.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "aws/json_util.h"
#include "aws/sigv4.h"
#include "common/log_text.h"

namespace lmcp::aws {

ServiceCaller::ServiceCaller(HttpClient& http, CredentialsProvider* credentials, Clock& clock,
                             RetryPolicy& retry)
    : http_(http), credentials_(credentials), clock_(clock), retry_(retry) {}

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

AwsResult<HttpResponse> ServiceCaller::Call(const ServiceEndpoint& endpoint, Protocol protocol,
                                            OperationRequest op) {
  HttpRequest base;
  base.method = op.method;
  base.url = endpoint.url + op.path;
  if (!op.query.empty()) {
    base.url += '?';
    base.url += BuildQuery(op.query);
  }
  base.headers = std::move(op.headers);
  // The body stays out of `base`: each attempt copies `base` (signing adds headers) and borrows the body.
  std::string body = std::move(op.body);
  base.connect_timeout = op.connect_timeout;
  base.read_timeout = op.read_timeout;
  base.max_response_bytes = op.max_response_bytes;
  base.idempotent = op.idempotent;

  for (int attempt = 1;; ++attempt) {
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
    HttpResult result = http_.Send(request, op.stop);
    if (result.ok() && result->status >= 200 && result->status < 300) {
      retry_.OnSuccess(attempt > 1);
      return std::move(result.value());
    }
    AwsError error =
        result.ok() ? ParseError(protocol, result.value()) : AwsError::FromTransport(result.error());
    error.operation = op.operation;
    error.attempts = attempt;
    if (!retry_.ShouldRetry(error, attempt, op.idempotent) || op.stop.stop_requested()) {
      return error;
    }
    (error.throttling  ? retry_throttling_
     : error.transport ? retry_transport_
                       : retry_server_)
        .fetch_add(1, std::memory_order_relaxed);
    body = std::move(request.body);  // for the next attempt
    auto delay = retry_.Backoff(error, attempt);
    spdlog::debug("{} attempt {} failed ({}), retrying in {} ms", op.operation, attempt,
                  ForLog(error.code.empty() ? error.message : error.code), delay.count());
    clock_.SleepFor(delay);
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
