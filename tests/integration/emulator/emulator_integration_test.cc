// The local endpoint over real HTTP on port 0, driven by the AWS layer's own clients (signed with SigV4):
// paging, the samples, Python and Node handlers (success, thrown error, timeout, crash, log tail,
// throttling, warm reuse), signature rejection, and each fault knob.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "aws/asio_http_client.h"
#include "aws/aws_session.h"
#include "aws/sigv4.h"
#include "catalog/aws_lambda_backend.h"
#include "emulator/local_endpoint.h"
#include "test_session.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kAkid[] = "AKIDINTEGRATION";
constexpr char kSecret[] = "integration-secret";

std::string FixturesDir() { return std::string(LMCP_TEST_DIR) + "/fixtures"; }

std::unique_ptr<aws::AwsSession> Session(const std::string& url, const std::string& secret = kSecret,
                                         const std::string& akid = kAkid) {
  auto s = StaticKeySession(url, akid, secret);
  EXPECT_NE(s, nullptr);
  return s;
}

class EndpointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    LocalOptions o;
    o.template_path = FixturesDir() + "/template.yaml";
    o.access_key_id = kAkid;
    o.secret_access_key = kSecret;
    o.synthetic_functions = 120;
    o.synthetic_tags = {"mcp=enabled"};
    auto ep = LocalEndpoint::Create(o);
    ASSERT_TRUE(ep.ok()) << ep.error().message;
    endpoint_ = ep->release();
    endpoint_->Start();
  }
  static void TearDownTestSuite() {
    delete endpoint_;
    endpoint_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(endpoint_, nullptr);
    endpoint_->service().faults().Clear();
    session_ = Session(endpoint_->url());
  }
  aws::AwsResult<aws::InvokeResult> Invoke(const std::string& name, const std::string& payload = "{}",
                                           bool tail = false) {
    aws::InvokeRequest r;
    r.function_name = name;
    r.payload = payload;
    r.tail_log = tail;
    return session_->lambda().Invoke(r);
  }
  // A raw signed request, for checks below the clients (connection resets, admin).
  aws::HttpResult Raw(const std::string& method, const std::string& path, const std::string& body = "",
                      bool sign = true, aws::HttpClient* client = nullptr) {
    aws::HttpRequest r;
    r.method = method;
    r.url = endpoint_->url() + path;
    r.body = body;
    if (sign) {
      aws::SigningParams p{"us-east-1", "lambda", std::chrono::system_clock::now()};
      EXPECT_TRUE(aws::Sign(r, {kAkid, kSecret, "", std::nullopt}, p).ok());
    }
    return (client ? *client : http_).Send(r);
  }
  // One function's counters; an empty object before its first invocation.
  json FnStats(const std::string& fn) {
    json s = Stats();
    return s["functions"].contains(fn) ? s["functions"][fn] : json::object();
  }
  int Invocations(const std::string& fn) { return FnStats(fn).value("invocations", 0); }
  json Stats() {
    auto r = Raw("GET", "/__admin/stats", "", false);
    EXPECT_TRUE(r.ok());
    return json::parse(r->body);
  }

  static LocalEndpoint* endpoint_;
  std::unique_ptr<aws::AwsSession> session_;
  aws::AsioHttpClient http_;
};

LocalEndpoint* EndpointTest::endpoint_ = nullptr;

TEST_F(EndpointTest, ListAllFunctionsPagesThrough132Functions) {
  int before = Stats()["operations"].value("ListFunctions", 0);
  auto all = session_->lambda().ListAllFunctions();
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->size(), 132u);                                              // 120 synthetic + 12 fixtures
  EXPECT_EQ(Stats()["operations"]["ListFunctions"].get<int>() - before, 3);  // 50 + 50 + 32
  aws::ListFunctionsRequest small;
  small.max_items = 10;
  auto page = session_->lambda().ListFunctions(small);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->functions.size(), 10u);
  EXPECT_FALSE(page->next_marker.empty());
}

TEST_F(EndpointTest, TaggingAndTags) {
  aws::GetResourcesRequest req;
  req.tag_filters = {{"mcp", {"enabled"}}};
  req.resource_type_filters = {"lambda:function"};
  auto all = session_->tagging().GetAllResources(req);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->size(), 120u);
  auto tags = session_->lambda().ListTags("arn:aws:lambda:us-east-1:123456789012:function:py-ok");
  ASSERT_TRUE(tags.ok()) << tags.error().ToString();
  EXPECT_EQ(tags->at("fixture"), "yes");
  auto fn = session_->lambda().GetFunction("py-ok", "live");
  ASSERT_TRUE(fn.ok()) << fn.error().ToString();
  auto missing = session_->lambda().GetFunction("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "ResourceNotFoundException");
  EXPECT_EQ(missing.error().http_status, 404);
}

// What `lambda-mcp serve` wires (catalog::AwsLambdaBackend::Create, the same AwsSession and clients as
// above) against the endpoint: discovery's calls, tags, and an Invoke with its log tail.
TEST_F(EndpointTest, ProductionBackendDiscoversAndInvokes) {
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", kAkid},
                                            {"AWS_SECRET_ACCESS_KEY", kSecret},
                                            {"AWS_MAX_ATTEMPTS", "1"},
                                            {"AWS_CONFIG_FILE", "/nonexistent/config"},
                                            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"},
                                            {"AWS_EC2_METADATA_DISABLED", "true"},
                                            {"AWS_ENDPOINT_URL", endpoint_->url()}};
  catalog::TargetOptions options;
  options.region = "us-east-1";
  auto backend = catalog::AwsLambdaBackend::Create(
      options, Clock::System(), [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) {
          return std::nullopt;
        }
        return it->second;
      });
  ASSERT_TRUE(backend.ok()) << backend.error().message;
  auto functions = (*backend)->ListFunctions();
  ASSERT_TRUE(functions.ok()) << functions.error().message;
  EXPECT_EQ(functions->size(), 132u);
  auto tagged = (*backend)->GetTaggedFunctions("mcp", "enabled");
  ASSERT_TRUE(tagged.ok()) << tagged.error().message;
  EXPECT_EQ(tagged->size(), 120u);
  auto tags = (*backend)->ListTags("arn:aws:lambda:us-east-1:123456789012:function:py-ok");
  ASSERT_TRUE(tags.ok()) << tags.error().message;
  EXPECT_EQ(tags->at("fixture"), "yes");

  int before = Invocations("py-ok");
  auto r = (*backend)->Invoke({"py-ok", "live", R"({"n":1})", std::chrono::seconds(30), true}, {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->function_error, "");
  EXPECT_EQ(json::parse(r->payload)["event"]["n"], 1);
  EXPECT_THAT(r->log_tail, HasSubstr("ok handler ran"));
  EXPECT_EQ(Invocations("py-ok") - before, 1);
  auto missing = (*backend)->Invoke({"nope", "", "{}", std::chrono::seconds(5), false}, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("ResourceNotFoundException: "));
}

class RuntimeTest : public EndpointTest, public ::testing::WithParamInterface<std::string> {
 protected:
  std::string Fn(const std::string& what) { return GetParam() + "-" + what; }
};

TEST_P(RuntimeTest, SuccessWithContextAndWarmReuse) {
  aws::InvokeRequest r;
  r.function_name = Fn("ok");
  r.qualifier = "live";
  r.payload = R"({"hello":"world"})";
  r.client_context_json = R"({"custom":{"tenant":"t1"}})";
  r.trace_header = "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1";
  auto first = session_->lambda().Invoke(r);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->status_code, 200);
  EXPECT_EQ(first->function_error, "");
  EXPECT_EQ(first->executed_version, "1");
  auto j = json::parse(first->payload);
  EXPECT_EQ(j["runtime"], GetParam() == "py" ? "python" : "node");
  EXPECT_EQ(j["event"]["hello"], "world");
  EXPECT_EQ(j["functionName"], Fn("ok"));
  EXPECT_EQ(j["functionVersion"], "1");
  EXPECT_EQ(j["requestId"], first->request_id);
  EXPECT_EQ(j["arn"], "arn:aws:lambda:us-east-1:123456789012:function:" + Fn("ok") + ":live");
  EXPECT_EQ(j["remainingPositive"], true);
  EXPECT_EQ(j["custom"]["tenant"], "t1");
  EXPECT_EQ(j["env"], "from-template");
  EXPECT_EQ(j["traceId"], r.trace_header);  // _X_AMZN_TRACE_ID, as Lambda sets it
  r.trace_header.clear();
  auto second = session_->lambda().Invoke(r);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(json::parse(second->payload)["pid"], j["pid"]);  // the warm worker was reused
  EXPECT_TRUE(json::parse(second->payload)["traceId"].is_null())
      << "one invocation's trace id, not the next's";
  EXPECT_NE(json::parse(second->payload)["requestId"], j["requestId"]);
}

TEST_P(RuntimeTest, ThrownErrorIsUnhandledFunctionError) {
  auto r = Invoke(Fn("throw"), "{}", true);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->status_code, 200);
  EXPECT_EQ(r->function_error, "Unhandled");
  auto j = json::parse(r->payload);
  EXPECT_EQ(j["errorType"], "FixtureError");
  EXPECT_THAT(j["errorMessage"].get<std::string>(), HasSubstr("failed on purpose"));
  const char* trace_key = GetParam() == "py" ? "stackTrace" : "trace";  // as the real runtimes name it
  ASSERT_TRUE(j.contains(trace_key)) << j.dump();
  EXPECT_FALSE(j[trace_key].empty());
  EXPECT_THAT(r->log_result, HasSubstr("about to fail"));
  // The worker survives a thrown error.
  EXPECT_EQ(Invoke(Fn("throw"))->function_error, "Unhandled");
}

TEST_P(RuntimeTest, TimeoutKillsTheHandler) {
  auto r = Invoke(Fn("sleep"), R"({"seconds":5})", true);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->function_error, "Unhandled");
  auto j = json::parse(r->payload);
  EXPECT_EQ(j["errorType"], "Sandbox.Timedout");
  EXPECT_THAT(j["errorMessage"].get<std::string>(), HasSubstr("Task timed out after 1.00 seconds"));
  EXPECT_THAT(r->log_result, HasSubstr("Task timed out after 1.00 seconds"));
  EXPECT_THAT(r->log_result, HasSubstr("sleeping 5"));
  auto next = Invoke(Fn("sleep"), R"({"seconds":0})");  // a fresh worker answers the next call
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->function_error, "");
  EXPECT_NE(json::parse(next->payload)["pid"], nullptr);
  EXPECT_GE(FnStats(Fn("sleep")).value("timeouts", 0), 1);
}

TEST_P(RuntimeTest, CrashIsRuntimeExitError) {
  auto r = Invoke(Fn("crash"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->function_error, "Unhandled");
  auto j = json::parse(r->payload);
  EXPECT_EQ(j["errorType"], "Runtime.ExitError");
  EXPECT_THAT(j["errorMessage"].get<std::string>(), HasSubstr("exit status 3"));
}

TEST_P(RuntimeTest, LogTailIsTheLast4KB) {
  auto r = Invoke(Fn("noisy"), "{}", true);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->log_result.size(), 4096u);
  EXPECT_THAT(r->log_result, HasSubstr("LAST-LINE"));
  EXPECT_THAT(r->log_result, HasSubstr("END RequestId: " + r->request_id));
  EXPECT_THAT(r->log_result, HasSubstr("REPORT RequestId: " + r->request_id));
  EXPECT_THAT(r->log_result, ::testing::Not(HasSubstr("noisy line 0000")));
  auto untailed = Invoke(Fn("noisy"));
  EXPECT_EQ(untailed->log_result, "");
}

TEST_P(RuntimeTest, ReservedConcurrencyThrottles) {
  std::string fn = Fn("limited");
  int before = Invocations(fn);
  std::thread slow([&] {
    auto session = Session(endpoint_->url());
    aws::InvokeRequest r;
    r.function_name = fn;
    r.payload = R"({"seconds":1.5})";
    auto res = session->lambda().Invoke(r);
    EXPECT_TRUE(res.ok());
    EXPECT_EQ(res->function_error, "");
  });
  for (int i = 0; i < 500 && FnStats(fn).value("concurrency", json::object()).value("current", 0) < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto throttled = Invoke(fn, R"({"seconds":0})");
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().http_status, 429);
  EXPECT_EQ(throttled.error().code, "TooManyRequestsException");
  EXPECT_TRUE(throttled.error().throttling);
  slow.join();
  auto stats = FnStats(fn);
  EXPECT_EQ(stats["invocations"].get<int>() - before, 1);
  EXPECT_GE(stats["throttles"].get<int>(), 1);
  EXPECT_EQ(stats["concurrency"]["peak"], 1);
}

// A client that gives up on a RequestResponse Invoke (as lambda-mcp does for tasks/cancel: the stop aborts
// the HTTP request) aborts the handler: the endpoint counts it `aborted` and kills the worker, so the
// function's one reserved slot is free again long before the handler would have finished.
TEST_P(RuntimeTest, AClientThatGivesUpAbortsTheHandler) {
  std::string fn = Fn("limited");  // Timeout 10 s, reserved concurrency 1
  const int aborted = FnStats(fn).value("aborted", 0);
  const int aborted_total = Stats().value("aborted", 0);
  std::stop_source stop;
  std::optional<aws::AwsResult<aws::InvokeResult>> result;
  std::thread call([&] {
    auto session = Session(endpoint_->url());
    aws::InvokeRequest r;
    r.function_name = fn;
    r.payload = R"({"seconds":9})";
    r.stop = stop.get_token();
    result.emplace(session->lambda().Invoke(std::move(r)));
  });
  auto current = [&] { return FnStats(fn).value("concurrency", json::object()).value("current", 0); };
  for (int i = 0; i < 500 && current() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(current(), 1);
  stop.request_stop();
  call.join();
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->ok());
  for (int i = 0; i < 500 && FnStats(fn).value("aborted", 0) == aborted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(FnStats(fn).value("aborted", 0), aborted + 1);
  EXPECT_EQ(Stats().value("aborted", 0), aborted_total + 1);
  EXPECT_EQ(current(), 0);
  auto next = Invoke(fn, R"({"seconds":0})");  // not throttled: the aborted handler holds no slot
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->function_error, "");
}

INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeTest, ::testing::Values("py", "node"));

TEST_F(EndpointTest, EventAndDryRun) {
  int before = Invocations("py-ok");
  aws::InvokeRequest r;
  r.function_name = "py-ok";
  r.invocation_type = aws::InvocationType::kDryRun;
  auto dry = session_->lambda().Invoke(r);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->status_code, 204);
  r.invocation_type = aws::InvocationType::kEvent;
  auto event = session_->lambda().Invoke(r);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->status_code, 202);
  endpoint_->service().WaitForEventInvocations();
  EXPECT_EQ(Invocations("py-ok") - before, 1);
}

// What `lambda-mcp doctor` asks the endpoint through our own clients: who the caller is (STS), and whether a
// removed permission (a deny rule) reaches the aws layer as a permission error.
TEST_F(EndpointTest, CallerIdentityAndADeniedInvoke) {
  auto me = session_->sts().GetCallerIdentity();
  ASSERT_TRUE(me.ok()) << me.error().ToString();
  EXPECT_EQ(me->account, "123456789012");
  EXPECT_EQ(me->arn, "arn:aws:iam::123456789012:user/lambda-mcp-local");
  EXPECT_THAT(me->user_id, ::testing::MatchesRegex("AIDA[A-Z2-7]{17}"));

  endpoint_->service().faults().Replace({*ParseDenyFlag("lambda:InvokeFunction@py-ok")});
  aws::InvokeRequest r;
  r.function_name = "py-ok";
  r.invocation_type = aws::InvocationType::kDryRun;
  auto denied = session_->lambda().Invoke(r);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().http_status, 403);
  EXPECT_EQ(denied.error().code, "AccessDeniedException");
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::123456789012:user/lambda-mcp-local is not authorized to perform: "
            "lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:py-ok because "
            "no identity-based policy allows the lambda:InvokeFunction action");
  EXPECT_FALSE(denied.error().retryable());
  EXPECT_EQ(denied.error().ToError().code, ErrorCode::kPermissionDenied);
  aws::ListFunctionsRequest one;
  one.max_items = 1;
  EXPECT_TRUE(session_->lambda().ListFunctions(one).ok());  // one permission removed, not all
  EXPECT_TRUE(session_->sts().GetCallerIdentity().ok());
}

TEST_F(EndpointTest, WrongSignaturesAreRejected) {
  auto wrong = Session(endpoint_->url(), "wrong-secret");
  auto r = wrong->lambda().ListFunctions({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, 403);
  EXPECT_EQ(r.error().code, "InvalidSignatureException");
  auto unknown = Session(endpoint_->url(), kSecret, "AKIDUNKNOWN");
  auto u = unknown->lambda().GetFunction("py-ok");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, "UnrecognizedClientException");
  auto schema = wrong->schemas().DescribeSchema("r", "s");
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.error().code, "InvalidSignatureException");
  aws::GetResourcesRequest gr;
  auto tagging = wrong->tagging().GetResources(gr);
  ASSERT_FALSE(tagging.ok());
  EXPECT_EQ(tagging.error().code, "InvalidSignatureException");
  auto identity = wrong->sts().GetCallerIdentity();  // STS answers in its own XML error shape
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(identity.error().ToError().code, ErrorCode::kUnauthenticated);
  auto unsigned_call = Raw("GET", "/2015-03-31/functions/", "", false);
  ASSERT_TRUE(unsigned_call.ok());
  EXPECT_EQ(unsigned_call->status, 403);
}

TEST_F(EndpointTest, FaultLatency) {
  endpoint_->service().faults().Replace({*ParseFaultFlag("GetFunction@py-ok:latency=300")});
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(session_->lambda().GetFunction("py-ok").ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(session_->lambda().GetFunction("py-throw").ok());  // other functions are not delayed
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

TEST_F(EndpointTest, FaultErrorAndThrottleViaAdminEndpoint) {
  auto put = Raw("PUT", "/__admin/faults",
                 R"([{"operation":"Invoke","function":"py-ok","type":"error","status":503,"count":1},
                     {"operation":"ListTags","type":"throttle","retry_after_seconds":2}])",
                 false);
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(put->status, 200) << put->body;
  int before = Invocations("py-ok");
  auto e = Invoke("py-ok");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().http_status, 503);
  EXPECT_TRUE(e.error().transient);
  EXPECT_EQ(Invocations("py-ok"), before);  // never ran
  EXPECT_TRUE(Invoke("py-ok").ok());        // count=1 spent
  auto t = session_->lambda().ListTags("arn:aws:lambda:us-east-1:123456789012:function:py-ok");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().http_status, 429);
  EXPECT_TRUE(t.error().throttling);
  ASSERT_TRUE(t.error().retry_after.has_value());
  EXPECT_EQ(t.error().retry_after->count(), 2);
  ASSERT_TRUE(Raw("DELETE", "/__admin/faults", "", false).ok());
  EXPECT_TRUE(session_->lambda().ListTags("arn:aws:lambda:us-east-1:123456789012:function:py-ok").ok());
}

TEST_F(EndpointTest, FaultConnectionResets) {
  int before = Invocations("py-ok");
  endpoint_->service().faults().Replace({*ParseFaultFlag("Invoke@py-ok:reset,count=1")});
  // A fresh client: on a reused connection that dies without a response, the client sends an idempotent
  // request again on a new one (so a reset on a reused connection would be retried here).
  aws::AsioHttpClient fresh;
  auto none = Raw("POST", "/2015-03-31/functions/py-ok/invocations", "{}", true, &fresh);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, aws::HttpErrorKind::kConnectionReset) << none.error().message;
  EXPECT_EQ(Invocations("py-ok"), before);  // reset before running

  endpoint_->service().faults().Replace({*ParseFaultFlag("Invoke@py-ok:reset_before_body,count=1")});
  auto mid = Raw("POST", "/2015-03-31/functions/py-ok/invocations", "{}");
  ASSERT_FALSE(mid.ok());
  EXPECT_EQ(mid.error().kind, aws::HttpErrorKind::kConnectionReset) << mid.error().message;
  EXPECT_EQ(Invocations("py-ok"), before + 1);  // it ran

  endpoint_->service().faults().Replace({*ParseFaultFlag("Invoke@py-ok:reset_after_body,count=1")});
  auto after = Raw("POST", "/2015-03-31/functions/py-ok/invocations", "{}");
  ASSERT_TRUE(after.ok()) << after.error().message;  // the whole response arrived before the reset
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(Invocations("py-ok"), before + 2);
  EXPECT_TRUE(Invoke("py-ok").ok());  // the client recovers on a new connection
}

TEST(SamplesTest, EverySampleAnswers) {
  LocalOptions o;
  o.template_path = std::string(LMCP_EXAMPLES_DIR) + "/template.yaml";
  o.access_key_id = kAkid;
  o.secret_access_key = kSecret;
  auto ep = LocalEndpoint::Create(o);
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  (*ep)->Start();
  auto session = Session((*ep)->url());
  auto fns = session->lambda().ListAllFunctions();
  ASSERT_TRUE(fns.ok());
  EXPECT_EQ(fns->size(), 8u);
  // Each sample tool's schema tag resolves through DescribeSchema: every one has an input schema.
  for (const char* name : {"mcp-customer-lookup", "mcp-create-ticket", "mcp-render-chart", "mcp-slow-report",
                           "mcp-echo", "mcp-long-job", "mcp-notify"}) {
    auto tags =
        session->lambda().ListTags(std::string("arn:aws:lambda:us-east-1:123456789012:function:") + name);
    ASSERT_TRUE(tags.ok());
    std::string arn = tags->at("tool-input-schema-arn");
    std::string path = arn.substr(arn.find(":schema/") + 8);
    auto schema =
        session->schemas().DescribeSchema(path.substr(0, path.find('/')), path.substr(path.find('/') + 1));
    ASSERT_TRUE(schema.ok()) << schema.error().ToString();
    EXPECT_TRUE(json::accept(schema->content));
  }
  auto call = [&](const std::string& fn, const std::string& payload) {
    aws::InvokeRequest r;
    r.function_name = fn;
    r.payload = payload;
    auto res = session->lambda().Invoke(r);
    EXPECT_TRUE(res.ok()) << fn;
    return res.ok() ? std::move(*res) : aws::InvokeResult{};
  };
  auto lookup = call("mcp-customer-lookup", R"({"customerId":"C002"})");
  EXPECT_EQ(json::parse(lookup.payload)["customer"]["name"], "Alan Turing");
  EXPECT_EQ(call("mcp-customer-lookup", R"({"customerId":"C999"})").function_error, "Unhandled");
  auto ticket = call("mcp-create-ticket", R"({"customerId":"C001","title":"Printer on fire"})");
  EXPECT_EQ(json::parse(ticket.payload)["status"], "open");
  auto invalid = call("mcp-create-ticket", R"({"customerId":"x","title":"no","priority":"urgent"})");
  EXPECT_EQ(invalid.function_error, "Unhandled");
  EXPECT_EQ(json::parse(invalid.payload)["errorType"], "ValidationError");
  auto chart = call("mcp-render-chart", R"({"values":[1,2,3]})");
  auto content = json::parse(chart.payload)["content"];
  EXPECT_EQ(content[0]["type"], "image");
  EXPECT_EQ(content[0]["mimeType"], "image/png");
  EXPECT_EQ(content[0]["data"].get<std::string>().substr(0, 8), "iVBORw0K");  // PNG signature
  auto report = call("mcp-slow-report", R"({"seconds":0.5,"topic":"q3"})");
  EXPECT_EQ(json::parse(report.payload)["report"], "Report for q3");
  auto echo = call("mcp-echo", R"({"x":1})");
  EXPECT_EQ(json::parse(echo.payload)["stage"], "dev");
  (*ep)->Stop();
}

}  // namespace
}  // namespace lmcp::emulator
