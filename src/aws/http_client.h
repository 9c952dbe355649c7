#pragma once
// The HTTP seam of the AWS layer: HttpClient sends one request and returns a response or a classified
// failure. The classification answers the retry layer's question "may the request have reached the server?".
// Implementations: AsioHttpClient (asio_http_client.h, event-driven) and, for tests, FakeHttpClient
// (tests/support/aws/fake_http_client.h).
// Implementations must be safe to call from several threads at once.

#include <functional>
#include <stop_token>
#include <string>
#include <variant>

#include "aws/http_types.h"
#include "common/result.h"

namespace lmcp::aws {

enum class HttpErrorKind {
  kInvalidRequest,     // malformed URL or options; nothing was sent
  kConnectFailed,      // DNS, refused, TLS handshake: nothing was sent
  kTimeoutBeforeSend,  // connect timed out: nothing was sent
  kReadTimeout,        // sent, then no progress for read_timeout: the server may have acted on it
  kConnectionReset,    // sent, then the connection broke before a full response
  kResponseTooLarge,   // the response exceeded max_response_bytes
  kCancelled,          // the stop token fired; sent or not is in `sent`
};

const char* HttpErrorKindName(HttpErrorKind kind);

struct HttpError {
  HttpErrorKind kind = HttpErrorKind::kConnectFailed;
  std::string message;
  bool sent = false;  // the request (or part of it) left this process

  // True when a non-idempotent request must not be repeated.
  bool MayHaveReachedServer() const { return sent; }
  Error ToError() const;  // kUnavailable / kTimeout / kResourceExhausted / kCancelled / kInvalidArgument
};

class HttpResult {
 public:
  HttpResult(HttpResponse response) : v_(std::move(response)) {}  // NOLINT: implicit by design
  HttpResult(HttpError error) : v_(std::move(error)) {}           // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  HttpResponse& value() { return std::get<0>(v_); }
  const HttpResponse& value() const { return std::get<0>(v_); }
  HttpResponse* operator->() { return &value(); }
  const HttpResponse* operator->() const { return &value(); }
  const HttpError& error() const { return std::get<1>(v_); }

 private:
  std::variant<HttpResponse, HttpError> v_;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends `request` (timeouts and size bound are in the request). Any HTTP status is a success here; only
  // transport failures are errors. `stop` cancels the call from another thread.
  virtual HttpResult Send(const HttpRequest& request, std::stop_token stop = {}) = 0;

  // The event-driven form: returns at once and calls `done` exactly once, from any thread (an I/O thread of
  // an event-driven client), when the exchange ends. No thread waits in between. The default runs Send on
  // the calling thread, for clients that block.
  using Done = std::function<void(HttpResult)>;
  virtual void SendAsync(HttpRequest request, std::stop_token stop, Done done) {
    done(Send(request, std::move(stop)));
  }
};

}  // namespace lmcp::aws
