#include "aws/http_client.h"

namespace lmcp::aws {

const char* HttpErrorKindName(HttpErrorKind kind) {
  switch (kind) {
    case HttpErrorKind::kInvalidRequest:
      return "invalid request";
    case HttpErrorKind::kConnectFailed:
      return "connect failed";
    case HttpErrorKind::kTimeoutBeforeSend:
      return "connect timeout";
    case HttpErrorKind::kReadTimeout:
      return "read timeout";
    case HttpErrorKind::kConnectionReset:
      return "connection reset";
    case HttpErrorKind::kResponseTooLarge:
      return "response too large";
    case HttpErrorKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Error HttpError::ToError() const {
  std::string m = std::string(HttpErrorKindName(kind)) + ": " + message;
  switch (kind) {
    case HttpErrorKind::kInvalidRequest:
      return Error::InvalidArgument(std::move(m));
    case HttpErrorKind::kConnectFailed:
    case HttpErrorKind::kConnectionReset:
      return Error::Unavailable(std::move(m));
    case HttpErrorKind::kTimeoutBeforeSend:
    case HttpErrorKind::kReadTimeout:
      return Error::Timeout(std::move(m));
    case HttpErrorKind::kResponseTooLarge:
      return Error::ResourceExhausted(std::move(m));
    case HttpErrorKind::kCancelled:
      return Error::Cancelled(std::move(m));
  }
  return Error::Internal(std::move(m));
}

}  // namespace lmcp::aws
