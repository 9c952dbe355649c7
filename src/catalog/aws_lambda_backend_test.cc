#include "catalog/aws_lambda_backend.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/lambda_client.h"
#include "common/base64.h"
#include "tests/support/aws/fake_http_client.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/loopback.h"

namespace lmcp::catalog {
namespace {

// The adapter over an AwsSession whose HTTP client is a FakeHttpClient: what each catalog call sends and how
// each reply and error comes back.
class AwsLambdaBackendTest : public ::testing::Test {
 protected:
  AwsLambdaBackendTest() : backend_(Session()) {}

  std::unique_ptr<aws::AwsSession> Session() {
    aws::AwsSessionOptions options;
    options.env = [](const std::string& name) -> std::optional<std::string> {
      if (name == "AWS_CONFIG_FILE" || name == "AWS_SHARED_CREDENTIALS_FILE") {
        return "/nonexistent/aws-file";
      }
      if (name == "AWS_ENDPOINT_URL_LAMBDA") {
        return "http://lambda.test";
      }
      if (name == "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API") {
        return "http://tagging.test";
      }
      return std::nullopt;
    };
    options.region = "us-east-1";
    options.http = &http_;
    options.clock = &clock_;
    options.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"AKID", "SECRET", "", std::nullopt}, "test");
    auto session = aws::AwsSession::Create(std::move(options));
    EXPECT_TRUE(session.ok()) << session.error().message;
    return std::move(session).value();
  }

  aws::FakeHttpClient http_;
  FakeClock clock_;
  AwsLambdaBackend backend_;
};

TEST_F(AwsLambdaBackendTest, ListFunctionsFollowsEveryPage) {
  http_.PushResponse(
      200,
      R"({"Functions":[{"FunctionName":"a","FunctionArn":"arn:a","Description":"A","Timeout":30,"Runtime":"python3.12"}],"NextMarker":"m+1/="})");
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
  http_.PushResponse(
      200,
      R"({"ResourceTagMappingList":[{"ResourceARN":"arn:a","Tags":[{"Key":"mcp","Value":"enabled"},{"Key":"s","Value":"x"}]}],"PaginationToken":"t1"})");
  http_.PushResponse(200, R"({"ResourceTagMappingList":[],"PaginationToken":""})");
  auto r = backend_.GetTaggedFunctions("mcp", "enabled");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].tags.at("s"), "x");
  auto reqs = http_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(aws::FindHeader(reqs[0].headers, "X-Amz-Target"),
            "ResourceGroupsTaggingAPI_20170126.GetResources");
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
                     {{"X-Amz-Executed-Version", "7"},
                      {"x-amzn-RequestId", "rid"},
                      {"X-Amz-Function-Error", "Handled"},
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
  EXPECT_EQ(
      sent.url,
      "http://lambda.test/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/"
      "invocations?Qualifier=live");
  EXPECT_EQ(sent.read_timeout, std::chrono::milliseconds(13000));
  EXPECT_EQ(aws::FindHeader(sent.headers, "X-Amz-Log-Type"), "Tail");
  EXPECT_EQ(sent.body, R"({"a":1})");
}

// The trace context travels as X-Amzn-Trace-Id (outside the signature, so a proxy may rewrite it) and as the
// base64 X-Amz-Client-Context.
TEST_F(AwsLambdaBackendTest, InvokeSendsTheTraceHeaderAndClientContext) {
  http_.PushResponse(200, "{}");
  InvokeRequest req{
      .function = "f",
      .payload = "{}",
      .trace_header = "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1",
      .client_context_json = R"({"custom":{"traceparent":"tp"}})"};
  ASSERT_TRUE(backend_.Invoke(req, {}).ok());
  auto sent = http_.last_request();
  EXPECT_EQ(aws::FindHeader(sent.headers, "X-Amzn-Trace-Id"), req.trace_header);
  EXPECT_EQ(aws::FindHeader(sent.headers, "X-Amz-Client-Context"),
            Base64Encode(R"({"custom":{"traceparent":"tp"}})"));
  std::string auth = aws::FindHeader(sent.headers, "Authorization");
  EXPECT_EQ(auth.find("x-amzn-trace-id"), std::string::npos) << auth;

  http_.PushResponse(200, "{}");
  ASSERT_TRUE(backend_.Invoke({.function = "f", .payload = "{}"}, {}).ok());
  EXPECT_EQ(aws::FindHeader(http_.last_request().headers, "X-Amzn-Trace-Id"), "");
  EXPECT_EQ(aws::FindHeader(http_.last_request().headers, "X-Amz-Client-Context"), "");
}

// An Event tool's Invoke asks Lambda to queue the event; the 202 and its request id come back as they are.
TEST_F(AwsLambdaBackendTest, InvokeEventSendsTheInvocationType) {
  http_.PushResponse(202, "", {{"x-amzn-RequestId", "rid-event"}});
  auto r = backend_.Invoke({.function = "f", .payload = "{}", .type = InvocationType::kEvent}, {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->request_id, "rid-event");
  EXPECT_EQ(aws::FindHeader(http_.last_request().headers, "X-Amz-Invocation-Type"), "Event");

  http_.PushResponse(200, "{}");
  ASSERT_TRUE(backend_.Invoke({.function = "f", .payload = "{}"}, {}).ok());
  EXPECT_EQ(aws::FindHeader(http_.last_request().headers, "X-Amz-Invocation-Type"), "RequestResponse");
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
  http_.PushResponse(200,
                     R"({"Content":"{\"type\":\"object\"}","Type":"JSONSchemaDraft4","SchemaVersion":"2"})");
  auto r = backend_.DescribeSchema({"eu-west-1", "123456789012", "aws.events", "aws.ec2@Evt", "2"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, "2");
  EXPECT_EQ(http_.last_request().url,
            "https://schemas.eu-west-1.amazonaws.com/v1/registries/name/aws.events/schemas/name/aws.ec2%40Evt"
            "?schemaVersion=2");
  EXPECT_NE(
      aws::FindHeader(http_.last_request().headers, "Authorization").find("/eu-west-1/schemas/aws4_request"),
      std::string::npos);
  http_.PushResponse(200, R"({"Type":"JSONSchemaDraft4"})");
  auto empty = backend_.DescribeSchema({"eu-west-1", "123456789012", "aws.events", "aws.ec2@Evt", ""});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(AwsLambdaBackendTest, ListTagsEncodesTheArn) {
  http_.PushResponse(200, R"({"Tags":{"mcp":"enabled"}})");
  auto r = backend_.ListTags("arn:aws:lambda:us-east-1:123456789012:function:f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("mcp"), "enabled");
  EXPECT_EQ(
      http_.last_request().url,
      "http://lambda.test/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af");
}

// What ships: AwsLambdaBackend::Create() over real HTTP to a loopback endpoint (AWS_ENDPOINT_URL), with the
// environment given here and no AWS files. Pins the behaviour the production stack and the aws layer's
// typed clients (tested against moto and the local endpoint) must share.
class AwsLambdaBackendCreateTest : public ::testing::Test {
 protected:
  // The server starts last, once every member and handler exists: its threads then see them (TSan cannot see
  // through the uninstrumented httplib's own synchronization).
  AwsLambdaBackendCreateTest() {
    server_.set_payload_max_length(64 * 1024 * 1024);
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      authorizations_.push_back(req.get_header_value("Authorization"));
      res.status = status_;
      res.set_content(reply_, "application/json");
    };
    server_.Get(".*", record);
    server_.Post(".*", record);
    loopback_.emplace(server_);
    env_ = {{"AWS_ACCESS_KEY_ID", "AKID"},
            {"AWS_SECRET_ACCESS_KEY", "SECRET"},
            {"AWS_REGION", "us-east-1"},
            {"AWS_MAX_ATTEMPTS", "1"},
            {"AWS_CONFIG_FILE", "/nonexistent/config"},
            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"AWS_ENDPOINT_URL", loopback_->url()}};
  }

  std::unique_ptr<LambdaBackend> Create(TargetOptions options = {}) {
    auto env = env_;
    auto backend = AwsLambdaBackend::Create(options, clock_, [env](const std::string& name) {
      auto it = env.find(name);
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
    EXPECT_TRUE(backend.ok()) << backend.error().message;
    return backend.ok() ? std::move(backend).value() : nullptr;
  }

  // What the server answers from now on (under mu_: the server's threads read it).
  void Reply(std::string body) {
    std::lock_guard lock(mu_);
    reply_ = std::move(body);
  }

  std::string Authorization(std::size_t i) {
    std::lock_guard lock(mu_);
    return i < authorizations_.size() ? authorizations_[i] : "";
  }

  httplib::Server server_;
  FakeClock clock_{std::chrono::system_clock::now()};
  std::map<std::string, std::string> env_;
  int status_ = 200;
  std::string reply_ = "{}";
  std::mutex mu_;
  std::vector<std::string> authorizations_;
  std::optional<test_support::HttplibOnLoopback> loopback_;  // last: stopped first
};

// Lambda answers at most 6 MB (its own ResponseSizeTooLarge error takes over above that): a longer body is
// refused while reading, as the aws layer's LambdaClient does, instead of being buffered.
TEST_F(AwsLambdaBackendCreateTest, InvokeRefusesAResponseOverLambdasLimit) {
  Reply("\"" + std::string(aws::kMaxSyncPayloadBytes + 64 * 1024, 'x') + "\"");
  auto backend = Create();
  ASSERT_NE(backend, nullptr);
  auto r = backend->Invoke({"f", "", "{}", std::chrono::milliseconds(10'000), false}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted) << r.error().message;

  Reply("\"" + std::string(aws::kMaxSyncPayloadBytes - 16, 'x') + "\"");
  auto fits = backend->Invoke({"f", "", "{}", std::chrono::milliseconds(10'000), false}, {});
  ASSERT_TRUE(fits.ok()) << fits.error().message;
  EXPECT_EQ(fits->payload.size(), aws::kMaxSyncPayloadBytes - 14);
}

// AWS_CA_BUNDLE (and the profile's ca_bundle) may start with "~" like every other AWS path. The endpoint
// answers TLS with plain HTTP, so every call fails; what matters is whether the CA file was found first.
TEST_F(AwsLambdaBackendCreateTest, CaBundlePathExpandsTilde) {
  const std::filesystem::path system_bundle = "/etc/ssl/certs/ca-certificates.crt";
  if (!std::filesystem::exists(system_bundle)) {
    GTEST_SKIP() << "no system CA bundle to copy";
  }
  const std::filesystem::path home = std::filesystem::path(::testing::TempDir()) / "lmcp-ca-home";
  std::filesystem::remove_all(home);
  std::filesystem::create_directories(home);
  std::filesystem::copy_file(system_bundle, home / "ca.pem");
  env_["HOME"] = home.string();
  env_["AWS_ENDPOINT_URL"] = "https://127.0.0.1:" + std::to_string(loopback_->port());

  env_["AWS_CA_BUNDLE"] = "~/missing.pem";  // the probe can fail: a CA file that is not there is reported
  auto missing = Create();
  ASSERT_NE(missing, nullptr);
  auto r = missing->ListFunctions();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot load the CA store " + (home / "missing.pem").string()),
            std::string::npos)
      << r.error().message;

  env_["AWS_CA_BUNDLE"] = "~/ca.pem";
  auto found = Create();
  ASSERT_NE(found, nullptr);
  r = found->ListFunctions();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("CA store"), std::string::npos) << r.error().message;
}

// A reply that is not JSON is the endpoint's fault: kUnavailable ("AWS could not be reached"), never a
// credentials problem.
TEST_F(AwsLambdaBackendCreateTest, UnreadableReplyIsUnavailable) {
  Reply("not json");
  auto backend = Create();
  ASSERT_NE(backend, nullptr);
  auto r = backend->ListFunctions();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().message;
}

// No credentials at all is not fatal at startup (discovery reports it and keeps retrying): each call fails
// with kUnauthenticated and nothing is sent.
TEST_F(AwsLambdaBackendCreateTest, MissingCredentialsFailEachCall) {
  env_.erase("AWS_ACCESS_KEY_ID");
  env_.erase("AWS_SECRET_ACCESS_KEY");
  auto backend = Create();
  ASSERT_NE(backend, nullptr);
  auto r = backend->ListFunctions();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << r.error().message;
  EXPECT_EQ(Authorization(0), "");
}

// --region beats AWS_REGION; a schema is read in its ARN's region (the signing scope shows both).
TEST_F(AwsLambdaBackendCreateTest, RegionOptionAndSchemaRegion) {
  TargetOptions options;
  options.region = "eu-west-1";
  auto backend = Create(options);
  ASSERT_NE(backend, nullptr);
  ASSERT_TRUE(backend->ListFunctions().ok());
  EXPECT_NE(Authorization(0).find("/eu-west-1/lambda/aws4_request"), std::string::npos) << Authorization(0);
  Reply(R"({"Content":"{}","Type":"JSONSchemaDraft4","SchemaVersion":"1"})");
  ASSERT_TRUE(backend->DescribeSchema({"ap-south-1", "123456789012", "reg", "s", ""}).ok());
  EXPECT_NE(Authorization(1).find("/ap-south-1/schemas/aws4_request"), std::string::npos) << Authorization(1);
}

}  // namespace
}  // namespace lmcp::catalog
