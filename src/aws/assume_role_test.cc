#include "aws/assume_role.h"

#include <gtest/gtest.h>

#include <atomic>

#include "aws/aws_session.h"
#include "common/iso8601.h"
#include "tests/support/aws/fake_http_client.h"
#include "tests/support/aws/test_util.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::aws {
namespace {

using namespace std::chrono_literals;

// An AwsSession whose calls go to a FakeHttpClient: STS AssumeRole answers with keys "ASIA<n>" expiring
// `duration` after the fake clock's now (or with `sts_status` and an AccessDenied body); Lambda answers an
// empty function list.
class AssumeRoleProviderTest : public ::testing::Test {
 protected:
  AssumeRoleProviderTest() {
    http_.SetHandler([this](const HttpRequest& r) -> HttpResult {
      if (r.body.find("Action=AssumeRole") != std::string::npos) {
        int n = ++sts_calls_;
        if (sts_status_ != 200) {
          return HttpResponse{
              sts_status_,
              {{"Content-Type", "text/xml"}},
              "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not "
              "allowed</Message></Error><RequestId>r1</RequestId></ErrorResponse>"};
        }
        std::string xml =
            "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA" + std::to_string(n) +
            "</AccessKeyId><SecretAccessKey>s" + std::to_string(n) + "</SecretAccessKey><SessionToken>tok" +
            std::to_string(n) + "</SessionToken><Expiration>" + FormatIso8601(clock_.Now() + duration_) +
            "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/r/s</"
            "Arn>"
            "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>";
        return HttpResponse{200, {{"Content-Type", "text/xml"}}, xml};
      }
      return HttpResponse{200, {{"Content-Type", "application/json"}}, R"({"Functions":[]})"};
    });
  }

  std::unique_ptr<AwsSession> Session(AssumeRoleOptions role) {
    AwsSessionOptions options;
    options.env = testing::MapEnv({{"AWS_CONFIG_FILE", "/nonexistent/aws-file"},
                                   {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-file"},
                                   {"AWS_MAX_ATTEMPTS", "1"},
                                   {"AWS_ENDPOINT_URL", "http://aws.test"}});
    options.region = "eu-west-1";
    options.http = &http_;
    options.clock = &clock_;
    options.credentials =
        std::make_shared<StaticCredentialsProvider>(Credentials{"AKIDSOURCE", "source-secret"}, "test");
    options.assume_role = std::move(role);
    auto s = AwsSession::Create(std::move(options));
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  std::vector<HttpRequest> Requests(bool sts) const {
    std::vector<HttpRequest> out;
    for (auto& r : http_.requests()) {
      if ((r.body.find("Action=AssumeRole") != std::string::npos) == sts) {
        out.push_back(r);
      }
    }
    return out;
  }

  FakeClock clock_{testing::kAwsTestStart, FakeClock::SleepMode::kAdvance};
  FakeHttpClient http_;
  std::atomic<int> sts_calls_{0};
  int sts_status_ = 200;
  std::chrono::seconds duration_{3600};
};

// The AssumeRole request carries the role, session name, external id and duration, signed with the source
// keys; the Lambda call after it is signed with the assumed keys and their session token. Nothing is fetched
// before the first call.
TEST_F(AssumeRoleProviderTest, SignsWithSourceThenWithAssumedRole) {
  auto session = Session({.role_arn = "arn:aws:iam::222222222222:role/mcp",
                          .external_id = "ext-1",
                          .session_name = "lambda-mcp-prod",
                          .duration = 3600s});
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(sts_calls_, 0);
  EXPECT_NE(session->credentials().source().find("assume-role arn:aws:iam::222222222222:role/mcp"),
            std::string::npos);
  auto listed = session->lambda().ListAllFunctions();
  ASSERT_TRUE(listed.ok()) << listed.error().ToString();
  auto sts = Requests(true);
  ASSERT_EQ(sts.size(), 1u);
  EXPECT_EQ(sts[0].url, "http://aws.test/");
  for (const char* part : {"RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fmcp",
                           "RoleSessionName=lambda-mcp-prod", "ExternalId=ext-1", "DurationSeconds=3600"}) {
    EXPECT_NE(sts[0].body.find(part), std::string::npos) << part << " in " << sts[0].body;
  }
  EXPECT_NE(FindHeader(sts[0].headers, "Authorization").find("Credential=AKIDSOURCE/"), std::string::npos);
  EXPECT_NE(FindHeader(sts[0].headers, "Authorization").find("/eu-west-1/sts/aws4_request"),
            std::string::npos);
  auto lambda = Requests(false);
  ASSERT_EQ(lambda.size(), 1u);
  EXPECT_NE(FindHeader(lambda[0].headers, "Authorization").find("Credential=ASIA1/"), std::string::npos);
  EXPECT_EQ(FindHeader(lambda[0].headers, "X-Amz-Security-Token"), "tok1");
}

// The set is reused until the advisory margin, then refreshed once; a 15-minute session gets margins that
// fit inside it (7.5 and 5 min) instead of refreshing on every call.
TEST_F(AssumeRoleProviderTest, RefreshesBeforeExpiryOnTheInjectedClock) {
  duration_ = 900s;
  auto session = Session({.role_arn = "arn:aws:iam::222222222222:role/mcp", .duration = 900s});
  ASSERT_NE(session, nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(session->lambda().ListAllFunctions().ok());
  }
  EXPECT_EQ(sts_calls_, 1);
  clock_.Advance(7min);  // 8 min left: outside the 7.5 min advisory margin
  ASSERT_TRUE(session->lambda().ListAllFunctions().ok());
  EXPECT_EQ(sts_calls_, 1);
  clock_.Advance(1min);  // 7 min left: refreshed
  ASSERT_TRUE(session->lambda().ListAllFunctions().ok());
  EXPECT_EQ(sts_calls_, 2);
  EXPECT_NE(FindHeader(Requests(false).back().headers, "Authorization").find("Credential=ASIA2/"),
            std::string::npos);
}

TEST(AssumeRoleMargins, ScaleWithShortSessions) {
  EXPECT_EQ(AssumeRoleMargins(3600s).advisory, 15min);
  EXPECT_EQ(AssumeRoleMargins(3600s).mandatory, 10min);
  EXPECT_EQ(AssumeRoleMargins(900s).advisory, 450s);
  EXPECT_EQ(AssumeRoleMargins(900s).mandatory, 300s);
}

// A role that cannot be assumed fails each call as unauthenticated, naming the role and STS's error; nothing
// is sent to Lambda, and the next call asks STS again.
TEST_F(AssumeRoleProviderTest, DeniedRoleFailsEachCallAndIsRetried) {
  sts_status_ = 403;
  auto session = Session({.role_arn = "arn:aws:iam::222222222222:role/mcp"});
  ASSERT_NE(session, nullptr);
  auto r = session->lambda().ListAllFunctions();
  ASSERT_FALSE(r.ok());
  Error e = std::move(r).ToResult().error();
  EXPECT_EQ(e.code, ErrorCode::kUnauthenticated) << e.ToString();  // no usable credentials for the call
  EXPECT_NE(e.message.find("role/mcp"), std::string::npos) << e.message;
  EXPECT_TRUE(Requests(false).empty());
  sts_status_ = 200;
  EXPECT_TRUE(session->lambda().ListAllFunctions().ok());
  EXPECT_EQ(sts_calls_, 2);
}

}  // namespace
}  // namespace lmcp::aws
