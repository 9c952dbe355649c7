#include "aws/aws_error.h"

#include <gtest/gtest.h>

namespace lmcp::aws {
namespace {

TEST(AwsErrorParse, RestJsonHeaderWins) {
  HttpResponse r{404,
                 {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"},
                  {"x-amzn-RequestId", "req-1"}},
                 R"({"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:1:function:x"})"};
  AwsError e = ParseRestJsonError(r);
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Function not found: arn:aws:lambda:us-east-1:1:function:x");
  EXPECT_EQ(e.request_id, "req-1");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_FALSE(e.retryable());
  e.operation = "Invoke";
  EXPECT_EQ(
      e.ToString(),
      "An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: "
      "arn:aws:lambda:us-east-1:1:function:x");
  EXPECT_EQ(e.ToError().code, ErrorCode::kNotFound);
}

TEST(AwsErrorParse, RestJsonBodyCodeAndThrottling) {
  HttpResponse r{
      429,
      {{"Retry-After", "3"}},
      R"({"Reason":"ConcurrentInvocationLimitExceeded","message":"Rate exceeded","Type":"User","__type":"TooManyRequestsException"})"};
  AwsError e = ParseRestJsonError(r);
  EXPECT_EQ(e.code, "TooManyRequestsException");
  EXPECT_EQ(e.message, "Rate exceeded");
  EXPECT_TRUE(e.throttling);
  EXPECT_EQ(e.retry_after, std::chrono::seconds(3));
  EXPECT_EQ(e.reason, "ConcurrentInvocationLimitExceeded");
  EXPECT_EQ(e.ToError().code, ErrorCode::kResourceExhausted);
  HttpResponse schemas{404, {}, R"({"Code":"NotFoundException","Message":"Schema not found"})"};
  EXPECT_EQ(ParseRestJsonError(schemas).code, "NotFoundException");
  EXPECT_EQ(ParseRestJsonError(schemas).message, "Schema not found");
}

TEST(AwsErrorParse, Json11TypeWithNamespace) {
  HttpResponse r{
      400,
      {{"x-amzn-RequestId", "r2"}},
      R"({"__type":"com.amazonaws.resourcegroupstaggingapi#ThrottledException","Message":"slow down"})"};
  AwsError e = ParseJson11Error(r);
  EXPECT_EQ(e.code, "ThrottledException");
  EXPECT_EQ(e.message, "slow down");
  EXPECT_TRUE(e.throttling);
  HttpResponse p{400, {}, R"({"__type":"InvalidParameterException:extra","message":"bad"})"};
  EXPECT_EQ(ParseJson11Error(p).code, "InvalidParameterException");
  EXPECT_EQ(ParseJson11Error(p).ToError().code, ErrorCode::kInvalidArgument);
}

TEST(AwsErrorParse, QueryXml) {
  HttpResponse r{
      403,
      {},
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
      "<Code>SignatureDoesNotMatch</Code><Message>The request signature &amp; more</Message></Error>"
      "<RequestId>abc-1</RequestId></ErrorResponse>"};
  AwsError e = ParseQueryError(r);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.message, "The request signature & more");
  EXPECT_EQ(e.request_id, "abc-1");
  EXPECT_EQ(e.ToError().code, ErrorCode::kUnauthenticated);
  HttpResponse t{400,
                 {},
                 "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate "
                 "exceeded</Message></Error></ErrorResponse>"};
  EXPECT_TRUE(ParseQueryError(t).throttling);
}

TEST(AwsErrorParse, MotoXmlErrorOnRestJsonService) {
  HttpResponse r{
      403,
      {{"Content-Type", "text/html"}},
      "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included "
      "in the request is invalid.</Message></Error></Errors><RequestID>x</RequestID></ErrorResponse>"};
  AwsError e = ParseRestJsonError(r);
  EXPECT_EQ(e.code, "InvalidClientTokenId");
  EXPECT_EQ(e.request_id, "x");
  EXPECT_EQ(e.ToError().code, ErrorCode::kUnauthenticated);
}

TEST(AwsErrorParse, TransientStatusesAndHtmlBodies) {
  for (int status : {500, 502, 503, 504}) {
    AwsError e = ParseRestJsonError(HttpResponse{status, {}, "<html>oops</html>"});
    EXPECT_TRUE(e.transient) << status;
    EXPECT_EQ(e.code, "HTTP" + std::to_string(status));
    EXPECT_EQ(e.ToError().code, ErrorCode::kUnavailable);
  }
  EXPECT_FALSE(ParseRestJsonError(HttpResponse{400, {}, "{}"}).retryable());
  EXPECT_TRUE(ParseRestJsonError(HttpResponse{400, {}, R"({"__type":"RequestTimeoutException"})"}).transient);
}

TEST(AwsErrorParse, AccessDeniedIsPermissionDenied) {
  AwsError e = ParseRestJsonError(HttpResponse{403, {{"x-amzn-ErrorType", "AccessDeniedException"}}, "{}"});
  EXPECT_EQ(e.ToError().code, ErrorCode::kPermissionDenied);
}

TEST(AwsErrorParse, TransportErrors) {
  AwsError read = AwsError::FromTransport(HttpError{HttpErrorKind::kReadTimeout, "slow", true});
  read.operation = "Invoke";
  EXPECT_TRUE(read.transient);
  EXPECT_TRUE(read.may_have_reached_server);
  EXPECT_EQ(read.ToError().code, ErrorCode::kTimeout);
  EXPECT_NE(read.ToString().find("may have reached Lambda"), std::string::npos);
  AwsError refused = AwsError::FromTransport(HttpError{HttpErrorKind::kConnectFailed, "refused", false});
  EXPECT_FALSE(refused.may_have_reached_server);
  EXPECT_EQ(refused.ToError().code, ErrorCode::kUnavailable);
  AwsError big = AwsError::FromTransport(HttpError{HttpErrorKind::kResponseTooLarge, "big", true});
  EXPECT_FALSE(big.retryable());
}

TEST(AwsResult, ConvertsToResult) {
  AwsResult<int> ok = 5;
  EXPECT_EQ(*std::move(ok).ToResult(), 5);
  AwsError e =
      ParseRestJsonError(HttpResponse{404, {{"x-amzn-ErrorType", "ResourceNotFoundException"}}, "{}"});
  AwsResult<int> bad = e;
  auto r = std::move(bad).ToResult();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace lmcp::aws

namespace lmcp::aws {
namespace {

// A 404 page from a web server (AWS_ENDPOINT_URL pointing at the wrong thing) says so, instead of an empty
// "(HTTP404)" error.
TEST(AwsErrorParse, NotAwsAnswerGetsAHint) {
  HttpResponse r{404, {{"Content-Type", "text/html"}}, "<html><body>Not Found</body></html>"};
  AwsError e = ParseRestJsonError(r);
  EXPECT_EQ(e.code, "HTTP404");
  EXPECT_NE(e.message.find("HTTP status 404 from something that does not answer like AWS"), std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("AWS_ENDPOINT_URL"), std::string::npos);
  // An AWS 404 keeps its own words.
  HttpResponse aws{404,
                   {{"x-amzn-RequestId", "r-1"}, {"x-amzn-ErrorType", "ResourceNotFoundException"}},
                   R"({"Message":"Function not found: arn:aws:lambda:us-east-1:1:function:x"})"};
  EXPECT_EQ(ParseRestJsonError(aws).message, "Function not found: arn:aws:lambda:us-east-1:1:function:x");
}

}  // namespace
}  // namespace lmcp::aws
