#include "aws/aws_error.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "aws/xml.h"
#include "common/json.h"

namespace lmcp::aws {
namespace {

std::string CutAt(std::string s, char c) {
  auto pos = s.find(c);
  if (pos != std::string::npos) {
    s.resize(pos);
  }
  return s;
}

std::string AfterLast(std::string s, char c) {
  auto pos = s.rfind(c);
  return pos == std::string::npos ? s : s.substr(pos + 1);
}

std::string FirstJsonString(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = j.find(k);
    if (it != j.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  return {};
}

void Classify(AwsError& e, const HttpResponse& response) {
  e.http_status = response.status;
  e.throttling = IsThrottlingCode(e.code) || response.status == 429;
  e.transient = IsTransientCode(e.code) || response.status == 500 || response.status == 502 ||
                response.status == 503 || response.status == 504;
  std::string retry_after = FindHeader(response.headers, "retry-after");
  if (!retry_after.empty() && std::all_of(retry_after.begin(), retry_after.end(), ::isdigit) &&
      retry_after.size() < 7) {
    e.retry_after = std::chrono::seconds(std::stol(retry_after));
  }
  if (e.request_id.empty()) {
    e.request_id = FindHeader(response.headers, "x-amzn-requestid");
  }
  if (e.request_id.empty()) {
    e.request_id = FindHeader(response.headers, "x-amz-request-id");
  }
  if (e.code.empty() && e.request_id.empty() && e.message.empty() && response.status >= 400 &&
      response.status != 429 && response.status < 500) {
    // Neither an AWS error code nor a request id nor a message: whatever answered is not an AWS service.
    e.message =
        "HTTP status " + std::to_string(response.status) +
        " from something that does not answer like AWS (no error code or request id): check that the "
        "endpoint (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, --endpoint-url) is the service's base "
        "URL, e.g. http://127.0.0.1:7300 for lambda-mcp local";
  }
  if (e.code.empty()) {
    e.code = "HTTP" + std::to_string(response.status);
  }
  if (e.message.empty() && response.status >= 500) {
    e.message = "HTTP status " + std::to_string(response.status);
  }
}

bool FillFromXml(AwsError& e, const std::string& body) {
  auto error = XmlElement(body, "Error");
  if (!error) {
    return false;
  }
  e.code = XmlText(*error, "Code").value_or("");
  e.message = XmlText(*error, "Message").value_or("");
  e.request_id = XmlText(body, "RequestId").value_or(XmlText(body, "RequestID").value_or(""));
  return !e.code.empty();
}

bool FillFromJson(AwsError& e, const std::string& body, bool json11) {
  auto parsed = ParseJson(body);
  if (!parsed.ok() || !parsed->is_object()) {
    return false;
  }
  const nlohmann::json& j = *parsed;
  if (e.code.empty()) {
    std::string code = FirstJsonString(j, {"__type", "code", "Code"});
    if (json11) {
      code = AfterLast(code, '#');
    }
    e.code = CutAt(AfterLast(code, '#'), ':');
  }
  e.message = FirstJsonString(j, {"message", "Message", "errorMessage"});
  e.reason = FirstJsonString(j, {"Reason"});
  return true;
}

AwsError ParseJsonLike(const HttpResponse& response, bool json11) {
  AwsError e;
  e.code = CutAt(FindHeader(response.headers, "x-amzn-errortype"), ':');
  if (json11) {
    e.code = AfterLast(e.code, '#');
  }
  if (!FillFromJson(e, response.body, json11) && e.code.empty()) {
    FillFromXml(e, response.body);
  }
  Classify(e, response);
  return e;
}

}  // namespace

bool IsThrottlingCode(std::string_view code) {
  static constexpr std::array<std::string_view, 14> kCodes = {"Throttling",
                                                              "ThrottlingException",
                                                              "ThrottledException",
                                                              "RequestThrottledException",
                                                              "TooManyRequestsException",
                                                              "ProvisionedThroughputExceededException",
                                                              "TransactionInProgressException",
                                                              "RequestLimitExceeded",
                                                              "BandwidthLimitExceeded",
                                                              "LimitExceededException",
                                                              "RequestThrottled",
                                                              "SlowDown",
                                                              "PriorRequestNotComplete",
                                                              "EC2ThrottledException"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

bool IsTransientCode(std::string_view code) {
  return code == "RequestTimeout" || code == "RequestTimeoutException" || code == "PriorRequestNotComplete" ||
         code == "IDPCommunicationError" || code == "InternalServiceException" ||
         code == "InternalServerErrorException" || code == "ServiceUnavailableException" ||
         code == "ServiceException";
}

AwsError ParseRestJsonError(const HttpResponse& response) { return ParseJsonLike(response, false); }
AwsError ParseJson11Error(const HttpResponse& response) { return ParseJsonLike(response, true); }

AwsError ParseQueryError(const HttpResponse& response) {
  AwsError e;
  if (!FillFromXml(e, response.body)) {
    FillFromJson(e, response.body, false);
  }
  Classify(e, response);
  return e;
}

AwsError ParseError(Protocol protocol, const HttpResponse& response) {
  switch (protocol) {
    case Protocol::kRestJson:
      return ParseRestJsonError(response);
    case Protocol::kJson11:
      return ParseJson11Error(response);
    case Protocol::kQuery:
      return ParseQueryError(response);
  }
  return ParseRestJsonError(response);
}

AwsError AwsError::FromTransport(const HttpError& h) {
  AwsError e;
  e.transport = h.kind;
  e.message = std::string(HttpErrorKindName(h.kind)) + ": " + h.message;
  e.may_have_reached_server = h.MayHaveReachedServer();
  e.transient = h.kind == HttpErrorKind::kConnectFailed || h.kind == HttpErrorKind::kTimeoutBeforeSend ||
                h.kind == HttpErrorKind::kReadTimeout || h.kind == HttpErrorKind::kConnectionReset;
  return e;
}

AwsError AwsError::Client(std::string message) {
  AwsError e;
  e.message = std::move(message);
  e.may_have_reached_server = false;
  return e;
}

std::string AwsError::ToString() const {
  std::string op = operation.empty() ? "AWS" : operation;
  if (code.empty()) {
    std::string s = "Error calling the " + op + " operation: " + message;
    if (transport && may_have_reached_server && operation == "Invoke") {
      s += " (the request may have reached Lambda; not retried)";
    }
    return s;
  }
  std::string s = "An error occurred (" + code + ") when calling the " + op + " operation";
  if (attempts > 1) {
    s += " (reached max retries: " + std::to_string(attempts - 1) + ")";
  }
  return s + ": " + message;
}

Error AwsError::ToError() const {
  std::string m = ToString();
  if (transport) {
    Error e = HttpError{*transport, "", may_have_reached_server}.ToError();
    e.message = std::move(m);
    return e;
  }
  if (code.empty()) {
    // No AWS error code: a reply that arrived but cannot be read (malformed, a repeated page token) is the
    // service's fault; otherwise the call failed before sending, which is a credentials problem.
    if (http_status != 0) {
      return Error::Unavailable(std::move(m));
    }
    return Error::Unauthenticated(std::move(m));
  }
  static constexpr std::array<std::string_view, 12> kAuth = {"InvalidSignatureException",
                                                             "UnrecognizedClientException",
                                                             "ExpiredTokenException",
                                                             "ExpiredToken",
                                                             "SignatureDoesNotMatch",
                                                             "InvalidClientTokenId",
                                                             "MissingAuthenticationTokenException",
                                                             "IncompleteSignatureException",
                                                             "InvalidIdentityToken",
                                                             "IDPRejectedClaim",
                                                             "UnauthorizedException",
                                                             "MissingAuthenticationToken"};
  if (std::find(kAuth.begin(), kAuth.end(), code) != kAuth.end() || http_status == 401) {
    return Error::Unauthenticated(std::move(m));
  }
  if (code.starts_with("AccessDenied") || code == "ForbiddenException" || http_status == 403) {
    return Error::PermissionDenied(std::move(m));
  }
  if (throttling || http_status == 413 || code == "RequestTooLargeException") {
    return Error::ResourceExhausted(std::move(m));
  }
  if (http_status == 404 || code == "ResourceNotFoundException" || code == "NotFoundException" ||
      code == "NoSuchEntity") {
    return Error::NotFound(std::move(m));
  }
  if (http_status == 409 || code == "ResourceConflictException" || code == "ResourceNotReadyException") {
    return Error::FailedPrecondition(std::move(m));
  }
  if (http_status >= 500 || transient) {
    return Error::Unavailable(std::move(m));
  }
  if (http_status >= 400) {
    return Error::InvalidArgument(std::move(m));
  }
  return Error::Internal(std::move(m));
}

}  // namespace lmcp::aws
