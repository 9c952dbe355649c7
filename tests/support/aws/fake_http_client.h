#pragma once
// FakeHttpClient: an HttpClient for unit tests. Records every request and answers from a script of
// responses and faults (in order), or from a handler when the script is empty. Thread-safe. With
// HoldAsync(true), SendAsync records each request and parks it without a thread, as an event-driven client
// does, until the test answers it (ReleaseHeld, on the test's thread); a stop aborts a held exchange, which
// then ends kCancelled (sent) on the fake's own completion thread, never inside request_stop().

#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "aws/http_client.h"
#include "common/async.h"

namespace lmcp::aws {

class FakeHttpClient final : public HttpClient {
 public:
  using Handler = std::function<HttpResult(const HttpRequest&)>;

  HttpResult Send(const HttpRequest& request, std::stop_token stop = {}) override;
  void SendAsync(HttpRequest request, std::stop_token stop, Done done) override;

  void HoldAsync(bool hold);
  // Answers every held exchange with `answer` (the script or handler when null) and returns how many.
  int ReleaseHeld(std::optional<HttpResult> answer = std::nullopt);
  std::size_t held() const;
  bool WaitHeld(std::size_t count);  // false after 20 s: bounds a hang, never a timing
  int aborted() const;

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
  struct Held {
    HttpRequest request;
    Done done;
    std::optional<std::stop_callback<std::function<void()>>> on_stop;
  };
  HttpResult Answer(const HttpRequest& request);
  bool hold_ = false;
  int aborted_ = 0;
  std::list<std::shared_ptr<Held>> held_;
  std::condition_variable held_cv_;
  std::unique_ptr<ThreadExecutor> completions_ = std::make_unique<ThreadExecutor>(1);
};

}  // namespace lmcp::aws
