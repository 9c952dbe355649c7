#include "aws/service_caller.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

#include "aws/sts_client.h"
#include "tests/support/aws/fake_http_client.h"
#include "tests/support/aws/test_util.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::aws {
namespace {

using namespace std::chrono_literals;

class ServiceCallerTest : public ::testing::Test {
 protected:
  ServiceCallerTest()
      : creds_(Credentials{"AKID", "SECRET", "", std::nullopt}, "test"),
        retry_(RetryConfig{}, [this] { return random_; }),
        caller_(http_, &creds_, clock_, retry_) {}

  AwsResult<HttpResponse> Call(bool idempotent = true, Protocol protocol = Protocol::kRestJson) {
    OperationRequest op;
    op.operation = idempotent ? "GetFunction" : "Invoke";
    op.method = idempotent ? "GET" : "POST";
    op.path = "/2015-03-31/functions/f";
    op.idempotent = idempotent;
    return caller_.Call(endpoint_, protocol, op);
  }

  FakeHttpClient http_;
  FakeClock clock_{testing::kAwsTestStart, FakeClock::SleepMode::kAdvance};
  StaticCredentialsProvider creds_;
  double random_ = 0.5;
  RetryPolicy retry_;
  ServiceCaller caller_;
  ServiceEndpoint endpoint_{"http://127.0.0.1:1", "us-east-1", "lambda"};
};

TEST_F(ServiceCallerTest, SignsEveryAttemptAfresh) {
  int calls = 0;
  http_.SetHandler([&](const HttpRequest&) -> HttpResult {
    if (++calls == 1) {
      clock_.Advance(std::chrono::seconds(2));
      return HttpResponse{503, {}, ""};
    }
    return HttpResponse{200, {}, "{}"};
  });
  auto r = Call();
  ASSERT_TRUE(r.ok());
  auto reqs = http_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& req : reqs) {
    auto verified = Verify(
        req,
        [](const std::string&) {
          return std::optional<Credentials>(Credentials{"AKID", "SECRET"});
        },
        clock_.Now());
    EXPECT_TRUE(verified.ok()) << verified.error().ToString();
  }
  EXPECT_NE(FindHeader(reqs[0].headers, "x-amz-date"), FindHeader(reqs[1].headers, "x-amz-date"));
}

TEST_F(ServiceCallerTest, StandardModeThreeAttemptsWithCappedJitteredBackoff) {
  for (int i = 0; i < 3; ++i) {
    http_.PushResponse(429, R"({"message":"Rate exceeded"})",
                       {{"x-amzn-ErrorType", "TooManyRequestsException"}});
  }
  auto r = Call();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "TooManyRequestsException");
  EXPECT_EQ(r.error().attempts, 3);
  EXPECT_EQ(http_.request_count(), 3u);
  // rand 0.5 × min(2^i, 20) s → 500 ms, 1000 ms
  EXPECT_EQ(clock_.sleeps(), (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
  EXPECT_NE(r.error().ToString().find("(reached max retries: 2)"), std::string::npos);
}

TEST_F(ServiceCallerTest, RetryAfterIsALowerBound) {
  http_.PushResponse(429, "{}", {{"x-amzn-ErrorType", "TooManyRequestsException"}, {"Retry-After", "2"}});
  http_.PushResponse(200, "{}");
  ASSERT_TRUE(Call().ok());
  EXPECT_EQ(clock_.sleeps(), (std::vector<std::chrono::milliseconds>{2000ms}));
}

TEST_F(ServiceCallerTest, BackoffIsCappedAtTwentySeconds) {
  RetryPolicy policy(RetryConfig{.max_attempts = 10}, [] { return 0.999; });
  AwsError e = AwsError::FromTransport(HttpError{HttpErrorKind::kConnectFailed, "x", false});
  EXPECT_EQ(policy.Backoff(e, 1), 999ms);
  EXPECT_EQ(policy.Backoff(e, 5), 15984ms);
  EXPECT_EQ(policy.Backoff(e, 6), 19980ms);
  EXPECT_EQ(policy.Backoff(e, 9), 19980ms);
}

TEST_F(ServiceCallerTest, ClientErrorsAreNotRetried) {
  http_.PushResponse(400, R"({"message":"bad"})", {{"x-amzn-ErrorType", "InvalidParameterValueException"}});
  auto r = Call();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(http_.request_count(), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(ServiceCallerTest, InvokeNeverRetriedWhenRequestMayHaveReachedLambda) {
  http_.PushError(HttpErrorKind::kReadTimeout, /*sent=*/true);
  auto r = Call(/*idempotent=*/false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(http_.request_count(), 1u);
  EXPECT_EQ(r.error().ToError().code, ErrorCode::kTimeout);
  http_.PushError(HttpErrorKind::kConnectionReset, /*sent=*/true);
  ASSERT_FALSE(Call(false).ok());
  EXPECT_EQ(http_.request_count(), 2u);
}

TEST_F(ServiceCallerTest, InvokeRetriedWhenNothingWasSentOrLambdaThrottled) {
  http_.PushError(HttpErrorKind::kConnectFailed, false);
  http_.PushError(HttpErrorKind::kTimeoutBeforeSend, false);
  http_.PushResponse(200, "ok");
  auto r = Call(false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(http_.request_count(), 3u);
  http_.PushResponse(429, "{}", {{"x-amzn-ErrorType", "TooManyRequestsException"}});
  http_.PushResponse(200, "ok");
  ASSERT_TRUE(Call(false).ok());
  EXPECT_EQ(http_.request_count(), 5u);
}

TEST_F(ServiceCallerTest, RetriesAreCountedByWhyTheAttemptFailed) {
  http_.PushError(HttpErrorKind::kConnectFailed, false);
  http_.PushResponse(429, "{}", {{"x-amzn-ErrorType", "TooManyRequestsException"}});
  http_.PushResponse(200, "ok");
  ASSERT_TRUE(Call().ok());
  http_.PushResponse(503, "{}", {{"x-amzn-ErrorType", "ServiceException"}});
  http_.PushResponse(200, "ok");
  ASSERT_TRUE(Call().ok());
  http_.PushResponse(400, "{}", {{"x-amzn-ErrorType", "InvalidParameterValueException"}});
  ASSERT_FALSE(Call().ok());  // not retried: not counted
  auto r = caller_.retries();
  EXPECT_EQ(r.transport, 1u);
  EXPECT_EQ(r.throttling, 1u);
  EXPECT_EQ(r.server_error, 1u);
}

TEST_F(ServiceCallerTest, IdempotentCallsRetryAfterReadTimeout) {
  http_.PushError(HttpErrorKind::kReadTimeout, true);
  http_.PushResponse(200, "{}");
  ASSERT_TRUE(Call(true).ok());
  EXPECT_EQ(http_.request_count(), 2u);
}

TEST_F(ServiceCallerTest, CancelAndTooLargeAreNotRetried) {
  http_.PushError(HttpErrorKind::kCancelled, true);
  EXPECT_FALSE(Call().ok());
  http_.PushError(HttpErrorKind::kResponseTooLarge, true);
  EXPECT_FALSE(Call().ok());
  EXPECT_EQ(http_.request_count(), 2u);
}

TEST_F(ServiceCallerTest, MaxAttemptsFromSettings) {
  auto cfg = RetryConfigFrom("standard", "1");
  ASSERT_TRUE(cfg.ok());
  RetryPolicy one(*cfg, [] { return 0.0; });
  ServiceCaller caller(http_, &creds_, clock_, one);
  http_.PushResponse(503, "");
  OperationRequest op{.operation = "ListFunctions"};
  EXPECT_FALSE(caller.Call(endpoint_, Protocol::kRestJson, op).ok());
  EXPECT_EQ(http_.request_count(), 1u);
  EXPECT_EQ(RetryConfigFrom("legacy", "")->max_attempts, 5);
  EXPECT_EQ(RetryConfigFrom("adaptive", "")->max_attempts, 3);
  EXPECT_FALSE(RetryConfigFrom("bogus", "").ok());
  EXPECT_FALSE(RetryConfigFrom("", "0").ok());
  EXPECT_FALSE(RetryConfigFrom("", "3x").ok());
}

TEST_F(ServiceCallerTest, RetryQuotaDrains) {
  RetryPolicy policy(RetryConfig{.max_attempts = 3, .quota = 12}, [] { return 0.0; });
  AwsError e = AwsError::FromTransport(HttpError{HttpErrorKind::kConnectFailed, "x", false});
  EXPECT_TRUE(policy.ShouldRetry(e, 1, true));
  EXPECT_TRUE(policy.ShouldRetry(e, 1, true));
  EXPECT_FALSE(policy.ShouldRetry(e, 1, true));  // 2 tokens left < 5
  policy.OnSuccess(true);
  EXPECT_EQ(policy.quota_left(), 7);
}

TEST_F(ServiceCallerTest, CredentialFailureIsReportedWithoutSending) {
  class Failing : public CredentialsProvider {
   public:
    Result<Credentials> GetCredentials() override { return Error::Unauthenticated("expired SSO"); }
    std::string source() const override { return "failing"; }
  } failing;
  ServiceCaller caller(http_, &failing, clock_, retry_);
  auto r = caller.Call(endpoint_, Protocol::kRestJson, OperationRequest{.operation = "ListFunctions"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(http_.request_count(), 0u);
  EXPECT_EQ(r.error().ToError().code, ErrorCode::kUnauthenticated);
}

TEST_F(ServiceCallerTest, StsQueryProtocol) {
  StsClient sts(caller_, ServiceEndpoint{"http://127.0.0.1:1", "us-east-1", "sts"});
  http_.PushResponse(
      200,
      "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn>"
      "<UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
      "</GetCallerIdentityResponse>");
  auto id = sts.GetCallerIdentity();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->account, "123456789012");
  EXPECT_EQ(id->arn, "arn:aws:iam::123456789012:user/u");
  auto req = http_.last_request();
  EXPECT_EQ(req.body, "Action=GetCallerIdentity&Version=2011-06-15");
  EXPECT_EQ(FindHeader(req.headers, "content-type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_NE(FindHeader(req.headers, "authorization").find("/sts/aws4_request"), std::string::npos);

  http_.PushResponse(
      200,
      "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
      "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
      "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:r</Arn>"
      "</AssumedRoleUser></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>");
  auto role = sts.AssumeRoleWithWebIdentity({"arn:aws:iam::1:role/r", "s1", "tok+en/=", std::nullopt});
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(role->credentials.access_key_id, "ASIA1");
  EXPECT_EQ(role->assumed_role_arn, "arn:r");
  req = http_.last_request();
  EXPECT_FALSE(HasHeader(req.headers, "authorization"));
  EXPECT_NE(req.body.find("WebIdentityToken=tok%2Ben%2F%3D"), std::string::npos);

  http_.PushResponse(
      403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>");
  auto denied = sts.AssumeRole({"arn:aws:iam::1:role/r", "s", 900, "ext"});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, "AccessDenied");
  EXPECT_NE(http_.last_request().body.find("DurationSeconds=900&ExternalId=ext"), std::string::npos);
}

}  // namespace
}  // namespace lmcp::aws

namespace lmcp::aws {
namespace {

using namespace std::chrono_literals;

// CallAsync: the same pipeline with no thread held while a request is out or while it backs off.
class ServiceCallerAsyncTest : public ::testing::Test {
 protected:
  ServiceCallerAsyncTest()
      : creds_(Credentials{"AKID", "SECRET", "", std::nullopt}, "test"),
        retry_(RetryConfig{}, [] { return 0.5; }),
        timer_(clock_),
        caller_(http_, &creds_, clock_, retry_, &timer_) {}

  // Starts the call; the future gets its result on whichever thread ends it.
  std::future<AwsResult<HttpResponse>> Start(bool idempotent, std::stop_token stop = {}) {
    OperationRequest op;
    op.operation = idempotent ? "GetFunction" : "Invoke";
    op.method = idempotent ? "GET" : "POST";
    op.path = "/2015-03-31/functions/f";
    op.body = idempotent ? "" : R"({"event":1})";
    op.idempotent = idempotent;
    op.stop = std::move(stop);
    auto done = std::make_shared<std::promise<AwsResult<HttpResponse>>>();
    auto future = done->get_future();
    lmcp::Start(caller_.CallAsync(endpoint_, Protocol::kRestJson, std::move(op)),
                [done](AwsResult<HttpResponse> r) { done->set_value(std::move(r)); });
    return future;
  }

  FakeHttpClient http_;
  FakeClock clock_{testing::kAwsTestStart};  // waits for Advance: only the timer waits on it here
  StaticCredentialsProvider creds_;
  RetryPolicy retry_;
  ClockTimer timer_;
  ServiceCaller caller_;
  ServiceEndpoint endpoint_{"http://127.0.0.1:1", "us-east-1", "lambda"};
};

TEST_F(ServiceCallerAsyncTest, WaitsForTheExchangeWithoutAThreadAndEndsWhereItCompletes) {
  http_.HoldAsync(true);
  auto result = Start(/*idempotent=*/false);
  ASSERT_TRUE(http_.WaitHeld(1));
  EXPECT_EQ(result.wait_for(0s), std::future_status::timeout);  // Start returned; the call is parked
  EXPECT_EQ(http_.last_request().body, R"({"event":1})");
  std::thread io([&] { http_.ReleaseHeld(HttpResponse{200, {{"x-amzn-RequestId", "r1"}}, "ok"}); });
  io.join();
  ASSERT_EQ(result.wait_for(20s), std::future_status::ready);
  auto r = result.get();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "ok");
}

TEST_F(ServiceCallerAsyncTest, BacksOffOnTheTimerAndSignsTheRetryAfresh) {
  http_.PushResponse(503, "");
  http_.PushResponse(200, "{}");
  auto result = Start(/*idempotent=*/true);
  // The first attempt failed at once (the fake answers inline); the retry waits for the timer, not here.
  EXPECT_EQ(http_.request_count(), 1u);
  EXPECT_EQ(result.wait_for(0s), std::future_status::timeout);
  clock_.Advance(500ms);  // rand 0.5 × 1 s
  ASSERT_EQ(result.wait_for(20s), std::future_status::ready);
  ASSERT_TRUE(result.get().ok());
  EXPECT_EQ(http_.request_count(), 2u);
  EXPECT_TRUE(clock_.sleeps().empty());  // nobody slept on a thread
}

TEST_F(ServiceCallerAsyncTest, AStopAbortsAnInvokeInFlightAndItIsNeverSentAgain) {
  http_.HoldAsync(true);
  std::stop_source stop;
  auto result = Start(/*idempotent=*/false, stop.get_token());
  ASSERT_TRUE(http_.WaitHeld(1));
  stop.request_stop();  // the abort completes on the fake's own thread, not inside request_stop()
  ASSERT_EQ(result.wait_for(20s), std::future_status::ready);
  auto r = result.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(http_.aborted(), 1);
  EXPECT_EQ(http_.request_count(), 1u);
}

}  // namespace
}  // namespace lmcp::aws
