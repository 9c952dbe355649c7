// JwksCache under concurrency: the fetch runs outside the lock and one at a time, so a stalled key server
// delays no token whose key is cached, and callers missing a key share the fetch in flight.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "tests/support/common/fake_clock.h"
#include "tests/support/transport/http_test_util.h"
#include "transport/jwt_verifier.h"

namespace lmcp::transport {
namespace {

using testing::Key;
using testing::PublicJwk;
using testing::SignJwt;
using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr char kIssuer[] = "https://auth.example.com";
constexpr char kAudience[] = "https://mcp.example.com/mcp";
// Only a failure waits this long: a correct cache answers at once.
constexpr auto kHang = 30s;

// Serves a JWKS document; while blocked, every Fetch waits in the fetcher until Release().
class GatedFetcher final : public JwksFetcher {
 public:
  Result<std::string> Fetch(const std::string&) override {
    std::unique_lock lock(mu_);
    ++calls_;
    ++inside_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !blocked_; });
    --inside_;
    return document_;
  }
  void Set(Json keys) {
    std::lock_guard lock(mu_);
    document_ = Json{{"keys", std::move(keys)}}.dump();
  }
  void Block() {
    std::lock_guard lock(mu_);
    blocked_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    blocked_ = false;
    cv_.notify_all();
  }
  void WaitUntilInside() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return inside_ > 0; });
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  int calls_ = 0;
  int inside_ = 0;
  std::string document_ = R"({"keys":[]})";
};

class JwksCacheTest : public ::testing::Test {
 protected:
  JwksCacheTest() : old_(testing::NewRsaKey()), next_(testing::NewRsaKey()) {
    fetcher_.Set(Json::array({PublicJwk(old_.get(), "old")}));
    config_.issuer = kIssuer;
    config_.audiences = {kAudience};
    config_.jwks_url = "https://auth.example.com/jwks";
  }
  ~JwksCacheTest() override { fetcher_.Release(); }  // never leave a fetch hanging at destruction

  void MakeAuth() { auth_ = std::make_unique<JwtAuthenticator>(config_, fetcher_, clock_); }

  std::string Token(EVP_PKEY* key, const std::string& kid) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    return SignJwt(
        key, kid,
        {{"iss", kIssuer}, {"aud", kAudience}, {"sub", "alice"}, {"exp", now + 86400}, {"iat", now}});
  }

  // Verifies on another thread; the future is ready when Verify returned.
  std::future<Result<mcp::Identity>> VerifyAsync(std::string token) {
    return std::async(std::launch::async, [this, token] { return auth_->Verify(token); });
  }

  void WaitForWaiters(int n) {
    while (auth_->jwks().WaitersForTest() < n) {
      std::this_thread::yield();
    }
  }

  FakeClock clock_;
  Key old_, next_;
  GatedFetcher fetcher_;
  JwtConfig config_;
  std::unique_ptr<JwtAuthenticator> auth_;
};

TEST_F(JwksCacheTest, StalledFetchDelaysNoTokenWithACachedKeyAndIsShared) {
  MakeAuth();
  ASSERT_TRUE(auth_->Verify(Token(old_.get(), "old")).ok());
  ASSERT_EQ(fetcher_.calls(), 1);

  // The issuer rotates; its key server stalls on the refetch the new kid triggers.
  clock_.Advance(config_.min_refetch_interval);
  fetcher_.Block();
  auto first = VerifyAsync(Token(next_.get(), "next"));
  fetcher_.WaitUntilInside();

  // A token under the cached key is verified while the fetch hangs.
  auto cached = VerifyAsync(Token(old_.get(), "old"));
  ASSERT_EQ(cached.wait_for(kHang), std::future_status::ready) << "a stalled JWKS fetch blocked a cached key";
  auto r = cached.get();
  EXPECT_TRUE(r.ok()) << r.error().message;

  // A second token needing the new key waits for the same fetch instead of starting one.
  auto second = VerifyAsync(Token(next_.get(), "next"));
  WaitForWaiters(2);
  EXPECT_EQ(fetcher_.calls(), 2);
  EXPECT_EQ(auth_->jwks().fetch_count(), 2);

  fetcher_.Set(Json::array({PublicJwk(old_.get(), "old"), PublicJwk(next_.get(), "next")}));
  fetcher_.Release();
  for (auto* f : {&first, &second}) {
    ASSERT_EQ(f->wait_for(kHang), std::future_status::ready);
    auto v = f->get();
    EXPECT_TRUE(v.ok()) << v.error().message;
  }
  EXPECT_EQ(fetcher_.calls(), 2);
}

TEST_F(JwksCacheTest, ColdStartMakesOneFetchForEveryone) {
  MakeAuth();
  fetcher_.Block();
  auto a = VerifyAsync(Token(old_.get(), "old"));
  auto b = VerifyAsync(Token(old_.get(), "old"));
  auto c = VerifyAsync(Token(old_.get(), "old"));
  WaitForWaiters(3);
  fetcher_.WaitUntilInside();
  EXPECT_EQ(fetcher_.calls(), 1);
  EXPECT_EQ(auth_->jwks().fetch_count(), 1);
  fetcher_.Release();
  for (auto* f : {&a, &b, &c}) {
    ASSERT_EQ(f->wait_for(kHang), std::future_status::ready);
    auto v = f->get();
    EXPECT_TRUE(v.ok()) << v.error().message;
  }
  EXPECT_EQ(fetcher_.calls(), 1);
}

TEST_F(JwksCacheTest, ExpiredKeySetIsRefreshedInTheBackground) {
  MakeAuth();
  ASSERT_TRUE(auth_->Verify(Token(old_.get(), "old")).ok());
  clock_.Advance(config_.jwks_ttl);
  fetcher_.Block();
  // The cached key still answers at once; the refresh it triggers runs meanwhile.
  auto cached = VerifyAsync(Token(old_.get(), "old"));
  ASSERT_EQ(cached.wait_for(kHang), std::future_status::ready);
  EXPECT_TRUE(cached.get().ok());
  fetcher_.WaitUntilInside();
  EXPECT_EQ(fetcher_.calls(), 2);

  // The refreshed set drops the old key (revoked): once the fetch lands, it is no longer accepted.
  fetcher_.Set(Json::array({PublicJwk(next_.get(), "next")}));
  fetcher_.Release();
  auto r = auth_->Verify(Token(next_.get(), "next"));  // waits for the fetch in flight if need be
  EXPECT_TRUE(r.ok()) << r.error().message;
  auto revoked = auth_->Verify(Token(old_.get(), "old"));
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(fetcher_.calls(), 2);  // within the refetch interval: no new fetch for the unknown kid
}

TEST_F(JwksCacheTest, WaitForAMissingKeyIsBounded) {
  config_.jwks_fetch_wait = 0ms;
  MakeAuth();
  fetcher_.Block();
  auto r = auth_->Verify(Token(old_.get(), "old"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(auth_->jwks().fetch_count(), 1);  // started (its thread may not be inside the fetcher yet)
}

}  // namespace
}  // namespace lmcp::transport
