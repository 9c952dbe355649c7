#include <gtest/gtest.h>

#include "aws/lambda_client.h"
#include "aws/schemas_client.h"
#include "aws/sts_client.h"
#include "aws/tagging_client.h"
#include "aws/url.h"
#include "common/base64.h"
#include "common/crypto.h"
#include "common/iso8601.h"
#include "tests/support/aws/fake_http_client.h"
#include "tests/support/aws/test_util.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::aws {
namespace {

using testing::ReadCaptures;

class ClientsTest : public ::testing::Test {
 protected:
  ClientsTest()
      : creds_(Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}, "test"),
        retry_(RetryConfig{}, [] { return 0.0; }),
        caller_(http_, &creds_, clock_, retry_),
        lambda_(caller_, {"http://127.0.0.1:18081", "us-east-1", "lambda"}),
        schemas_(caller_, {"http://127.0.0.1:18081", "us-east-1", "schemas"}),
        tagging_(caller_, {"http://127.0.0.1:18081", "us-east-1", "tagging"}),
        sts_(caller_, {"http://127.0.0.1:18081", "us-east-1", "sts"}) {}

  FakeHttpClient http_;
  FakeClock clock_{testing::kAwsTestStart, FakeClock::SleepMode::kAdvance};
  StaticCredentialsProvider creds_;
  RetryPolicy retry_;
  ServiceCaller caller_;
  LambdaClient lambda_;
  SchemasClient schemas_;
  TaggingClient tagging_;
  StsClient sts_;
};

// Our clients must put exactly what the AWS CLI put on the wire: same path, query, signed headers, body,
// hence the same signature.
TEST_F(ClientsTest, RequestsMatchAwsCliCaptures) {
  auto captures = ReadCaptures();
  ASSERT_EQ(captures.size(), 16u);
  http_.SetHandler([](const HttpRequest&) -> HttpResult {
    return HttpResponse{200, {}, "<R><GetCallerIdentityResult></GetCallerIdentityResult></R>"};
  });
  auto at = [&](int i) {
    FakeClock::WallTime t = *ParseIso8601Basic(captures[i].amz_date);
    clock_.Advance(t - clock_.Now());
  };
  struct Case {
    int index;
    std::function<void()> call;
  };
  std::vector<Case> cases = {
      {0, [&] { (void)lambda_.ListFunctions({.max_items = 1}); }},
      {1, [&] { (void)lambda_.ListFunctions({.max_items = 1, .marker = "page2"}); }},
      {2, [&] { (void)lambda_.ListFunctions({.marker = "page2"}); }},
      {3, [&] { (void)lambda_.ListFunctions({.all_versions = true, .master_region = "us-east-1"}); }},
      {4, [&] { (void)lambda_.ListTags("arn:aws:lambda:us-east-1:123456789012:function:alpha"); }},
      {5, [&] { (void)lambda_.GetFunction("alpha", "7"); }},
      {6, [&] { (void)lambda_.GetFunction("arn:aws:lambda:us-east-1:123456789012:function:alpha:prod"); }},
      {7,
       [&] {
         (void)lambda_.Invoke({.function_name = "alpha",
                               .qualifier = "prod",
                               .tail_log = true,
                               .client_context_json = R"({"custom":{"k":"v"}})",
                               .payload = R"({"hello":"world"})"});
       }},
      {8,
       [&] {
         (void)lambda_.Invoke({.function_name = "alpha",
                               .invocation_type = InvocationType::kEvent,
                               .payload = "{\"hello\":\"world\"}\n"});
       }},
      {9,
       [&] { (void)lambda_.Invoke({.function_name = "alpha", .invocation_type = InvocationType::kDryRun}); }},
      {10, [&] { (void)schemas_.DescribeSchema("my-reg", "my.schema@Evt", "1"); }},
      {13, [&] { (void)sts_.GetCallerIdentity(); }},
      {14, [&] { (void)lambda_.ListTags("arn:aws:lambda:us-east-1:123456789012:function:alpha"); }},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(captures[c.index].label);
    at(c.index);
    c.call();
    HttpRequest sent = http_.last_request();
    EXPECT_EQ(FindHeader(sent.headers, "authorization"), captures[c.index].authorization);
    EXPECT_EQ(sent.body, captures[c.index].request.body);
    EXPECT_EQ(sent.method, captures[c.index].request.method);
  }
}

TEST_F(ClientsTest, ListAllFunctionsFollowsMarkers) {
  http_.PushResponse(200, R"({"Functions":[{"FunctionName":"a","Timeout":3}],"NextMarker":"m+/="})");
  http_.PushResponse(200, R"({"Functions":[{"FunctionName":"b","MemorySize":128}],"NextMarker":null})");
  auto all = lambda_.ListAllFunctions();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].timeout_seconds, 3);
  EXPECT_EQ((*all)[1].memory_size_mb, 128);
  EXPECT_EQ(ParseUrl(http_.last_request().url)->query, "Marker=m%2B%2F%3D");
  http_.PushResponse(200, R"({"Functions":[],"NextMarker":"same"})");
  http_.PushResponse(200, R"({"Functions":[],"NextMarker":"same"})");
  EXPECT_FALSE(lambda_.ListAllFunctions().ok());  // a repeating marker would loop forever
}

TEST_F(ClientsTest, InvokeResultAndErrors) {
  http_.PushResponse(200, R"({"errorMessage":"boom"})",
                     {{"X-Amz-Function-Error", "Unhandled"},
                      {"X-Amz-Log-Result", Base64Encode("START\nEND\n")},
                      {"X-Amz-Executed-Version", "$LATEST"},
                      {"x-amzn-RequestId", "rid"}});
  auto r = lambda_.Invoke({.function_name = "f", .tail_log = true, .payload = "{}"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->function_error, "Unhandled");
  EXPECT_EQ(r->log_result, "START\nEND\n");
  EXPECT_EQ(r->executed_version, "$LATEST");
  EXPECT_EQ(r->payload, R"({"errorMessage":"boom"})");
  EXPECT_EQ(r->request_id, "rid");
  EXPECT_FALSE(HasHeader(http_.last_request().headers, "content-type"));
  EXPECT_EQ(http_.last_request().read_timeout, std::chrono::milliseconds(905'000));
  EXPECT_FALSE(http_.last_request().idempotent);  // the HTTP client may not re-send it either

  std::size_t before = http_.request_count();
  auto big = lambda_.Invoke({.function_name = "f", .payload = std::string(kMaxSyncPayloadBytes + 1, 'x')});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, "RequestTooLargeException");
  auto big_event = lambda_.Invoke({.function_name = "f",
                                   .invocation_type = InvocationType::kEvent,
                                   .payload = std::string(kMaxEventPayloadBytes + 1, 'x')});
  EXPECT_FALSE(big_event.ok());
  auto ctx = lambda_.Invoke({.function_name = "f", .client_context_json = std::string(2700, 'x')});
  EXPECT_FALSE(ctx.ok());
  EXPECT_EQ(http_.request_count(), before);

  http_.PushResponse(
      404, R"({"Message":"Function not found: arn:aws:lambda:us-east-1:1:function:nope","Type":"User"})",
      {{"x-amzn-ErrorType", "ResourceNotFoundException"}});
  auto missing = lambda_.Invoke({.function_name = "nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(
      missing.error().ToString(),
      "An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: "
      "arn:aws:lambda:us-east-1:1:function:nope");
}

TEST_F(ClientsTest, GetFunctionAndTags) {
  http_.PushResponse(
      200, R"({"Configuration":{"FunctionName":"f","Description":"d"},"Tags":{"team":"core"},)"
           R"("Code":{"Location":"https://s3/presigned"},"Concurrency":{"ReservedConcurrentExecutions":5}})");
  auto f = lambda_.GetFunction("f");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->configuration.description, "d");
  EXPECT_EQ(f->tags.at("team"), "core");
  EXPECT_EQ(f->reserved_concurrency, 5);
  http_.PushResponse(200, R"({"Tags":{"a":"1","b":"2"}})");
  auto tags = lambda_.ListTags("arn:aws:lambda:us-east-1:1:function:f");
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->size(), 2u);
  http_.PushResponse(200, "not json");
  EXPECT_FALSE(lambda_.ListTags("x").ok());
}

TEST_F(ClientsTest, GetResourcesBodyAndPaging) {
  http_.PushResponse(200, R"({"PaginationToken":"tok2","ResourceTagMappingList":[{"ResourceARN":"arn:1",)"
                          R"("Tags":[{"Key":"team","Value":"core"}]}]})");
  http_.PushResponse(
      200, R"({"PaginationToken":"","ResourceTagMappingList":[{"ResourceARN":"arn:2","Tags":[]}]})");
  GetResourcesRequest req;
  req.tag_filters = {{"team", {"core", "platform"}}, {"env", {}}};
  req.resource_type_filters = {"lambda:function"};
  auto all = tagging_.GetAllResources(req);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].tags.at("team"), "core");
  auto reqs = http_.requests();
  auto first = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(first,
            nlohmann::json::parse(R"({"TagFilters": [{"Key": "team", "Values": ["core", "platform"]}, )"
                                  R"({"Key": "env"}], "ResourceTypeFilters": ["lambda:function"]})"));
  EXPECT_EQ(nlohmann::json::parse(reqs[1].body)["PaginationToken"], "tok2");
  EXPECT_EQ(FindHeader(reqs[0].headers, "x-amz-target"), "ResourceGroupsTaggingAPI_20170126.GetResources");
  EXPECT_NE(FindHeader(reqs[0].headers, "authorization")
                .find("SignedHeaders=content-type;host;x-amz-date;x-amz-target,"),
            std::string::npos);
}

TEST_F(ClientsTest, DescribeSchemaLatestAndErrors) {
  http_.PushResponse(200,
                     R"({"Content":"{\"openapi\":\"3.0.0\"}","SchemaName":"aws.ec2@X","SchemaVersion":"2",)"
                     R"("Type":"OpenApi3","tags":{"k":"v"}})");
  auto s = schemas_.DescribeSchema("aws.events", "aws.ec2@X");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->content, R"({"openapi":"3.0.0"})");
  EXPECT_EQ(s->tags.at("k"), "v");
  EXPECT_EQ(ParseUrl(http_.last_request().url)->path,
            "/v1/registries/name/aws.events/schemas/name/aws.ec2%40X");
  EXPECT_EQ(ParseUrl(http_.last_request().url)->query, "");
  http_.PushResponse(404, R"({"Code":"NotFoundException","Message":"no schema"})");
  auto missing = schemas_.DescribeSchema("r", "s");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NotFoundException");
  EXPECT_EQ(std::move(missing).ToResult().error().code, ErrorCode::kNotFound);
}

// A reply that arrived but cannot be read is the service's fault (kUnavailable, as for a 5xx), not a
// credentials problem: discovery's advice depends on the class.
TEST_F(ClientsTest, UnreadableRepliesAreUnavailable) {
  http_.PushResponse(200, "not json");
  auto tags = lambda_.ListTags("arn:aws:lambda:us-east-1:1:function:f");
  ASSERT_FALSE(tags.ok());
  EXPECT_EQ(std::move(tags).ToResult().error().code, ErrorCode::kUnavailable);
  http_.PushResponse(200, R"({"Functions":[],"NextMarker":"same"})");
  http_.PushResponse(200, R"({"Functions":[],"NextMarker":"same"})");
  auto looping = lambda_.ListAllFunctions();
  ASSERT_FALSE(looping.ok());
  EXPECT_EQ(std::move(looping).ToResult().error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace lmcp::aws
