#include "tests/support/aws/fake_http_client.h"

namespace lmcp::aws {

HttpResult FakeHttpClient::Send(const HttpRequest& request, std::stop_token stop) {
  Handler handler;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (stop.stop_requested()) {
      return HttpError{HttpErrorKind::kCancelled, "cancelled", false};
    }
    if (!script_.empty()) {
      HttpResult r = std::move(script_.front());
      script_.pop_front();
      return r;
    }
    handler = handler_;
  }
  if (handler) {
    return handler(request);
  }
  return HttpError{HttpErrorKind::kConnectFailed, "FakeHttpClient: no scripted response", false};
}

void FakeHttpClient::Push(HttpResult outcome) {
  std::lock_guard lock(mu_);
  script_.push_back(std::move(outcome));
}

void FakeHttpClient::PushResponse(int status, std::string body, Headers headers) {
  Push(HttpResponse{status, std::move(headers), std::move(body)});
}

void FakeHttpClient::PushError(HttpErrorKind kind, bool sent) {
  Push(HttpError{kind, std::string("scripted ") + HttpErrorKindName(kind), sent});
}

void FakeHttpClient::SetHandler(Handler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::move(handler);
}

std::vector<HttpRequest> FakeHttpClient::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::size_t FakeHttpClient::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

HttpRequest FakeHttpClient::last_request() const {
  std::lock_guard lock(mu_);
  return requests_.empty() ? HttpRequest{} : requests_.back();
}

}  // namespace lmcp::aws
