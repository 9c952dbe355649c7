// Abuse of authentication: the OAuth and static-token items of the hardening issue, against the real binary
// on loopback. A JWKS server runs in this process (httplib on 127.0.0.1) with an EC P-256 key the test signs
// tokens with. Each test checks the HTTP answer, that the server still serves a normal call, and its RSS.

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <future>
#include <mutex>
#include <string>

#include "common/base64.h"
#include "tests/support/loopback.h"
#include "tests/support/mcp_processes.h"

namespace lmcp::test_support {
namespace {

using namespace std::chrono_literals;

constexpr long kRssSlackKb = 8 * 1024;
constexpr char kIssuer[] = "https://issuer.abuse.test";
constexpr char kAudience[] = "lambda-mcp-abuse";

// An EC P-256 signing key, its public JWK, and ES256 compact JWS.
class SigningKey {
 public:
  SigningKey() : key_(EVP_EC_gen("P-256")) {}
  ~SigningKey() { EVP_PKEY_free(key_); }

  Json Jwk(const std::string& kid) const {
    unsigned char point[65];
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(key_, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
    std::string p(reinterpret_cast<char*>(point), len);
    return {{"kty", "EC"},
            {"crv", "P-256"},
            {"kid", kid},
            {"x", Base64UrlEncode(p.substr(1, 32))},
            {"y", Base64UrlEncode(p.substr(33, 32))}};
  }

  std::string Sign(const Json& header, const Json& claims) const {
    std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_);
    size_t len = 0;
    auto* in = reinterpret_cast<const unsigned char*>(input.data());
    EVP_DigestSign(md, nullptr, &len, in, input.size());
    std::string der(len, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(der.data()), &len, in, input.size());
    EVP_MD_CTX_free(md);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return input + "." + Base64UrlEncode(raw);
  }

 private:
  EVP_PKEY* key_;
};

Json Claims(const std::string& sub = "alice") {
  long now = static_cast<long>(std::time(nullptr));
  return {{"iss", kIssuer}, {"aud", kAudience}, {"sub", sub}, {"exp", now + 3600}, {"iat", now}};
}

// A JWKS endpoint on loopback. After Stall(), every request waits inside the handler until Release().
class JwksServer {
 public:
  explicit JwksServer(Json keys) : jwks_(Json{{"keys", std::move(keys)}}.dump()) {
    server_.Get("/jwks", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mu_);
      ++hits_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !stalled_; });
      res.set_content(jwks_, "application/json");
    });
    running_ = std::make_unique<HttplibOnLoopback>(server_);
  }
  ~JwksServer() {
    Release();
    running_.reset();
  }
  std::string url() const { return running_->url("/jwks"); }
  void Stall() {
    std::lock_guard lock(mu_);
    stalled_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    stalled_ = false;
    cv_.notify_all();
  }
  // Waits (bounded) until the server has seen `n` requests.
  bool WaitForHits(int n, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return hits_ >= n; });
  }

 private:
  httplib::Server server_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stalled_ = false;
  int hits_ = 0;
  std::string jwks_;
  std::unique_ptr<HttplibOnLoopback> running_;  // last: stops the server before the rest goes
};

class AuthAbuse : public ::testing::Test {
 protected:
  AuthAbuse() : jwks_(Json::array({key_.Jwk("k1")})) {}

  std::string Name() const {
    return std::string("abuse_auth_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  // serve --http on loopback in OAuth mode against the in-process JWKS server.
  void StartOAuth(const std::vector<std::string>& extra = {}) {
    ASSERT_TRUE(endpoint_.Start(Name() + "_endpoint"));
    std::vector<std::string> args = {"--oauth-issuer",   kIssuer,    "--oauth-audience", kAudience,
                                     "--oauth-jwks-url", jwks_.url()};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(server_.Start(endpoint_, Name(), {}, args));
    token_ = key_.Sign({{"alg", "ES256"}, {"kid", "k1"}, {"typ", "JWT"}}, Claims());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(NormalHttpCallWorks(server_.url(), token_));
    }
    baseline_kb_ = RssKb(server_.child().pid());
  }
  void ExpectRecovered(const std::string& what) {
    ASSERT_TRUE(server_.child().alive()) << what << ": the server died\n" << server_.log();
    EXPECT_TRUE(NormalHttpCallWorks(server_.url(), token_)) << what;
    long rss = RssKb(server_.child().pid());
    std::printf("ABUSE %-40s RSS baseline %ld kB, after %ld kB\n", what.c_str(), baseline_kb_, rss);
    EXPECT_LE(rss, baseline_kb_ + kRssSlackKb) << what;
  }
  HttpReply Initialize(const std::string& token, std::chrono::milliseconds timeout = 30s) {
    Json init = {{"jsonrpc", "2.0"},
                 {"id", 1},
                 {"method", "initialize"},
                 {"params",
                  {{"protocolVersion", "2025-11-25"},
                   {"capabilities", Json::object()},
                   {"clientInfo", {{"name", "abuse"}, {"version", "1"}}}}}};
    return HttpExchange("POST", server_.url(),
                        {{"Accept", "application/json, text/event-stream"},
                         {"Content-Type", "application/json"},
                         {"Authorization", "Bearer " + token}},
                        init.dump(), timeout);
  }

  SigningKey key_;
  JwksServer jwks_;
  LocalEndpoint endpoint_;
  HttpServerProcess server_;
  std::string token_;
  long baseline_kb_ = 0;
};

// A JWT header whose alg is not a string was a 500 (an exception); it is a 401 like any bad token.
TEST_F(AuthAbuse, NonStringAlgIs401) {
  StartOAuth();
  for (Json alg : {Json(5), Json(nullptr), Json::array({"ES256"}), Json::object({{"x", 1}})}) {
    HttpReply r = Initialize(key_.Sign({{"alg", alg}, {"kid", "k1"}}, Claims()));
    EXPECT_EQ(r.status, 401) << alg.dump() << ": " << r.body;
  }
  HttpReply crit = Initialize(key_.Sign({{"alg", "ES256"}, {"kid", "k1"}, {"crit", {"exp"}}}, Claims()));
  EXPECT_EQ(crit.status, 401) << crit.body;
  ExpectRecovered("non-string alg");
}

// Control characters in claims (and in a rejected header) never reach the server's stderr raw.
TEST_F(AuthAbuse, ControlCharactersInClaimsAreEscapedInTheLog) {
  StartOAuth();
  const std::string forged = "\n2026-12-06T00:00:00.000 info FORGED-LINE \x1b[2J\x07";
  std::string token = key_.Sign({{"alg", "ES256"}, {"kid", "k1"}}, Claims("mallory" + forged));
  HttpReply accepted = Initialize(token);
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  HttpReply rejected =
      Initialize(key_.Sign({{"alg", "ES256" + forged}, {"kid", "k1"}}, Claims("eve" + forged)));
  EXPECT_EQ(rejected.status, 401) << rejected.body;
  std::string log = server_.log();
  EXPECT_EQ(log.find('\x1b'), std::string::npos) << "raw ESC in the server log";
  EXPECT_EQ(log.find('\x07'), std::string::npos) << "raw BEL in the server log";
  EXPECT_EQ(log.find("\n2026-12-06T00:00:00.000 info FORGED-LINE"), std::string::npos) << "a forged log line";
  ExpectRecovered("control characters in claims");
}

// While the key server hangs on a refetch (an unknown kid asked for it), a token under a cached key is
// served.
TEST_F(AuthAbuse, SlowJwksServerDoesNotStallACachedKey) {
  StartOAuth({"--oauth-jwks-refetch-interval", "0"});
  jwks_.Stall();
  SigningKey other;
  auto unknown = std::async(std::launch::async, [&] {
    return Initialize(other.Sign({{"alg", "ES256"}, {"kid", "rotated"}}, Claims()));
  });
  ASSERT_TRUE(jwks_.WaitForHits(2, 30s)) << "the unknown kid did not trigger a refetch";
  // The refetch hangs (the fetcher gives up after 5 s without progress); the cached key must not wait for it.
  HttpReply cached = Initialize(token_, 3s);
  EXPECT_EQ(cached.status, 200) << "a valid token under a cached key waited for the stalled JWKS fetch";
  jwks_.Release();
  HttpReply r = unknown.get();
  EXPECT_TRUE(r.status == 401 || r.status == 503) << r.status << " " << r.body;
  ExpectRecovered("stalled JWKS server");
}

// A weak static token: refused at start beyond loopback (here 0.0.0.0: refused before anything binds; every
// 127.0.0.0/8 address counts as loopback, so 127.0.0.2 would not do), a warning on loopback.
TEST(AuthAbuseStatic, WeakTokenIsRefusedBeyondLoopbackAndWarnedOnLoopback) {
  const std::string weak = "password12345678";
  std::map<std::string, std::string> env = {{"LAMBDA_MCP_AUTH_TOKEN", weak}, {"LAMBDA_MCP_AUDIT_LOG", "off"}};
  HttpServerProcess remote;
  ASSERT_FALSE(
      remote.StartRaw({"--conformance-fixtures", "--http", "0.0.0.0:0"}, env, "abuse_auth_weak_remote"))
      << remote.log();
  EXPECT_EQ(remote.child().Wait(30s), 2);
  std::string log = remote.log();
  EXPECT_NE(log.find("openssl rand -hex 32"), std::string::npos) << log;
  EXPECT_EQ(log.find(weak), std::string::npos) << "the token was logged";

  HttpServerProcess local;
  ASSERT_TRUE(
      local.StartRaw({"--conformance-fixtures", "--http", "127.0.0.1:0"}, env, "abuse_auth_weak_local"))
      << local.log();
  EXPECT_NE(local.log().find("looks weak"), std::string::npos) << local.log();
  EXPECT_EQ(local.log().find(weak), std::string::npos) << "the token was logged";
  McpHttpClient client(local.url(), weak);
  EXPECT_TRUE(client.Initialize().has_value());
}

}  // namespace
}  // namespace lmcp::test_support
