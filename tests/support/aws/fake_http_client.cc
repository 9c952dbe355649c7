#include "tests/support/aws/fake_http_client.h"

#include <algorithm>
#include <chrono>

namespace lmcp::aws {

HttpResult FakeHttpClient::Send(const HttpRequest& request, std::stop_token stop) {
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (stop.stop_requested()) {
      return HttpError{HttpErrorKind::kCancelled, "cancelled", false};
    }
  }
  return Answer(request);
}

HttpResult FakeHttpClient::Answer(const HttpRequest& request) {
  Handler handler;
  {
    std::lock_guard lock(mu_);
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

void FakeHttpClient::SendAsync(HttpRequest request, std::stop_token stop, Done done) {
  bool hold = false;
  {
    std::lock_guard lock(mu_);
    hold = hold_;
  }
  if (!hold) {
    done(Send(request, std::move(stop)));
    return;
  }
  auto held = std::make_shared<Held>();
  held->request = std::move(request);
  held->done = std::move(done);
  {
    std::lock_guard lock(mu_);
    requests_.push_back(held->request);
    held_.push_back(held);
  }
  held_cv_.notify_all();
  held->on_stop.emplace(std::move(stop), [this, weak = std::weak_ptr<Held>(held)] {
    std::shared_ptr<Held> h = weak.lock();
    if (!h) {
      return;
    }
    {
      std::lock_guard lock(mu_);
      auto it = std::find(held_.begin(), held_.end(), h);
      if (it == held_.end()) {
        return;  // answered first
      }
      held_.erase(it);
      ++aborted_;
    }
    held_cv_.notify_all();
    completions_->Post([h] { h->done(HttpError{HttpErrorKind::kCancelled, "aborted", true}); });
  });
}

void FakeHttpClient::HoldAsync(bool hold) {
  std::lock_guard lock(mu_);
  hold_ = hold;
}

int FakeHttpClient::ReleaseHeld(std::optional<HttpResult> answer) {
  std::list<std::shared_ptr<Held>> held;
  {
    std::lock_guard lock(mu_);
    held.swap(held_);
  }
  for (const auto& h : held) {
    h->done(answer ? *answer : Answer(h->request));
  }
  return static_cast<int>(held.size());
}

std::size_t FakeHttpClient::held() const {
  std::lock_guard lock(mu_);
  return held_.size();
}

bool FakeHttpClient::WaitHeld(std::size_t count) {
  std::unique_lock lock(mu_);
  return held_cv_.wait_for(lock, std::chrono::seconds(20), [&] { return held_.size() >= count; });
}

int FakeHttpClient::aborted() const {
  std::lock_guard lock(mu_);
  return aborted_;
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
