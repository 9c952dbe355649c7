#pragma once
// Where AWS clients get the keys to sign with. GetCredentials() returns one consistent snapshot (key, secret,
// token) per call; each request and each retry asks again. StaticCredentialsProvider never changes;
// RefreshingCredentialsProvider wraps a fetch function and refreshes ahead of expiry (advisory below 15 min:
// on failure keep the old set; mandatory below 10 min: failure is an error; a provider of short-lived sets
// may pass smaller margins), one refresher at a time while other threads keep using the still-valid set or
// wait. Both are thread-safe.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/sigv4.h"
#include "common/clock.h"
#include "common/result.h"

namespace lmcp::aws {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> GetCredentials() = 0;
  // Short description of the source ("environment", "assume-role", ...) for logs; never secrets.
  virtual std::string source() const = 0;
};

class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  StaticCredentialsProvider(Credentials credentials, std::string source)
      : credentials_(std::move(credentials)), source_(std::move(source)) {}
  Result<Credentials> GetCredentials() override { return credentials_; }
  std::string source() const override { return source_; }

 private:
  Credentials credentials_;
  std::string source_;
};

// How long before expiry RefreshingCredentialsProvider refreshes: advisory (a failure keeps the old set) and
// mandatory (a failure is an error).
struct RefreshMargins {
  std::chrono::seconds advisory = std::chrono::minutes(15);
  std::chrono::seconds mandatory = std::chrono::minutes(10);
};

class RefreshingCredentialsProvider final : public CredentialsProvider {
 public:
  using Fetch = std::function<Result<Credentials>()>;
  static constexpr std::chrono::minutes kAdvisoryRefresh{15};
  static constexpr std::chrono::minutes kMandatoryRefresh{10};
  using Margins = RefreshMargins;

  RefreshingCredentialsProvider(Fetch fetch, Clock& clock, std::string source,
                                std::optional<Credentials> initial = std::nullopt, Margins margins = {});
  Result<Credentials> GetCredentials() override;
  std::string source() const override { return source_; }
  int fetch_count() const;

 private:
  bool Fresh(const Credentials& c, std::chrono::seconds margin) const;

  Fetch fetch_;
  Clock& clock_;
  std::string source_;
  Margins margins_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Credentials> current_;
  bool refreshing_ = false;
  int fetches_ = 0;
};

}  // namespace lmcp::aws
