#include "aws/credentials_provider.h"

#include <spdlog/spdlog.h>

#include "common/log_text.h"

namespace lmcp::aws {

RefreshingCredentialsProvider::RefreshingCredentialsProvider(Fetch fetch, Clock& clock, std::string source,
                                                             std::optional<Credentials> initial,
                                                             Margins margins)
    : fetch_(std::move(fetch)),
      clock_(clock),
      source_(std::move(source)),
      margins_(margins),
      current_(std::move(initial)) {}

bool RefreshingCredentialsProvider::Fresh(const Credentials& c, std::chrono::seconds margin) const {
  return !c.expiration || *c.expiration - clock_.Now() > margin;
}

Result<Credentials> RefreshingCredentialsProvider::GetCredentials() {
  std::unique_lock lock(mu_);
  while (true) {
    if (current_ && Fresh(*current_, margins_.advisory)) {
      return *current_;
    }
    if (!refreshing_) {
      break;
    }
    // Someone else is refreshing: use the current set while it is outside the mandatory window, else wait.
    if (current_ && Fresh(*current_, margins_.mandatory)) {
      return *current_;
    }
    cv_.wait(lock);
    if (current_ && Fresh(*current_, margins_.mandatory)) {
      return *current_;
    }
    if (!refreshing_ && !current_) {
      break;
    }
  }
  refreshing_ = true;
  ++fetches_;
  lock.unlock();
  Result<Credentials> fresh = fetch_();
  lock.lock();
  refreshing_ = false;
  cv_.notify_all();
  if (fresh.ok()) {
    current_ = fresh.value();
    return *current_;
  }
  if (current_ && Fresh(*current_, margins_.mandatory)) {
    spdlog::warn("credentials refresh from {} failed, using the current set: {}", ForLog(source_),
                 ForLog(fresh.error().ToString(), 1000));
    return *current_;
  }
  return fresh.error();
}

int RefreshingCredentialsProvider::fetch_count() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

}  // namespace lmcp::aws
