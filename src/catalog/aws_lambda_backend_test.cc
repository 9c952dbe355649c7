#include "catalog/aws_lambda_backend.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aws/fake_http_client.h"

namespace lmcp::catalog {
namespace {

class AwsLambdaBackendTest : public ::testing::Test {
 protected:
  AwsLambdaBackendTest()
      : credentials_({"AKID", "SECRET", "", std::nullopt}, "test"),
        retry_(aws::RetryConfig{}, [] { return 0.0; }),
        caller_(http_, &credentials_, clock_, retry_),
        backend_(caller_, {{"http://lambda.test", "us-east-1", "lambda"},
                           {"http://tagging.test", "us-east-1", "tagging"},
                           [](const std::string& region) {
                             return aws::ServiceEndpoint{"http://schemas." + region + ".test", region, "schemas"};
                           }}) {}
  aws::FakeHttpClient http_;
  FakeClock clock_;
  aws::StaticCredentialsProvider credentials_;
  aws::RetryPolicy retry_;
  aws::ServiceCaller caller_;
  AwsLambdaBackend backend_;
};

TEST_F(AwsLambdaBackendTest, ListFunctionsFollowsEveryPage) {
  http_.PushResponse(200, R"({"Functions":[{"FunctionName":"a","FunctionArn":"arn:a","Description":"A","Timeout":30,"Runtime":"python3.12"}],"NextMarker":"m+1/="})");
  http_.PushResponse(200, R"({"Functions":[{"FunctionName":"b","FunctionArn":"arn:b"}],"NextMarker":null})");
  auto r = backend_.ListFunctions();
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].timeout_seconds, 30);
  EXPECT_EQ((*r)[1].timeout_seconds, 3);
  auto reqs = http_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].url, "http://lambda.test/2015-03-31/functions/");
  EXPECT_EQ(reqs[1].url, "http://lambda.test/2015-03-31/functions/?Marker=m%2B1%2F%3D");
}

TEST_F(AwsLambdaBackendTest, GetResourcesPagesAndFilters) {
  http_.PushResponse(200, R"({"ResourceTagMappingList":[{"ResourceARN":"arn:a","Tags":[{"Key":"mcp","Value":"enabled"},{"Key":"s","Value":"x"}]}],"PaginationToken":"t1"})");
  http_.PushResponse(200, R"({"ResourceTagMappingList":[],"PaginationToken":""})");
  auto r = backend_.GetTaggedFunctions("mcp", "enabled");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].tags.at("s"), "x");
  auto reqs = http_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(aws::FindHeader(reqs[0].headers, "X-Amz-Target"), "ResourceGroupsTaggingAPI_20170126.GetResources");
  auto body = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(body["TagFilters"][0]["Values"][0], "enabled");
  EXPECT_EQ(body["ResourceTypeFilters"][0], "lambda:function");
  EXPECT_EQ(nlohmann::json::parse(reqs[1].body)["PaginationToken"], "t1");
}

TEST_F(AwsLambdaBackendTest, AccessDeniedIsClassified) {
  http_.PushResponse(400, R"({"__type":"AccessDeniedException","Message":"not allowed"})");
  auto r = backend_.GetTaggedFunctions("", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().message.rfind("AccessDeniedException: not allowed", 0), 0u) << r.error().message;
}

TEST_F(AwsLambdaBackendTest, InvokeSendsOnceWithQualifierAndTimeout) {
  http_.PushResponse(200, R"({"ok":true})",
                     {{"X-Amz-Executed-Version", "7"}, {"x-amzn-RequestId", "rid"}, {"X-Amz-Function-Error", "Handled"},
                      {"X-Amz-Log-Result", "bG9nIQ=="}});
  InvokeRequest req{"arn:aws:lambda:us-east-1:123456789012:function:f", "live", R"({"a":1})",
                    std::chrono::milliseconds(13000), true};
  auto r = backend_.Invoke(req, {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->executed_version, "7");
  EXPECT_EQ(r->request_id, "rid");
  EXPECT_EQ(r->function_error, "Handled");
  EXPECT_EQ(r->log_tail, "log!");
  auto sent = http_.last_request();
  EXPECT_EQ(sent.url,
            "http://lambda.test/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/"
            "invocations?Qualifier=live");
  EXPECT_EQ(sent.read_timeout, std::chrono::milliseconds(13000));
  EXPECT_EQ(aws::FindHeader(sent.headers, "X-Amz-Log-Type"), "Tail");
  EXPECT_EQ(sent.body, R"({"a":1})");
}

TEST_F(AwsLambdaBackendTest, InvokeReadTimeoutIsNeverRetried) {
  http_.PushError(aws::HttpErrorKind::kReadTimeout, /*sent=*/true);
  http_.PushResponse(200, "{}");
  auto r = backend_.Invoke({"f", "", "{}", std::chrono::milliseconds(1000), false}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(http_.request_count(), 1u);
}

TEST_F(AwsLambdaBackendTest, DescribeSchemaUsesTheArnRegion) {
  http_.PushResponse(200, R"({"Content":"{\"type\":\"object\"}","Type":"JSONSchemaDraft4","SchemaVersion":"2"})");
  auto r = backend_.DescribeSchema({"eu-west-1", "123456789012", "aws.events", "aws.ec2@Evt", "2"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, "2");
  EXPECT_EQ(http_.last_request().url,
            "http://schemas.eu-west-1.test/v1/registries/name/aws.events/schemas/name/aws.ec2%40Evt?schemaVersion=2");
}

TEST_F(AwsLambdaBackendTest, ListTagsEncodesTheArn) {
  http_.PushResponse(200, R"({"Tags":{"mcp":"enabled"}})");
  auto r = backend_.ListTags("arn:aws:lambda:us-east-1:123456789012:function:f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("mcp"), "enabled");
  EXPECT_EQ(http_.last_request().url,
            "http://lambda.test/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af");
}

}  // namespace
}  // namespace lmcp::catalog
