#include "aws/credentials_chain.h"

#include <gtest/gtest.h>

#include "aws/url.h"
#include "common/iso8601.h"
#include "tests/support/aws/fake_http_client.h"
#include "tests/support/aws/test_util.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::aws {
namespace {

using namespace std::chrono_literals;
using testing::MapEnv;
using testing::ScratchDir;

std::string AssumeRoleXml(const std::string& action, const std::string& key, const std::string& expiration) {
  return "<" + action + "Response><" + action + "Result><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>secret-" + key + "</SecretAccessKey><SessionToken>token-" + key +
         "</SessionToken><Expiration>" + expiration + "</Expiration></Credentials></" + action + "Result></" +
         action + "Response>";
}

std::string FormValue(const std::string& body, const std::string& key) {
  for (const auto& [k, v] : ParseQuery(body)) {
    if (k == key) {
      return v;
    }
  }
  return "<absent>";
}

class ChainTest : public ::testing::Test {
 protected:
  Result<std::shared_ptr<CredentialsProvider>> Resolve(std::map<std::string, std::string> env,
                                                       const std::string& config = "",
                                                       const std::string& credentials = "",
                                                       std::optional<std::string> explicit_profile = {}) {
    env.emplace("AWS_CONFIG_FILE", dir_.Write("config", config));
    env.emplace("AWS_SHARED_CREDENTIALS_FILE", dir_.Write("credentials", credentials));
    env.emplace("HOME", dir_.path());
    env.emplace("AWS_EC2_METADATA_DISABLED", "true");
    if (env["AWS_EC2_METADATA_DISABLED"] == "false") {
      env.erase("AWS_EC2_METADATA_DISABLED");
    }
    EnvLookup lookup = MapEnv(env);
    auto profile = ProfileConfig::Load(lookup, explicit_profile);
    if (!profile.ok()) {
      return profile.error();
    }
    config_ = *profile;
    return ResolveCredentialsChain(
        *config_, CredentialsChainOptions{.env = lookup,
                                          .http = &http_,
                                          .clock = &clock_,
                                          .run_process = runner_,
                                          .retry = nullptr,
                                          .profile_chosen_explicitly = explicit_profile.has_value()});
  }

  ScratchDir dir_;
  FakeHttpClient http_;
  FakeClock clock_{testing::kAwsTestStart, FakeClock::SleepMode::kAdvance};
  ProcessRunner runner_;
  std::optional<ProfileConfig> config_;
};

TEST_F(ChainTest, EnvironmentKeys) {
  auto p =
      Resolve({{"AWS_ACCESS_KEY_ID", "AKENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_SESSION_TOKEN", "t"}});
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  auto c = (*p)->GetCredentials();
  EXPECT_EQ(c->access_key_id, "AKENV");
  EXPECT_EQ(c->session_token, "t");
  EXPECT_EQ((*p)->source(), "environment");
  auto legacy = Resolve({{"AWS_ACCESS_KEY_ID", "A"},
                         {"AWS_SECRET_ACCESS_KEY", "s"},
                         {"AWS_SESSION_TOKEN", "t"},
                         {"AWS_SECURITY_TOKEN", "legacy"}});
  EXPECT_EQ((*legacy)->GetCredentials()->session_token, "legacy");
}

TEST_F(ChainTest, NoProfileFilesIsNotAnErrorWhenEnvironmentHasKeys) {
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "A"},
                                            {"AWS_SECRET_ACCESS_KEY", "s"},
                                            {"AWS_CONFIG_FILE", "/nonexistent/config"},
                                            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"}};
  auto p = Resolve(env);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ((*p)->GetCredentials()->access_key_id, "A");
}

TEST_F(ChainTest, KeyWithoutSecretIsAnErrorSecretAloneIgnored) {
  auto p = Resolve({{"AWS_ACCESS_KEY_ID", "A"}});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  auto none = Resolve({{"AWS_SECRET_ACCESS_KEY", "s"}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(none.error().message.find("Unable to locate credentials"), std::string::npos);
}

TEST_F(ChainTest, EnvironmentWithExpirationRefreshes) {
  auto p = Resolve({{"AWS_ACCESS_KEY_ID", "A"},
                    {"AWS_SECRET_ACCESS_KEY", "s"},
                    {"AWS_CREDENTIAL_EXPIRATION", FormatIso8601(clock_.Now() + 2h)}});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE((*p)->GetCredentials()->expiration.has_value());
  EXPECT_FALSE(Resolve({{"AWS_ACCESS_KEY_ID", "A"},
                        {"AWS_SECRET_ACCESS_KEY", "s"},
                        {"AWS_CREDENTIAL_EXPIRATION", "tomorrow"}})
                   .ok());
}

TEST_F(ChainTest, ExplicitProfileSkipsEnvironmentButAwsProfileDoesNot) {
  std::string creds = "[dev]\naws_access_key_id = AKFILE\naws_secret_access_key = s\n";
  auto by_env = Resolve(
      {{"AWS_ACCESS_KEY_ID", "AKENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_PROFILE", "dev"}}, "", creds);
  EXPECT_EQ((*by_env)->GetCredentials()->access_key_id, "AKENV");
  auto explicit_profile =
      Resolve({{"AWS_ACCESS_KEY_ID", "AKENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}}, "", creds, "dev");
  EXPECT_EQ((*explicit_profile)->GetCredentials()->access_key_id, "AKFILE");
}

TEST_F(ChainTest, MissingNamedProfileIsAnError) {
  auto p = Resolve({{"AWS_PROFILE", "nope"}, {"AWS_ACCESS_KEY_ID", "A"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "The config profile (nope) could not be found");
}

TEST_F(ChainTest, CredentialsFileThenProcessThenConfigFile) {
  std::string config =
      "[default]\naws_access_key_id = AKCONFIG\naws_secret_access_key = s\ncredential_process = my-helper "
      "--x\n";
  runner_ = [](const std::vector<std::string>& argv) -> Result<ProcessOutput> {
    EXPECT_EQ(argv, (std::vector<std::string>{"my-helper", "--x"}));
    return ProcessOutput{0, R"({"Version":1,"AccessKeyId":"AKPROC","SecretAccessKey":"s"})", ""};
  };
  auto file = Resolve({}, config,
                      "[default]\naws_access_key_id = AKCREDS\naws_secret_access_key = s\n"
                      "aws_security_token = tok\n");
  EXPECT_EQ((*file)->GetCredentials()->access_key_id, "AKCREDS");
  EXPECT_EQ((*file)->GetCredentials()->session_token, "tok");
  auto process = Resolve({}, config, "");
  EXPECT_EQ((*process)->GetCredentials()->access_key_id, "AKPROC");
  auto config_only = Resolve({}, "[default]\naws_access_key_id = AKCONFIG\naws_secret_access_key = s\n", "");
  EXPECT_EQ((*config_only)->GetCredentials()->access_key_id, "AKCONFIG");
  EXPECT_EQ((*config_only)->source(), "config file");
}

TEST_F(ChainTest, CredentialProcessFailures) {
  std::string config = "[default]\ncredential_process = \"/opt/my tool\" 'a b' c\\ d\n";
  std::vector<std::string> seen;
  runner_ = [&](const std::vector<std::string>& argv) -> Result<ProcessOutput> {
    seen = argv;
    return ProcessOutput{2, "", "token expired"};
  };
  auto failed = Resolve({}, config);
  EXPECT_EQ(seen, (std::vector<std::string>{"/opt/my tool", "a b", "c d"}));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("token expired"), std::string::npos);
  runner_ = [](const std::vector<std::string>&) -> Result<ProcessOutput> {
    return ProcessOutput{0, R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"})", ""};
  };
  EXPECT_FALSE(Resolve({}, config).ok());
  int calls = 0;
  runner_ = [&](const std::vector<std::string>&) -> Result<ProcessOutput> {
    ++calls;
    return ProcessOutput{
        0,
        R"({"Version":1,"AccessKeyId":"A)" + std::to_string(calls) +
            R"(","SecretAccessKey":"s","SessionToken":"t","Expiration":"2027-02-15T08:00:00Z"})",
        ""};
  };
  clock_.Advance(std::chrono::seconds(0));
  auto expiring = Resolve({}, config);
  ASSERT_TRUE(expiring.ok());
  EXPECT_EQ((*expiring)->GetCredentials()->access_key_id, "A1");
  EXPECT_EQ(calls, 1);
}

TEST_F(ChainTest, RealCredentialProcess) {
  runner_ = nullptr;  // the real RunProcess
  std::string script = dir_.Write(
      "helper.sh",
      "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKSH\", \"SecretAccessKey\": \"'\"$1\"'\"}'\n");
  auto p = Resolve({}, "[default]\ncredential_process = /bin/sh " + script + " sec\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ((*p)->GetCredentials()->access_key_id, "AKSH");
  EXPECT_EQ((*p)->GetCredentials()->secret_access_key, "sec");
  auto missing = Resolve({}, "[default]\ncredential_process = /nonexistent/helper\n");
  EXPECT_FALSE(missing.ok());
  auto failing = Resolve({}, "[default]\ncredential_process = /bin/sh -c 'echo broken >&2; exit 3'\n");
  ASSERT_FALSE(failing.ok());
  EXPECT_NE(failing.error().message.find("broken"), std::string::npos);
}

class AssumeRoleTest : public ChainTest {
 protected:
  void SetUp() override {
    http_.SetHandler([this](const HttpRequest& req) -> HttpResult {
      auto url = ParseUrl(req.url);
      EXPECT_EQ(url->host, "sts.eu-west-1.amazonaws.com");
      std::string auth = FindHeader(req.headers, "authorization");
      std::string akid = auth.substr(auth.find("Credential=") + 11);
      akid = akid.substr(0, akid.find('/'));
      signers_.push_back(akid);
      auto ok = Verify(
          req,
          [](const std::string& id) -> std::optional<Credentials> {
            if (id == "AKBASE") {
              return Credentials{"AKBASE", "base-secret"};
            }
            if (id.starts_with("ASIA")) {
              return Credentials{id, "secret-" + id, "token-" + id};
            }
            return std::nullopt;
          },
          clock_.Now());
      EXPECT_TRUE(ok.ok()) << ok.error().ToString();
      bodies_.push_back(req.body);
      std::string key = "ASIA" + std::to_string(bodies_.size());
      return HttpResponse{200, {}, AssumeRoleXml("AssumeRole", key, FormatIso8601(clock_.Now() + 1h))};
    });
  }
  std::vector<std::string> signers_;
  std::vector<std::string> bodies_;
};

TEST_F(AssumeRoleTest, SourceProfileWithStaticKeys) {
  std::string config =
      "[profile app]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = "
      "base\n"
      "external_id = ext-1\nduration_seconds = 1800\nrole_session_name = sess\n";
  auto p = Resolve({{"AWS_PROFILE", "app"}}, config,
                   "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = base-secret\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  auto c = (*p)->GetCredentials();
  EXPECT_EQ(c->access_key_id, "ASIA1");
  EXPECT_EQ(c->session_token, "token-ASIA1");
  ASSERT_EQ(bodies_.size(), 1u);
  EXPECT_EQ(signers_[0], "AKBASE");
  EXPECT_EQ(FormValue(bodies_[0], "Action"), "AssumeRole");
  EXPECT_EQ(FormValue(bodies_[0], "RoleArn"), "arn:aws:iam::123456789012:role/app");
  EXPECT_EQ(FormValue(bodies_[0], "RoleSessionName"), "sess");
  EXPECT_EQ(FormValue(bodies_[0], "ExternalId"), "ext-1");
  EXPECT_EQ(FormValue(bodies_[0], "DurationSeconds"), "1800");
  // Refresh ahead of expiry: one more AssumeRole after 50 minutes.
  clock_.Advance(50min);
  EXPECT_EQ((*p)->GetCredentials()->access_key_id, "ASIA2");
}

TEST_F(AssumeRoleTest, ChainedRolesAndDefaults) {
  std::string config =
      "[profile a]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = base\n";
  auto p = Resolve({{"AWS_PROFILE", "a"}}, config,
                   "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = base-secret\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ((*p)->GetCredentials()->access_key_id, "ASIA2");
  ASSERT_EQ(bodies_.size(), 2u);
  EXPECT_EQ(FormValue(bodies_[0], "RoleArn"), "arn:aws:iam::1:role/b");
  EXPECT_EQ(signers_[1], "ASIA1");  // role a assumed with role b's credentials
  EXPECT_TRUE(FormValue(bodies_[1], "RoleSessionName").starts_with("botocore-session-"));
  EXPECT_EQ(FormValue(bodies_[1], "DurationSeconds"), "3600");
}

TEST_F(AssumeRoleTest, LoopsAreDetectedSelfWithKeysIsFine) {
  std::string loop =
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n";
  auto p = Resolve({{"AWS_PROFILE", "a"}}, loop);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("Infinite loop"), std::string::npos);
  std::string self =
      "[profile s]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = s\n";
  auto ok = Resolve({{"AWS_PROFILE", "s"}}, self,
                    "[s]\naws_access_key_id = AKBASE\naws_secret_access_key = base-secret\n");
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(signers_.back(), "AKBASE");
}

TEST_F(AssumeRoleTest, CredentialSourceAndConflicts) {
  std::string config =
      "[profile env]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\n"
      "[profile both]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\nsource_profile = "
      "env\n"
      "[profile neither]\nrole_arn = arn:aws:iam::1:role/x\n"
      "[profile mfa]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = env\nmfa_serial = arn:mfa\n";
  auto p = Resolve(
      {{"AWS_PROFILE", "env"}, {"AWS_ACCESS_KEY_ID", "AKBASE"}, {"AWS_SECRET_ACCESS_KEY", "base-secret"}},
      config, "", "env");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(signers_.back(), "AKBASE");
  EXPECT_FALSE(Resolve({}, config, "", "both").ok());
  EXPECT_FALSE(Resolve({}, config, "", "neither").ok());
  EXPECT_FALSE(Resolve({}, config, "", "mfa").ok());
}

TEST_F(ChainTest, AssumeRoleFailureIsAnErrorNotAFallThrough) {
  http_.PushResponse(
      403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>nope</Message></Error></ErrorResponse>");
  auto p = Resolve({{"AWS_PROFILE", "app"}}, "[profile app]\nrole_arn = arn:r\nsource_profile = base\n",
                   "[base]\naws_access_key_id = A\naws_secret_access_key = s\n[app]\naws_access_key_id = X\n"
                   "aws_secret_access_key = y\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("AccessDenied"), std::string::npos);
}

TEST_F(ChainTest, WebIdentityFromEnvironmentRereadsTokenFile) {
  std::string token = dir_.Write("token", "jwt-1\n");
  std::vector<std::string> tokens;
  http_.SetHandler([&](const HttpRequest& req) -> HttpResult {
    EXPECT_FALSE(HasHeader(req.headers, "authorization"));
    EXPECT_EQ(ParseUrl(req.url)->host, "127.0.0.1");  // AWS_ENDPOINT_URL_STS honoured
    tokens.push_back(FormValue(req.body, "WebIdentityToken"));
    EXPECT_EQ(FormValue(req.body, "RoleSessionName"), "web");
    return HttpResponse{
        200, {}, AssumeRoleXml("AssumeRoleWithWebIdentity", "ASIAW", FormatIso8601(clock_.Now() + 1h))};
  });
  auto p = Resolve({{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                    {"AWS_ROLE_ARN", "arn:aws:iam::1:role/w"},
                    {"AWS_ROLE_SESSION_NAME", "web"},
                    {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"}});
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ((*p)->GetCredentials()->access_key_id, "ASIAW");
  dir_.Write("token", "jwt-2");
  clock_.Advance(55min);
  ASSERT_TRUE((*p)->GetCredentials().ok());
  EXPECT_EQ(tokens, (std::vector<std::string>{"jwt-1", "jwt-2"}));
}

TEST_F(ChainTest, WebIdentityFromProfile) {
  std::string token = dir_.Write("token", "jwt");
  http_.PushResponse(200, AssumeRoleXml("AssumeRoleWithWebIdentity", "ASIAP", "2030-01-01T00:00:00Z"));
  auto p =
      Resolve({}, "[default]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = " + token + "\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ((*p)->GetCredentials()->access_key_id, "ASIAP");
}

TEST_F(ChainTest, SsoFromTokenCache) {
  std::string config =
      "[default]\nsso_session = my-sso\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
      "[sso-session my-sso]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = eu-central-1\n";
  auto missing = Resolve({}, config);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("aws sso login"), std::string::npos);

  // sha1("my-sso")
  dir_.Write(".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json",
             R"({"accessToken":"sso-token","expiresAt":")" + FormatIso8601(clock_.Now() + 8h) + R"("})");
  http_.SetHandler([&](const HttpRequest& req) -> HttpResult {
    EXPECT_EQ(req.url,
              "https://portal.sso.eu-central-1.amazonaws.com/federation/"
              "credentials?role_name=Dev&account_id=111122223333");
    EXPECT_EQ(FindHeader(req.headers, "x-amz-sso_bearer_token"), "sso-token");
    EXPECT_FALSE(HasHeader(req.headers, "authorization"));
    long long ms =
        std::chrono::duration_cast<std::chrono::milliseconds>((clock_.Now() + 1h).time_since_epoch()).count();
    return HttpResponse{
        200,
        {},
        R"({"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s","sessionToken":"t","expiration":)" +
            std::to_string(ms) + "}}"};
  });
  auto p = Resolve({}, config);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  auto c = (*p)->GetCredentials();
  EXPECT_EQ(c->access_key_id, "ASIASSO");
  EXPECT_EQ(*c->expiration, clock_.Now() + 1h);
}

TEST_F(ChainTest, LegacySsoAndExpiredToken) {
  std::string config =
      "[default]\nsso_start_url = https://d-legacy.awsapps.com/start\nsso_region = us-east-1\n"
      "sso_account_id = 1\nsso_role_name = R\n";
  // sha1 of the start URL
  dir_.Write(".aws/sso/cache/76079c82af8bdf7e8bcf07e051b31cb670227b1d.json",
             R"({"accessToken":"x","expiresAt":")" + FormatIso8601(clock_.Now() - 1min) + R"("})");
  auto p = Resolve({}, config);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("expired"), std::string::npos);
  EXPECT_EQ(http_.request_count(), 0u);
  EXPECT_FALSE(Resolve({}, "[default]\nsso_start_url = https://x\n").ok());  // incomplete
}

TEST_F(ChainTest, ContainerRelativeUriWithTokenFile) {
  std::string token_file = dir_.Write("ecs-token", "from-file\n");
  http_.SetHandler([&](const HttpRequest& req) -> HttpResult {
    EXPECT_EQ(req.url, "http://169.254.170.2/v2/credentials/abc");
    EXPECT_EQ(FindHeader(req.headers, "authorization"), "from-file");
    return HttpResponse{200,
                        {},
                        R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":")" +
                            FormatIso8601(clock_.Now() + 6h) + R"("})"};
  });
  auto p = Resolve({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"},
                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file},
                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env"}});
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ((*p)->GetCredentials()->access_key_id, "ASIAECS");
  EXPECT_EQ((*p)->GetCredentials()->session_token, "t");
}

TEST_F(ChainTest, ContainerFullUriRulesAndRetries) {
  EXPECT_FALSE(Resolve({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}).ok());
  EXPECT_FALSE(Resolve({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/c"},
                        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nInjected: x"}})
                   .ok());
  http_.PushError(HttpErrorKind::kConnectFailed);
  http_.PushResponse(500, "");
  http_.PushResponse(200, R"({"AccessKeyId":"A","SecretAccessKey":"s","Token":"t"})");
  auto p = Resolve({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/c"},
                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"}});
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(http_.request_count(), 3u);
  EXPECT_EQ(FindHeader(http_.last_request().headers, "authorization"), "tok");
  for (int i = 0; i < 3; ++i) {
    http_.PushError(HttpErrorKind::kConnectFailed);
  }
  EXPECT_FALSE(Resolve({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com/c"}}).ok());
}

class ImdsTest : public ChainTest {
 protected:
  void Serve(int token_status) {
    http_.SetHandler([this, token_status](const HttpRequest& req) -> HttpResult {
      paths_.push_back(req.method + " " + ParseUrl(req.url)->path +
                       " token=" + FindHeader(req.headers, "x-aws-ec2-metadata-token"));
      if (req.method == "PUT") {
        EXPECT_EQ(FindHeader(req.headers, "x-aws-ec2-metadata-token-ttl-seconds"), "21600");
        return HttpResponse{token_status, {}, token_status == 200 ? "imds-token" : ""};
      }
      if (req.url.ends_with("/security-credentials/")) {
        return HttpResponse{200, {}, "my-role"};
      }
      return HttpResponse{200,
                          {},
                          R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS",)"
                          R"("SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"})"};
    });
  }
  std::vector<std::string> paths_;
};

TEST_F(ImdsTest, V2) {
  Serve(200);
  auto p = Resolve({{"AWS_EC2_METADATA_DISABLED", "false"}});
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ((*p)->GetCredentials()->access_key_id, "ASIAIMDS");
  EXPECT_EQ(
      paths_,
      (std::vector<std::string>{
          "PUT /latest/api/token token=", "GET /latest/meta-data/iam/security-credentials/ token=imds-token",
          "GET /latest/meta-data/iam/security-credentials/my-role token=imds-token"}));
  EXPECT_TRUE(http_.last_request().url.starts_with("http://169.254.169.254/"));
}

TEST_F(ImdsTest, V1FallbackAndItsSwitch) {
  Serve(403);
  auto p = Resolve({{"AWS_EC2_METADATA_DISABLED", "false"}});
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(paths_.back(), "GET /latest/meta-data/iam/security-credentials/my-role token=");
  auto v1_off = Resolve({{"AWS_EC2_METADATA_DISABLED", "false"}, {"AWS_EC2_METADATA_V1_DISABLED", "true"}});
  EXPECT_FALSE(v1_off.ok());
  Serve(400);
  EXPECT_FALSE(Resolve({{"AWS_EC2_METADATA_DISABLED", "false"}}).ok());
}

TEST_F(ImdsTest, UnreachableMeansNoCredentialsAndEndpointOverride) {
  auto p = Resolve(
      {{"AWS_EC2_METADATA_DISABLED", "false"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:7/"}});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("Unable to locate credentials"), std::string::npos);
  EXPECT_TRUE(http_.last_request().url.starts_with("http://127.0.0.1:7/latest/api/token"));
  std::size_t before = http_.request_count();
  EXPECT_FALSE(Resolve({}).ok());  // AWS_EC2_METADATA_DISABLED=true: IMDS not even tried
  EXPECT_EQ(http_.request_count(), before);
}

}  // namespace
}  // namespace lmcp::aws
