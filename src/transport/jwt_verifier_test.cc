#include "transport/jwt_verifier.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "common/base64.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/loopback.h"
#include "tests/support/transport/http_test_util.h"
#include "transport/http_server.h"

namespace lmcp::transport {
namespace {

using testing::Key;
using testing::PublicJwk;
using testing::SignJwt;
using Json = nlohmann::json;

constexpr char kIssuer[] = "https://auth.example.com";
constexpr char kAudience[] = "http://127.0.0.1/mcp";

// A JWKS endpoint on port 0 whose key set the test can swap (key rotation).
class JwksServer {
 public:
  JwksServer() {
    server_.Get("/jwks", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ++hits_;
      res.set_content(jwks_.dump(), "application/json");
    });
    running_ = std::make_unique<test_support::HttplibOnLoopback>(server_);
  }
  void Set(Json keys) {
    std::lock_guard lock(mu_);
    jwks_ = {{"keys", std::move(keys)}};
  }
  int hits() {
    std::lock_guard lock(mu_);
    return hits_;
  }
  std::string url() const { return running_->url("/jwks"); }

 private:
  httplib::Server server_;
  std::mutex mu_;
  Json jwks_ = {{"keys", Json::array()}};
  int hits_ = 0;
  std::unique_ptr<test_support::HttplibOnLoopback> running_;  // last: stops the server before the rest goes
};

// Fetches the JWKS over cpp-httplib (production passes a fetcher over the aws layer's client, wired in app/).
class HttplibJwksFetcher final : public JwksFetcher {
 public:
  Result<std::string> Fetch(const std::string& url) override {
    auto slash = url.find('/', url.find("://") + 3);
    httplib::Client client(url.substr(0, slash));
    client.set_connection_timeout(3, 0);
    client.set_read_timeout(5, 0);
    auto res = client.Get(slash == std::string::npos ? "/" : url.substr(slash));
    if (!res) {
      return Error::Unavailable("JWKS fetch failed: " + httplib::to_string(res.error()));
    }
    if (res->status != 200) {
      return Error::Unavailable("JWKS fetch: HTTP " + std::to_string(res->status));
    }
    return res->body;
  }
};

class JwtTest : public ::testing::Test {
 protected:
  JwtTest()
      : rsa_(testing::NewRsaKey()),
        ec_(testing::NewEcKey()),
        fetcher_(std::make_unique<HttplibJwksFetcher>()) {
    jwks_.Set(Json::array({PublicJwk(rsa_.get(), "rsa-1"), PublicJwk(ec_.get(), "ec-1")}));
    config_.issuer = kIssuer;
    config_.audiences = {kAudience};
    config_.jwks_url = jwks_.url();
    config_.required_scopes = {"mcp:tools"};
    auth_ = std::make_unique<JwtAuthenticator>(config_, *fetcher_, clock_);
  }

  Json Claims() {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    return {{"iss", kIssuer},   {"aud", kAudience}, {"sub", "alice"},
            {"exp", now + 300}, {"iat", now},       {"scope", "openid mcp:tools"}};
  }

  ErrorCode CodeOf(const std::string& token) {
    auto r = auth_->Authenticate("Bearer " + token);
    return r.ok() ? ErrorCode::kInternal : r.error().code;
  }

  FakeClock clock_;
  Key rsa_, ec_;
  JwksServer jwks_;
  std::unique_ptr<JwksFetcher> fetcher_;
  JwtConfig config_;
  std::unique_ptr<JwtAuthenticator> auth_;
};

TEST_F(JwtTest, Base64Url) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(*Base64UrlDecode("aGk="), "hi");
  EXPECT_FALSE(Base64UrlDecode("a").ok());
  EXPECT_FALSE(Base64UrlDecode("a*b").ok());
}

TEST_F(JwtTest, AcceptsValidRs256AndEs256) {
  auto r = auth_->Authenticate("Bearer " + SignJwt(rsa_.get(), "rsa-1", Claims()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "oauth:alice");
  auto e = auth_->Authenticate("Bearer " + SignJwt(ec_.get(), "ec-1", Claims()));
  ASSERT_TRUE(e.ok()) << e.error().message;
  // scp as an array also carries scopes; aud may be an array.
  Json c = Claims();
  c.erase("scope");
  c["scp"] = {"mcp:tools"};
  c["aud"] = {"other", kAudience};
  EXPECT_TRUE(auth_->Verify(SignJwt(rsa_.get(), "rsa-1", c)).ok());
  EXPECT_EQ(auth_->jwks().fetch_count(), 1);  // cached
}

TEST_F(JwtTest, IdentityCarriesScopesAndEveryVerifiedClaim) {
  Json c = Claims();
  c["client_id"] = "desktop-app";
  c["groups"] = {"crm", "finance"};
  auto r = auth_->Verify(SignJwt(rsa_.get(), "rsa-1", c));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "oauth:alice");
  EXPECT_EQ(r->scopes, (std::vector<std::string>{"mcp:tools", "openid"}));
  EXPECT_EQ(r->claims, c);
  EXPECT_EQ(r->claims["client_id"], "desktop-app");
  // Without a sub, the client_id names the principal.
  c.erase("sub");
  c["scp"] = {"mcp:tools", "crm:write"};
  c.erase("scope");
  auto machine = auth_->Verify(SignJwt(rsa_.get(), "rsa-1", c));
  ASSERT_TRUE(machine.ok()) << machine.error().message;
  EXPECT_EQ(machine->name, "oauth:desktop-app");
  EXPECT_EQ(machine->scopes, (std::vector<std::string>{"crm:write", "mcp:tools"}));
}

TEST_F(JwtTest, RejectsBadTokens) {
  EXPECT_EQ(auth_->Authenticate("").error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(CodeOf("not-a-jwt"), ErrorCode::kUnauthenticated);
  Json c = Claims();
  c["aud"] = "https://other.example.com";
  EXPECT_EQ(CodeOf(SignJwt(rsa_.get(), "rsa-1", c)), ErrorCode::kUnauthenticated);
  c = Claims();
  c["iss"] = "https://evil.example.com";
  EXPECT_EQ(CodeOf(SignJwt(rsa_.get(), "rsa-1", c)), ErrorCode::kUnauthenticated);
  c = Claims();
  c.erase("exp");
  EXPECT_EQ(CodeOf(SignJwt(rsa_.get(), "rsa-1", c)), ErrorCode::kUnauthenticated);
  c = Claims();
  c["scope"] = "openid";
  EXPECT_EQ(CodeOf(SignJwt(rsa_.get(), "rsa-1", c)), ErrorCode::kPermissionDenied);
  // Signed by a key the JWKS does not hold, under a known kid.
  Key other = testing::NewRsaKey();
  EXPECT_EQ(CodeOf(SignJwt(other.get(), "rsa-1", Claims())), ErrorCode::kUnauthenticated);
  // alg mismatch with the key type: an EC signature under the RSA kid.
  EXPECT_EQ(CodeOf(SignJwt(ec_.get(), "rsa-1", Claims())), ErrorCode::kUnauthenticated);
  // alg "none".
  std::string none = Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(Claims().dump()) + ".";
  EXPECT_EQ(CodeOf(none), ErrorCode::kUnauthenticated);
  // Tampered claims.
  std::string good = SignJwt(rsa_.get(), "rsa-1", Claims());
  Json evil = Claims();
  evil["sub"] = "mallory";
  auto first = good.find('.'), second = good.find('.', first + 1);
  std::string tampered = good.substr(0, first + 1) + Base64UrlEncode(evil.dump()) + good.substr(second);
  EXPECT_EQ(CodeOf(tampered), ErrorCode::kUnauthenticated);
}

TEST_F(JwtTest, NonStringAlgIsUnauthenticatedNotAnException) {
  for (Json alg : {Json(5), Json(nullptr), Json::array({"RS256"}), Json::object({{"a", 1}}), Json(true)}) {
    Json header = {{"alg", alg}, {"kid", "rsa-1"}};
    EXPECT_EQ(CodeOf(testing::SignJwtWithHeader(rsa_.get(), header, Claims())), ErrorCode::kUnauthenticated)
        << alg.dump();
  }
  Json no_alg = {{"kid", "rsa-1"}};
  EXPECT_EQ(CodeOf(testing::SignJwtWithHeader(rsa_.get(), no_alg, Claims())), ErrorCode::kUnauthenticated);
}

TEST_F(JwtTest, CritHeaderIsRefusedWhateverItNames) {
  for (Json crit : {Json::array({"exp"}), Json::array({"b64"}), Json::array(), Json("exp"), Json::array({7}),
                    Json(nullptr)}) {
    Json header = {{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", crit}, {"exp", 1}, {"b64", true}};
    EXPECT_EQ(CodeOf(testing::SignJwtWithHeader(rsa_.get(), header, Claims())), ErrorCode::kUnauthenticated)
        << crit.dump();
  }
}

TEST_F(JwtTest, TypMustNameAnAccessTokenWhenPresent) {
  for (const char* typ : {"JWT", "jwt", "at+jwt", "AT+JWT", "application/at+jwt", "application/jwt"}) {
    Json header = {{"alg", "RS256"}, {"kid", "rsa-1"}, {"typ", typ}};
    auto r = auth_->Verify(testing::SignJwtWithHeader(rsa_.get(), header, Claims()));
    EXPECT_TRUE(r.ok()) << typ << ": " << r.error().message;
  }
  Json untyped = {{"alg", "RS256"}, {"kid", "rsa-1"}};
  EXPECT_TRUE(auth_->Verify(testing::SignJwtWithHeader(rsa_.get(), untyped, Claims())).ok());
  for (Json typ : {Json("dpop+jwt"), Json("logout+jwt"), Json("secevent+jwt"), Json(""), Json(1)}) {
    Json header = {{"alg", "RS256"}, {"kid", "rsa-1"}, {"typ", typ}};
    EXPECT_EQ(CodeOf(testing::SignJwtWithHeader(rsa_.get(), header, Claims())), ErrorCode::kUnauthenticated)
        << typ.dump();
  }
}

TEST_F(JwtTest, ErrorMessagesCarryNoRawControlCharacters) {
  Json header = {{"alg", "RS256\n[info] forged\x1b[2J"}, {"kid", "rsa-1"}};
  auto r = auth_->Verify(testing::SignJwtWithHeader(rsa_.get(), header, Claims()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("\\x0A"), std::string::npos) << r.error().message;
}

TEST_F(JwtTest, PrincipalEscapesControlCharactersOfTheSubject) {
  Json c = Claims();
  c["sub"] = "alice\n2026-01-01 info forged\x1b[2J\\";
  auto r = auth_->Verify(SignJwt(rsa_.get(), "rsa-1", c));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "oauth:alice\\x0A2026-01-01 info forged\\x1B[2J\\\\");
}

TEST(JwksTest, ParsesKeySetsAndSkipsBadKeysWithoutThrowing) {
  Key ec = testing::NewEcKey();
  Json good = PublicJwk(ec.get(), "ec-1");
  Json bad_crv = good;
  bad_crv["kid"] = "ec-2";
  bad_crv["crv"] = 5;
  Json bad_kty = {{"kty", 5}};
  Json enc = good;
  enc["kid"] = "ec-3";
  enc["use"] = "enc";
  auto keys = ParseJwks(Json{{"keys", {good, bad_crv, bad_kty, enc, "junk", nullptr}}}.dump());
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->count("ec-1"), 1u);
  for (std::string doc : {"", "not json", "[]", R"({"keys":{}})", R"({"keys":"x"})", "{\"keys\":[}"}) {
    EXPECT_FALSE(ParseJwks(doc).ok()) << doc;
  }
}

TEST(JwksTest, ClearTextJwksUrlOnlyOnLoopback) {
  for (const char* ok : {"https://auth.example.com/.well-known/jwks.json", "HTTPS://auth.example.com/jwks",
                         "http://127.0.0.1:8080/jwks", "http://localhost/jwks", "http://[::1]:9000/jwks",
                         "http://127.1.2.3/jwks", "http://user@127.0.0.1/jwks"}) {
    EXPECT_TRUE(CheckJwksUrl(ok).ok()) << ok;
  }
  for (const char* bad :
       {"http://auth.example.com/jwks", "http://127.0.0.1.evil.com/jwks", "http://127.0.0.1@evil.com/jwks",
        "http://10.0.0.1/jwks", "ftp://auth.example.com/jwks", "file:///etc/passwd", "", "https://"}) {
    Status s = CheckJwksUrl(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find(bad), std::string::npos) << s.error().message;
  }
  JwtConfig config;
  config.issuer = kIssuer;
  config.audiences = {kAudience};
  config.jwks_url = "http://auth.example.com/jwks";
  auto auth = NewJwtAuthenticator(config, std::make_unique<HttplibJwksFetcher>(), Clock::System());
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(auth.error().message.find("http://auth.example.com/jwks"), std::string::npos);
}

TEST_F(JwtTest, ExpiryUsesInjectedClock) {
  std::string token = SignJwt(rsa_.get(), "rsa-1", Claims());  // exp = now + 300
  EXPECT_TRUE(auth_->Verify(token).ok());
  clock_.Advance(std::chrono::seconds(300 + 30));  // within the 60 s leeway
  EXPECT_TRUE(auth_->Verify(token).ok());
  clock_.Advance(std::chrono::seconds(60));
  auto r = auth_->Verify(token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "token expired");
}

TEST_F(JwtTest, UnknownKidRefetchesForRotationWithRateLimit) {
  ASSERT_TRUE(auth_->Verify(SignJwt(rsa_.get(), "rsa-1", Claims())).ok());
  EXPECT_EQ(jwks_.hits(), 1);
  // The issuer rotates to a new key.
  Key next = testing::NewRsaKey();
  jwks_.Set(Json::array({PublicJwk(next.get(), "rsa-2")}));
  clock_.Advance(config_.min_refetch_interval);
  auto r = auth_->Verify(SignJwt(next.get(), "rsa-2", Claims()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(jwks_.hits(), 2);
  // Unknown kids do not hammer the JWKS endpoint: at most one refetch per interval.
  EXPECT_EQ(CodeOf(SignJwt(next.get(), "bogus-1", Claims())), ErrorCode::kUnauthenticated);
  EXPECT_EQ(CodeOf(SignJwt(next.get(), "bogus-2", Claims())), ErrorCode::kUnauthenticated);
  EXPECT_EQ(jwks_.hits(), 2);
  clock_.Advance(config_.min_refetch_interval);
  EXPECT_EQ(CodeOf(SignJwt(next.get(), "bogus-3", Claims())), ErrorCode::kUnauthenticated);
  EXPECT_EQ(jwks_.hits(), 3);
}

TEST_F(JwtTest, UnreachableJwksIsUnavailable) {
  JwtConfig config = config_;
  config.jwks_url = "http://127.0.0.1:1/jwks";
  JwtAuthenticator auth(config, *fetcher_, clock_);
  auto r = auth.Verify(SignJwt(rsa_.get(), "rsa-1", Claims()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

TEST_F(JwtTest, HttpServerChallengesAndServesResourceMetadata) {
  testing::FakeSessions fakes;
  HttpServerDeps deps;
  deps.session_factory = fakes.Factory();
  deps.authenticator = std::shared_ptr<Authenticator>(auth_.get(), [](Authenticator*) {});
  deps.clock = &clock_;
  HttpServer server(HttpServerOptions{}, deps);
  ASSERT_TRUE(server.Start().ok());
  httplib::Client c("127.0.0.1", server.port());
  std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  Json init = {{"jsonrpc", "2.0"},
               {"id", 1},
               {"method", "initialize"},
               {"params",
                {{"protocolVersion", "2025-11-25"},
                 {"capabilities", Json::object()},
                 {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}};
  httplib::Headers h = {{"Accept", "application/json, text/event-stream"}};

  auto r = c.Post("/mcp", h, init.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  std::string challenge = r->get_header_value("WWW-Authenticate");
  EXPECT_NE(challenge.find("resource_metadata=\"" + base + "/.well-known/oauth-protected-resource/mcp\""),
            std::string::npos)
      << challenge;
  EXPECT_NE(challenge.find("scope=\"mcp:tools\""), std::string::npos) << challenge;

  Json c2 = Claims();
  c2["exp"] = c2["exp"].get<int64_t>() - 1000;
  auto h2 = h;
  h2.emplace("Authorization", "Bearer " + SignJwt(rsa_.get(), "rsa-1", c2));
  r = c.Post("/mcp", h2, init.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);

  Json c3 = Claims();
  c3["scope"] = "openid";
  auto h3 = h;
  h3.emplace("Authorization", "Bearer " + SignJwt(rsa_.get(), "rsa-1", c3));
  r = c.Post("/mcp", h3, init.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("error=\"insufficient_scope\""), std::string::npos);

  auto h4 = h;
  h4.emplace("Authorization", "Bearer " + SignJwt(ec_.get(), "ec-1", Claims()));
  r = c.Post("/mcp", h4, init.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(fakes.last()->options().principal, "oauth:alice");
  ASSERT_NE(fakes.last()->options().identity, nullptr);  // the session gets the token's identity
  EXPECT_EQ(fakes.last()->options().identity->claims["sub"], "alice");
  EXPECT_EQ(fakes.last()->options().identity->scopes, (std::vector<std::string>{"mcp:tools", "openid"}));

  for (std::string path :
       {"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"}) {
    auto m = c.Get(path);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->status, 200);
    auto md = Json::parse(m->body);
    EXPECT_EQ(md["resource"], base + "/mcp");
    EXPECT_EQ(md["authorization_servers"][0], kIssuer);
    EXPECT_EQ(md["scopes_supported"][0], "mcp:tools");
  }
  server.Stop();
}

}  // namespace
}  // namespace lmcp::transport
