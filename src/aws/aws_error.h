#pragma once
// AwsError: one failed AWS call, from an error response (code, message, request id, status) or from the
// transport (connect failure, timeout, reset). Parsers for the three protocols we use, and the
// retryable/throttling classification of the AWS CLI's standard mode. Plain values and pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "aws/http_client.h"
#include "common/result.h"

namespace lmcp::aws {

enum class Protocol { kRestJson, kJson11, kQuery };

struct AwsError {
  std::string code;  // "ResourceNotFoundException"; empty for transport failures
  std::string message;
  std::string request_id;
  int http_status = 0;  // 0 when no response arrived
  bool throttling = false;
  bool transient = false;                  // 5xx, timeouts, connection errors
  std::optional<HttpErrorKind> transport;  // set for transport failures
  bool may_have_reached_server = true;     // false only when the request certainly never left
  std::optional<std::chrono::seconds> retry_after;
  std::string
      reason;  // Lambda's "Reason" of a TooManyRequestsException (ReservedFunction..., ...); "" = none
  std::string operation;  // "Invoke"; filled in by the caller
  int attempts = 1;

  bool retryable() const { return throttling || transient; }
  // "An error occurred (Code) when calling the Op operation: message", like the AWS CLI.
  std::string ToString() const;
  Error ToError() const;

  static AwsError FromTransport(const HttpError& e);
  static AwsError Client(std::string message);  // a local failure before sending (credentials, bad input)
};

// Parse a non-2xx response. Each falls back to the others' formats (moto answers Lambda auth failures in
// XML).
AwsError ParseRestJsonError(const HttpResponse& response);
AwsError ParseJson11Error(const HttpResponse& response);
AwsError ParseQueryError(const HttpResponse& response);
AwsError ParseError(Protocol protocol, const HttpResponse& response);

bool IsThrottlingCode(std::string_view code);
bool IsTransientCode(std::string_view code);

// AwsResult<T>: a T or an AwsError. ToResult() converts to lmcp::Result<T> for callers in other layers.
template <class T>
class [[nodiscard]] AwsResult {
 public:
  AwsResult(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  AwsResult(AwsError error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const AwsError& error() const { return std::get<1>(v_); }
  AwsError& error() { return std::get<1>(v_); }

  Result<T> ToResult() && {
    if (ok()) {
      return std::get<0>(std::move(v_));
    }
    return std::get<1>(v_).ToError();
  }

 private:
  std::variant<T, AwsError> v_;
};

struct Unit {};  // AwsResult<Unit> for calls without a value

}  // namespace lmcp::aws
