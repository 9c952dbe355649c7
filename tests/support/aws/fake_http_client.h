#pragma once
// FakeHttpClient: an HttpClient for unit tests. Records every request and answers from a script of
// responses and faults (in order), or from a handler when the script is empty. Thread-safe.

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "aws/http_client.h"

namespace lmcp::aws {

class FakeHttpClient final : public HttpClient {
 public:
  using Handler = std::function<HttpResult(const HttpRequest&)>;

  HttpResult Send(const HttpRequest& request, std::stop_token stop = {}) override;

  void Push(HttpResult outcome);  // next scripted answer
  void PushResponse(int status, std::string body, Headers headers = {});
  void PushError(HttpErrorKind kind, bool sent = false);
  void SetHandler(Handler handler);  // used when the script is empty

  std::vector<HttpRequest> requests() const;
  std::size_t request_count() const;
  HttpRequest last_request() const;

 private:
  mutable std::mutex mu_;
  std::deque<HttpResult> script_;
  Handler handler_;
  std::vector<HttpRequest> requests_;
};

}  // namespace lmcp::aws
