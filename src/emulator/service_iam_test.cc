// Identity and permissions on the local endpoint: STS GetCallerIdentity (query protocol, XML, signed like
// every other call) and deny faults, which answer each service's AccessDenied as IAM would.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/sigv4.h"
#include "aws/url.h"
#include "aws/xml.h"
#include "emulator/service.h"
#include "emulator/template.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kAkid[] = "AKIDTEST";
constexpr char kSecret[] = "test-secret";
constexpr char kForm[] = "application/x-www-form-urlencoded; charset=utf-8";
constexpr char kCallerIdentity[] = "Action=GetCallerIdentity&Version=2011-06-15";

// Answers every invocation with its payload, and counts them.
class EchoRuntime : public FunctionRuntime {
 public:
  InvokeOutput Invoke(const FunctionSpec&, const InvokeInput& in) override {
    ++calls;
    InvokeOutput out;
    out.payload = in.payload;
    return out;
  }
  std::atomic<int> calls = 0;
};

class IamTest : public ::testing::Test {
 protected:
  IamTest() {
    Deployment d;
    d.account_id = "210987654321";
    d.region = "eu-west-1";
    FunctionSpec f;
    f.name = "mcp-echo";
    f.runtime = "echo";
    f.handler = "echo";
    f.alias = "live";
    d.functions.push_back(f);
    f.name = "other";
    d.functions.push_back(f);
    SchemaSpec s;
    s.registry = "reg";
    s.name = "my.schema@Evt";
    s.content = "{}";
    d.schemas.push_back(s);
    std::string err;
    EXPECT_TRUE(FinalizeDeployment(d, &err)) << err;
    auto runtime = std::make_unique<EchoRuntime>();
    runtime_ = runtime.get();
    ServiceOptions o;
    o.credentials.push_back({kAkid, kSecret, "", std::nullopt});
    o.verifier = &aws::Verify;
    service_ = std::make_unique<LocalService>(std::move(d), o, std::move(runtime), clock_);
  }

  // A request signed for `service` as the aws layer signs it (or not at all when `secret` is empty).
  ServerResponse Send(const std::string& service, const std::string& method, const std::string& target,
                      const std::string& body = "", aws::Headers headers = {},
                      const std::string& secret = kSecret) {
    aws::HttpRequest r;
    r.method = method;
    r.url = "http://127.0.0.1:9999" + target;
    r.headers = std::move(headers);
    r.body = body;
    if (!secret.empty()) {
      EXPECT_TRUE(aws::Sign(r, {kAkid, secret, "", std::nullopt}, {"eu-west-1", service, clock_.Now()}).ok());
    } else {
      r.headers.emplace_back("Host", "127.0.0.1:9999");
    }
    ServerRequest s;
    s.method = method;
    s.target = target;
    size_t q = target.find('?');
    s.path = target.substr(0, q);
    s.query = q == std::string::npos ? "" : target.substr(q + 1);
    s.headers = r.headers;
    s.body = body;
    return service_->Handle(s);
  }
  ServerResponse Sts(const std::string& body, const std::string& secret = kSecret,
                     const std::string& service = "sts") {
    return Send(service, "POST", "/", body, {{"Content-Type", kForm}}, secret);
  }
  static std::string ErrorXml(const ServerResponse& r, const std::string& type, const std::string& code,
                              const std::string& message) {
    return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>" + type +
           "</Type><Code>" + code + "</Code><Message>" + message + "</Message></Error><RequestId>" +
           HeaderValue(r.headers, "x-amzn-RequestId") + "</RequestId></ErrorResponse>";
  }
  static std::string Denied(const std::string& action, const std::string& resource) {
    return "User: arn:aws:iam::210987654321:user/lambda-mcp-local is not authorized to perform: " + action +
           " on resource: " + resource + " because no identity-based policy allows the " + action + " action";
  }

  FakeClock clock_;
  EchoRuntime* runtime_;
  std::unique_ptr<LocalService> service_;
};

TEST_F(IamTest, GetCallerIdentityNamesTheLocalUser) {
  auto r = Sts(kCallerIdentity);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderValue(r.headers, "Content-Type"), "text/xml");
  std::string rid = HeaderValue(r.headers, "x-amzn-RequestId");
  std::string user_id = aws::XmlText(r.body, "UserId").value_or("");
  EXPECT_THAT(user_id, MatchesRegex("AIDA[A-Z2-7]{17}"));
  EXPECT_EQ(r.body,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<GetCallerIdentityResult><Arn>arn:aws:iam::210987654321:user/lambda-mcp-local</Arn><UserId>" +
                user_id +
                "</UserId><Account>210987654321</Account></GetCallerIdentityResult><ResponseMetadata>"
                "<RequestId>" +
                rid + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
  EXPECT_EQ(aws::XmlText(Sts(kCallerIdentity).body, "UserId"), user_id);  // the same user every time
  auto get = Send("sts", "GET", std::string("/?") + kCallerIdentity);     // the query protocol's GET form
  EXPECT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(service_->stats().Operations("GetCallerIdentity"), 3);
}

TEST_F(IamTest, UnknownActionsGetStsXmlErrors) {
  auto r = Sts("Action=AssumeRoot&Version=2011-06-15");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderValue(r.headers, "Content-Type"), "text/xml");
  EXPECT_EQ(r.body, ErrorXml(r, "Sender", "InvalidAction",
                             "Could not find operation AssumeRoot for version 2011-06-15"));
  auto escaped = Sts("Action=%3Cx%3E&Version=2011-06-15");
  EXPECT_THAT(escaped.body, HasSubstr("Could not find operation &lt;x&gt; for version"));
  auto old_version = Sts("Action=GetCallerIdentity&Version=2010-01-01");
  EXPECT_EQ(old_version.body, ErrorXml(old_version, "Sender", "InvalidAction",
                                       "Could not find operation GetCallerIdentity for version 2010-01-01"));
  auto no_action = Sts("Version=2011-06-15");  // STS by its credential scope alone
  EXPECT_EQ(no_action.body, ErrorXml(no_action, "Sender", "MissingAction", "Missing Action"));
  EXPECT_EQ(service_->stats().Operations("GetCallerIdentity"), 1);
}

TEST_F(IamTest, StsAuthFailuresAreXml) {
  auto unsigned_request = Sts(kCallerIdentity, "");
  EXPECT_EQ(unsigned_request.status, 403);
  EXPECT_EQ(HeaderValue(unsigned_request.headers, "Content-Type"), "text/xml");
  EXPECT_EQ(unsigned_request.body, ErrorXml(unsigned_request, "Sender", "MissingAuthenticationToken",
                                            "Missing Authentication Token"));
  auto wrong_secret = Sts(kCallerIdentity, "not-the-secret");
  EXPECT_EQ(wrong_secret.status, 403);
  EXPECT_EQ(aws::XmlText(wrong_secret.body, "Code"), "SignatureDoesNotMatch");
  EXPECT_EQ(aws::XmlText(wrong_secret.body, "Type"), "Sender");
  auto wrong_scope = Sts(kCallerIdentity, kSecret, "lambda");
  EXPECT_EQ(wrong_scope.status, 403);
  EXPECT_EQ(wrong_scope.body, ErrorXml(wrong_scope, "Sender", "SignatureDoesNotMatch",
                                       "Credential should be scoped to correct service: 'sts'. "));
  auto browser = Send("sts", "POST", "/", kCallerIdentity,
                      {{"Content-Type", kForm}, {"Origin", "https://evil.example.com"}});
  EXPECT_EQ(browser.status, 403);
  EXPECT_EQ(aws::XmlText(browser.body, "Code"), "AccessDenied");
}

TEST_F(IamTest, FaultsOnStsAnswerXml) {
  service_->faults().Replace(
      {*ParseFaultFlag("GetCallerIdentity:error=503,count=1"), *ParseFaultFlag("*:throttle=2,count=1")});
  auto unavailable = Sts(kCallerIdentity);
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.body,
            ErrorXml(unavailable, "Receiver", "ServiceUnavailable", "Injected fault (ServiceUnavailable)"));
  auto throttled = Sts(kCallerIdentity);
  EXPECT_EQ(throttled.status, 400);
  EXPECT_EQ(throttled.body, ErrorXml(throttled, "Sender", "Throttling", "Rate exceeded"));
  EXPECT_EQ(HeaderValue(throttled.headers, "Retry-After"), "2");
  EXPECT_EQ(Sts(kCallerIdentity).status, 200);
}

TEST_F(IamTest, DenyAnswersLambdaAccessDenied) {
  service_->faults().Replace({*ParseDenyFlag("lambda:InvokeFunction@mcp-echo")});
  auto denied = Send("lambda", "POST", "/2015-03-31/functions/mcp-echo/invocations", "{}");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(HeaderValue(denied.headers, "x-amzn-ErrorType"), "AccessDeniedException");
  EXPECT_EQ(json::parse(denied.body)["message"],
            Denied("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:210987654321:function:mcp-echo"));
  auto qualified = Send("lambda", "POST", "/2015-03-31/functions/mcp-echo/invocations?Qualifier=live", "{}",
                        {{"X-Amz-Invocation-Type", "DryRun"}});
  EXPECT_EQ(json::parse(qualified.body)["message"],
            Denied("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:210987654321:function:mcp-echo:live"));
  EXPECT_EQ(runtime_->calls, 0);
  EXPECT_EQ(Send("lambda", "POST", "/2015-03-31/functions/other/invocations", "{}").status, 200);
  EXPECT_EQ(Send("lambda", "GET", "/2015-03-31/functions/mcp-echo").status, 200);  // only one permission
  EXPECT_EQ(Sts(kCallerIdentity).status, 200);

  service_->faults().Replace({*ParseDenyFlag("lambda:ListFunctions"), *ParseDenyFlag("lambda:GetFunction"),
                              *ParseDenyFlag("lambda:ListTags")});
  auto list = Send("lambda", "GET", "/2015-03-31/functions/");
  EXPECT_EQ(list.status, 403);
  EXPECT_EQ(json::parse(list.body)["message"], Denied("lambda:ListFunctions", "*"));
  auto get = Send("lambda", "GET", "/2015-03-31/functions/other");
  EXPECT_EQ(json::parse(get.body)["message"],
            Denied("lambda:GetFunction", "arn:aws:lambda:eu-west-1:210987654321:function:other"));
  const std::string arn = "arn:aws:lambda:eu-west-1:210987654321:function:mcp-echo";
  auto tags = Send("lambda", "GET", "/2017-03-31/tags/" + aws::UriEncode(arn));
  EXPECT_EQ(json::parse(tags.body)["message"], Denied("lambda:ListTags", arn));
}

TEST_F(IamTest, DenyUsesEachServicesOwnShape) {
  service_->faults().Replace({*ParseDenyFlag("tag:GetResources"), *ParseDenyFlag("schemas:DescribeSchema")});
  auto tagging = Send("tagging", "POST", "/", "{}",
                      {{"X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.GetResources"},
                       {"Content-Type", "application/x-amz-json-1.1"}});
  EXPECT_EQ(tagging.status, 400);
  EXPECT_EQ(json::parse(tagging.body),
            json({{"__type", "AccessDeniedException"}, {"Message", Denied("tag:GetResources", "*")}}));
  auto schema = Send("schemas", "GET", "/v1/registries/name/reg/schemas/name/my.schema%40Evt");
  EXPECT_EQ(schema.status, 403);
  EXPECT_EQ(json::parse(schema.body),
            json({{"Code", "AccessDeniedException"},
                  {"Message", Denied("schemas:DescribeSchema",
                                     "arn:aws:schemas:eu-west-1:210987654321:schema/reg/my.schema@Evt")}}));
  EXPECT_EQ(service_->stats().ToJson()["faults_applied"], 2);
}

}  // namespace
}  // namespace lmcp::emulator
