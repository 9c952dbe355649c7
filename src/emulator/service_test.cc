#include "emulator/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <nlohmann/json.hpp>
#include <thread>

#include "aws/sigv4.h"
#include "aws/url.h"
#include "common/base64.h"
#include "emulator/template.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kAkid[] = "AKIDTEST";
constexpr char kSecret[] = "test-secret";
const aws::Headers kLocal = {{"Host", "127.0.0.1:9999"}};

// Records invocations; can hold them until released (for concurrency tests).
class FakeRuntime : public FunctionRuntime {
 public:
  InvokeOutput Invoke(const FunctionSpec& f, const InvokeInput& in) override {
    std::unique_lock<std::mutex> lock(mu);
    calls.push_back(f.name + "@" + in.version + " " + in.payload + " cc=" + in.client_context);
    client_fds.push_back(in.client_fd);
    ++running;
    cv.notify_all();
    cv.wait(lock, [&] { return !hold || f.name != "limited"; });
    InvokeOutput out;
    if (watch_client && in.client_fd >= 0) {  // runs until the client hangs up, as a long handler would
      lock.unlock();
      pollfd p{in.client_fd, POLLRDHUP, 0};
      out.aborted = ::poll(&p, 1, 10'000) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
      lock.lock();
      --running;
      return out;
    }
    --running;
    if (f.name == "fails") {
      out.function_error = "Unhandled";
      out.payload = R"({"errorType":"Error","errorMessage":"boom"})";
    } else {
      out.payload = in.payload;
    }
    out.log = std::string(5000, 'x') + "END";
    return out;
  }
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> calls;
  std::vector<int> client_fds;  // InvokeInput::client_fd of each call
  int running = 0;
  bool hold = false;
  bool watch_client = false;  // wait for the client to hang up, then report the invocation aborted
};

Deployment TestDeployment() {
  Deployment d;
  AddSyntheticFunctions(d, 120, "syn-", {{"mcp", "enabled"}});
  FunctionSpec aliased;
  aliased.name = "aliased";
  aliased.runtime = "echo";
  aliased.handler = "echo";
  aliased.alias = "live";
  aliased.tags = {{"team", "a"}};
  d.functions.push_back(aliased);
  FunctionSpec fails = aliased;
  fails.name = "fails";
  fails.alias = "";
  fails.tags = {{"team", "b"}, {"mcp", "enabled"}};
  d.functions.push_back(fails);
  FunctionSpec limited = fails;
  limited.name = "limited";
  limited.reserved_concurrency = 1;
  limited.tags.clear();
  d.functions.push_back(limited);
  SchemaSpec s;
  s.registry = "reg";
  s.name = "my.schema@Evt";
  s.content = R"({"type":"object"})";
  s.tags = {{"k", "v"}};
  d.schemas.push_back(s);
  std::string err;
  EXPECT_TRUE(FinalizeDeployment(d, &err)) << err;
  return d;
}

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() {
    auto runtime = std::make_unique<FakeRuntime>();
    runtime_ = runtime.get();
    ServiceOptions o;
    o.credentials.push_back({kAkid, kSecret, "", std::nullopt});
    o.verifier = &aws::Verify;
    service_ = std::make_unique<LocalService>(TestDeployment(), o, std::move(runtime), clock_);
  }

  ServerResponse Send(const std::string& service, const std::string& method, const std::string& target,
                      const std::string& body = "", aws::Headers headers = {},
                      const std::string& secret = kSecret, const std::string& akid = kAkid,
                      const std::string& region = "us-east-1") {
    aws::HttpRequest r;
    r.method = method;
    r.url = "http://127.0.0.1:9999" + target;
    r.headers = std::move(headers);
    r.body = body;
    aws::SigningParams p;
    p.region = region;
    p.service = service;
    p.time = clock_.Now();
    auto signed_ok = aws::Sign(r, {akid, secret, "", std::nullopt}, p);
    EXPECT_TRUE(signed_ok.ok());
    return Raw(method, target, r.headers, body);
  }
  ServerResponse Raw(const std::string& method, const std::string& target, const aws::Headers& headers,
                     const std::string& body = "") {
    ServerRequest s;
    s.method = method;
    s.target = target;
    size_t q = target.find('?');
    s.path = target.substr(0, q);
    s.query = q == std::string::npos ? "" : target.substr(q + 1);
    s.headers = headers;
    s.body = body;
    s.peer_fd = peer_fd_;
    return service_->Handle(s);
  }
  ServerResponse Invoke(const std::string& name, const std::string& body = "{}", aws::Headers headers = {},
                        const std::string& query = "") {
    return Send("lambda", "POST", "/2015-03-31/functions/" + name + "/invocations" + query, body,
                std::move(headers));
  }
  static json Body(const ServerResponse& r) { return json::parse(r.body); }

  FakeClock clock_;
  FakeRuntime* runtime_;
  std::unique_ptr<LocalService> service_;
  int peer_fd_ = -1;  // the connection the requests arrive on (ServerRequest::peer_fd)
};

TEST_F(ServiceTest, ListFunctionsPagesOf50WithMarkers) {
  std::vector<std::string> names;
  std::string marker;
  int pages = 0;
  do {
    auto r = Send("lambda", "GET",
                  "/2015-03-31/functions/" + (marker.empty() ? "" : "?Marker=" + aws::UriEncode(marker)));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = Body(r);
    EXPECT_LE(j["Functions"].size(), 50u);
    for (const auto& f : j["Functions"]) {
      names.push_back(f["FunctionName"]);
    }
    marker = j.contains("NextMarker") ? j["NextMarker"].get<std::string>() : "";
    ++pages;
  } while (!marker.empty());
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(names.size(), 123u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 123u);
  EXPECT_EQ(service_->stats().Operations("ListFunctions"), 3);
}

TEST_F(ServiceTest, ListFunctionsMaxItemsAndValidation) {
  auto r = Send("lambda", "GET", "/2015-03-31/functions?MaxItems=7");
  ASSERT_EQ(r.status, 200);
  auto j = Body(r);
  EXPECT_EQ(j["Functions"].size(), 7u);
  EXPECT_EQ(j["Functions"][0]["FunctionName"], "aliased");
  EXPECT_EQ(j["Functions"][0]["Version"], "$LATEST");
  EXPECT_EQ(j["Functions"][0]["LastModified"].get<std::string>().size(),
            28u);  // 2024-05-01T12:00:00.000+0000
  auto second =
      Send("lambda", "GET",
           "/2015-03-31/functions?MaxItems=7&Marker=" + aws::UriEncode(j["NextMarker"].get<std::string>()));
  EXPECT_EQ(Body(second)["Functions"][0]["FunctionName"], "syn-0005");
  auto all = Send("lambda", "GET", "/2015-03-31/functions?FunctionVersion=ALL&MaxItems=3");
  auto versions = Body(all)["Functions"];
  EXPECT_EQ(versions[1]["Version"], "1");
  EXPECT_EQ(versions[1]["FunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:aliased:1");
  for (const char* bad :
       {"MaxItems=0", "MaxItems=10001", "MaxItems=x", "Marker=%21%21", "FunctionVersion=LATEST"}) {
    auto e = Send("lambda", "GET", std::string("/2015-03-31/functions?") + bad);
    EXPECT_EQ(e.status, 400) << bad;
    EXPECT_EQ(HeaderValue(e.headers, "x-amzn-ErrorType"), "InvalidParameterValueException") << bad;
    EXPECT_EQ(Body(e)["Type"], "User");
    EXPECT_TRUE(Body(e).contains("message")) << bad;
  }
}

TEST_F(ServiceTest, GetFunctionAndNotFoundShape) {
  auto r = Send("lambda", "GET", "/2015-03-31/functions/limited");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = Body(r);
  EXPECT_EQ(j["Configuration"]["State"], "Active");
  EXPECT_EQ(j["Concurrency"]["ReservedConcurrentExecutions"], 1);
  EXPECT_EQ(j["Code"]["RepositoryType"], "S3");
  auto missing = Send("lambda", "GET", "/2015-03-31/functions/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(HeaderValue(missing.headers, "x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_FALSE(HeaderValue(missing.headers, "x-amzn-RequestId").empty());
  EXPECT_EQ(Body(missing),
            json({{"Type", "User"},
                  {"Message", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"}}));
  auto by_arn = Send("lambda", "GET",
                     "/2015-03-31/functions/" +
                         aws::UriEncode("arn:aws:lambda:us-east-1:123456789012:function:aliased:live"));
  ASSERT_EQ(by_arn.status, 200) << by_arn.body;
  EXPECT_EQ(Body(by_arn)["Configuration"]["Version"], "1");
  auto other_account = Send(
      "lambda", "GET",
      "/2015-03-31/functions/" + aws::UriEncode("arn:aws:lambda:us-east-1:999999999999:function:aliased"));
  EXPECT_EQ(other_account.status, 404);
}

TEST_F(ServiceTest, ListTags) {
  auto r = Send("lambda", "GET",
                "/2017-03-31/tags/" + aws::UriEncode("arn:aws:lambda:us-east-1:123456789012:function:fails"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["Tags"], json({{"team", "b"}, {"mcp", "enabled"}}));
  auto qualified = Send(
      "lambda", "GET",
      "/2017-03-31/tags/" + aws::UriEncode("arn:aws:lambda:us-east-1:123456789012:function:aliased:live"));
  EXPECT_EQ(qualified.status, 400);
  auto missing =
      Send("lambda", "GET",
           "/2017-03-31/tags/" + aws::UriEncode("arn:aws:lambda:us-east-1:123456789012:function:x"));
  EXPECT_EQ(missing.status, 404);
}

TEST_F(ServiceTest, InvokeQualifiersAndTypes) {
  auto latest = Invoke("aliased", R"({"a":1})");
  ASSERT_EQ(latest.status, 200) << latest.body;
  EXPECT_EQ(latest.body, R"({"a":1})");
  EXPECT_EQ(HeaderValue(latest.headers, "X-Amz-Executed-Version"), "$LATEST");
  EXPECT_EQ(HeaderValue(latest.headers, "X-Amz-Log-Result"), "");
  EXPECT_EQ(HeaderValue(Invoke("aliased", "{}", {}, "?Qualifier=live").headers, "X-Amz-Executed-Version"),
            "1");
  EXPECT_EQ(HeaderValue(Invoke("aliased:1").headers, "X-Amz-Executed-Version"), "1");
  EXPECT_EQ(
      HeaderValue(Invoke("aliased", "{}", {}, "?Qualifier=%24LATEST").headers, "X-Amz-Executed-Version"),
      "$LATEST");
  auto unknown_alias = Invoke("aliased:beta");
  EXPECT_EQ(unknown_alias.status, 404);
  EXPECT_THAT(Body(unknown_alias)["Message"].get<std::string>(), HasSubstr("function:aliased:beta"));
  EXPECT_EQ(Invoke("aliased:live", "{}", {}, "?Qualifier=1").status, 400);
  EXPECT_EQ(Invoke("fails:live").status, 404);  // no published versions

  auto dry = Invoke("aliased", "{}", {{"X-Amz-Invocation-Type", "DryRun"}});
  EXPECT_EQ(dry.status, 204);
  auto event = Invoke("aliased", R"({"e":2})", {{"X-Amz-Invocation-Type", "Event"}});
  EXPECT_EQ(event.status, 202);
  EXPECT_TRUE(event.body.empty());
  service_->WaitForEventInvocations();
  EXPECT_EQ(service_->stats().Invocations("aliased"), 5);  // 4 sync + 1 event; DryRun runs nothing
  EXPECT_EQ(runtime_->calls.back(), R"(aliased@$LATEST {"e":2} cc=)");
  EXPECT_EQ(Invoke("aliased", "{}", {{"X-Amz-Invocation-Type", "Sometimes"}}).status, 400);
  EXPECT_EQ(Invoke("aliased", "{}", {{"X-Amz-Log-Type", "Verbose"}}).status, 400);
}

TEST_F(ServiceTest, InvokePayloadRules) {
  Invoke("aliased", "");
  EXPECT_EQ(runtime_->calls.back(), "aliased@$LATEST {} cc=");  // empty payload is {}
  auto bad = Invoke("aliased", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(HeaderValue(bad.headers, "x-amzn-ErrorType"), "InvalidRequestContentException");
  auto big = Invoke("aliased", "\"" + std::string(6 * 1024 * 1024, 'a') + "\"");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(HeaderValue(big.headers, "x-amzn-ErrorType"), "RequestTooLargeException");
  auto big_event =
      Invoke("aliased", "\"" + std::string(1024 * 1024, 'a') + "\"", {{"X-Amz-Invocation-Type", "Event"}});
  EXPECT_EQ(big_event.status, 413);
  // {"custom":{"k":"v"}} in base64
  auto cc = Invoke("aliased", "{}", {{"X-Amz-Client-Context", "eyJjdXN0b20iOnsiayI6InYifX0="}});
  EXPECT_EQ(cc.status, 200);
  EXPECT_EQ(runtime_->calls.back(), R"(aliased@$LATEST {} cc={"custom":{"k":"v"}})");
  EXPECT_EQ(Invoke("aliased", "{}", {{"X-Amz-Client-Context", "!!notbase64"}}).status, 400);
}

TEST_F(ServiceTest, FunctionErrorAndLogTail) {
  auto r = Invoke("fails", "{}", {{"X-Amz-Log-Type", "Tail"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(HeaderValue(r.headers, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(Body(r)["errorMessage"], "boom");
  std::string tail = HeaderValue(r.headers, "X-Amz-Log-Result");
  auto decoded = Base64Decode(tail);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->size(), 4096u);  // exactly the last 4 KB of the 5003-byte log
  EXPECT_EQ(decoded->substr(decoded->size() - 4), "xEND");
}

TEST_F(ServiceTest, ReservedConcurrencyThrottles) {
  {
    std::lock_guard<std::mutex> lock(runtime_->mu);
    runtime_->hold = true;
  }
  std::thread first([&] { EXPECT_EQ(Invoke("limited").status, 200); });
  {
    std::unique_lock<std::mutex> lock(runtime_->mu);
    runtime_->cv.wait(lock, [&] { return runtime_->running == 1; });
  }
  auto throttled = Invoke("limited");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(HeaderValue(throttled.headers, "x-amzn-ErrorType"), "TooManyRequestsException");
  EXPECT_EQ(Body(throttled)["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_EQ(Invoke("aliased").status, 200);  // other functions are not limited
  {
    std::lock_guard<std::mutex> lock(runtime_->mu);
    runtime_->hold = false;
  }
  runtime_->cv.notify_all();
  first.join();
  auto stats = service_->stats().ToJson();
  EXPECT_EQ(stats["functions"]["limited"]["invocations"], 1);
  EXPECT_EQ(stats["functions"]["limited"]["throttles"], 1);
  EXPECT_EQ(stats["functions"]["limited"]["concurrency"]["peak"], 1);
  EXPECT_EQ(Invoke("limited").status, 200);
}

// A test that sends every call a unique argument reads a payload seen twice as a re-sent Invoke.
TEST_F(ServiceTest, CountsInvokesWhosePayloadWasSeenBefore) {
  EXPECT_EQ(Invoke("aliased", R"({"call":1})").status, 200);
  EXPECT_EQ(Invoke("aliased", R"({"call":2})").status, 200);
  EXPECT_EQ(service_->stats().ToJson()["functions"]["aliased"]["duplicate_payloads"], 0);
  EXPECT_EQ(Invoke("aliased", R"({"call":1})").status, 200);
  auto stats = service_->stats().ToJson();
  EXPECT_EQ(stats["functions"]["aliased"]["duplicate_payloads"], 1);
  EXPECT_EQ(stats["functions"]["aliased"]["invocations"], 3);
  service_->stats().Reset();
  EXPECT_EQ(Invoke("aliased", R"({"call":1})").status, 200);
  EXPECT_EQ(service_->stats().ToJson()["functions"]["aliased"]["duplicate_payloads"], 0);
}

// The client of a RequestResponse Invoke hangs up while its handler runs: the runtime is told (client_fd),
// stops, and the invocation counts as aborted, per function and overall; nobody is answered.
TEST_F(ServiceTest, AClientThatHangsUpAbortsItsInvocation) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  peer_fd_ = fds[0];
  runtime_->watch_client = true;
  ServerResponse answer;
  std::thread call([&] { answer = Invoke("aliased", R"({"seconds":20})"); });
  {
    std::unique_lock<std::mutex> lock(runtime_->mu);
    runtime_->cv.wait(lock, [&] { return runtime_->running == 1; });
  }
  EXPECT_EQ(service_->stats().Aborted("aliased"), 0);
  ::close(fds[1]);  // the client goes away
  call.join();
  ::close(fds[0]);
  EXPECT_EQ(answer.disconnect, Disconnect::kResetNoResponse);
  EXPECT_EQ(runtime_->client_fds.back(), fds[0]);
  auto stats = service_->stats().ToJson();
  EXPECT_EQ(stats["functions"]["aliased"]["aborted"], 1);
  EXPECT_EQ(stats["functions"]["aliased"]["invocations"], 1);
  EXPECT_EQ(stats["functions"]["aliased"]["errors"], 0);
  EXPECT_EQ(stats["functions"]["aliased"]["concurrency"]["current"], 0);
  EXPECT_EQ(stats["aborted"], 1);

  // A client that stays gets its answer; an Event invocation has no client to watch.
  runtime_->watch_client = false;
  int live[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, live), 0);
  peer_fd_ = live[0];
  EXPECT_EQ(Invoke("aliased").status, 200);
  EXPECT_EQ(runtime_->client_fds.back(), live[0]);
  EXPECT_EQ(Invoke("aliased", "{}", {{"X-Amz-Invocation-Type", "Event"}}).status, 202);
  service_->WaitForEventInvocations();
  EXPECT_EQ(runtime_->client_fds.back(), -1);
  ::close(live[0]);
  ::close(live[1]);
  EXPECT_EQ(service_->stats().ToJson()["aborted"], 1);
  service_->stats().Reset();
  EXPECT_EQ(service_->stats().ToJson()["aborted"], 0);
}

TEST_F(ServiceTest, SignatureFailures) {
  auto wrong_secret = Send("lambda", "GET", "/2015-03-31/functions/", "", {}, "not-the-secret");
  EXPECT_EQ(wrong_secret.status, 403);
  EXPECT_EQ(HeaderValue(wrong_secret.headers, "x-amzn-ErrorType"), "InvalidSignatureException");
  auto unknown_key = Send("lambda", "GET", "/2015-03-31/functions/", "", {}, kSecret, "AKIDOTHER");
  EXPECT_EQ(unknown_key.status, 403);
  EXPECT_EQ(HeaderValue(unknown_key.headers, "x-amzn-ErrorType"), "UnrecognizedClientException");
  EXPECT_EQ(Body(unknown_key)["message"], "The security token included in the request is invalid.");
  auto unsigned_request = Raw("GET", "/2015-03-31/functions/", {{"Host", "127.0.0.1:9999"}});
  EXPECT_EQ(unsigned_request.status, 403);
  EXPECT_EQ(HeaderValue(unsigned_request.headers, "x-amzn-ErrorType"), "MissingAuthenticationTokenException");
  auto wrong_service = Send("schemas", "GET", "/2015-03-31/functions/");
  EXPECT_EQ(wrong_service.status, 403);
  EXPECT_THAT(wrong_service.body, HasSubstr("correct service"));
  auto wrong_region = Send("lambda", "GET", "/2015-03-31/functions/", "", {}, kSecret, kAkid, "eu-west-1");
  EXPECT_EQ(wrong_region.status, 403);
  // Tampering after signing breaks the signature.
  aws::HttpRequest r;
  r.method = "POST";
  r.url = "http://127.0.0.1:9999/2015-03-31/functions/aliased/invocations";
  r.body = R"({"a":1})";
  aws::SigningParams p{"us-east-1", "lambda", clock_.Now()};
  ASSERT_TRUE(aws::Sign(r, {kAkid, kSecret, "", std::nullopt}, p).ok());
  EXPECT_EQ(Raw("POST", "/2015-03-31/functions/aliased/invocations", r.headers, R"({"a":2})").status, 403);
  EXPECT_EQ(Raw("POST", "/2015-03-31/functions/aliased/invocations", r.headers, R"({"a":1})").status, 200);
  clock_.Advance(std::chrono::minutes(6));
  auto expired = Raw("POST", "/2015-03-31/functions/aliased/invocations", r.headers, R"({"a":1})");
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(service_->stats().Invocations("aliased"), 1);
  // Tagging errors use the JSON 1.1 shape.
  auto tagging = Send("tagging", "POST", "/", "{}",
                      {{"X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.GetResources"},
                       {"Content-Type", "application/x-amz-json-1.1"}},
                      "bad");
  EXPECT_EQ(tagging.status, 403);
  EXPECT_EQ(Body(tagging)["__type"], "InvalidSignatureException");
}

TEST_F(ServiceTest, DescribeSchema) {
  auto r = Send("schemas", "GET", "/v1/registries/name/reg/schemas/name/my.schema%40Evt");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = Body(r);
  EXPECT_EQ(j["Content"], R"({"type":"object"})");
  EXPECT_EQ(j["SchemaArn"], "arn:aws:schemas:us-east-1:123456789012:schema/reg/my.schema@Evt");
  EXPECT_EQ(j["tags"]["k"], "v");
  EXPECT_EQ(j["SchemaVersion"], "1");
  auto missing = Send("schemas", "GET", "/v1/registries/name/reg/schemas/name/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Body(missing)["Code"], "NotFoundException");
  EXPECT_EQ(HeaderValue(missing.headers, "x-amzn-ErrorType"), "NotFoundException");
  EXPECT_EQ(Send("schemas", "GET", "/v1/registries/name/other/schemas/name/my.schema%40Evt").status, 404);
  EXPECT_EQ(
      Send("schemas", "GET", "/v1/registries/name/reg/schemas/name/my.schema%40Evt?schemaVersion=2").status,
      404);
}

TEST_F(ServiceTest, GetResourcesFiltersAndPages) {
  aws::Headers h = {{"X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.GetResources"},
                    {"Content-Type", "application/x-amz-json-1.1"}};
  std::vector<std::string> arns;
  std::string token;
  int pages = 0;
  do {
    json req = {{"TagFilters", {{{"Key", "mcp"}, {"Values", {"enabled"}}}}},
                {"ResourceTypeFilters", {"lambda:function"}},
                {"ResourcesPerPage", 50}};
    if (!token.empty()) {
      req["PaginationToken"] = token;
    }
    auto r = Send("tagging", "POST", "/", req.dump(), h);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(HeaderValue(r.headers, "Content-Type"), "application/x-amz-json-1.1");
    auto j = Body(r);
    for (const auto& m : j["ResourceTagMappingList"]) {
      arns.push_back(m["ResourceARN"]);
    }
    token = j["PaginationToken"];
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(arns.size(), 121u);  // 120 synthetic + "fails"
  auto team = Body(Send("tagging", "POST", "/", R"({"TagFilters":[{"Key":"team"}]})", h));
  EXPECT_EQ(team["ResourceTagMappingList"].size(), 2u);  // any value
  auto schemas = Body(Send("tagging", "POST", "/", R"({"ResourceTypeFilters":["schemas"]})", h));
  ASSERT_EQ(schemas["ResourceTagMappingList"].size(), 1u);
  EXPECT_EQ(schemas["ResourceTagMappingList"][0]["Tags"][0], json({{"Key", "k"}, {"Value", "v"}}));
  auto bad = Send("tagging", "POST", "/", R"({"ResourcesPerPage":500})", h);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["__type"], "InvalidParameterException");
  aws::Headers other = {{"X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.TagResources"},
                        {"Content-Type", "application/x-amz-json-1.1"}};
  EXPECT_EQ(Send("tagging", "POST", "/", "{}", other).status, 400);
}

TEST_F(ServiceTest, FaultsChangeResponses) {
  service_->faults().Replace(
      {*ParseFaultFlag("Invoke@aliased:error=503,count=1"),
       *ParseFaultFlag("ListFunctions:throttle=4,count=1"), *ParseFaultFlag("GetFunction:reset"),
       *ParseFaultFlag("ListTags:reset_before_body"), *ParseFaultFlag("DescribeSchema:error=500"),
       *ParseFaultFlag("GetResources:throttle=2")});
  auto e = Invoke("aliased");
  EXPECT_EQ(e.status, 503);
  EXPECT_EQ(HeaderValue(e.headers, "x-amzn-ErrorType"), "ServiceUnavailableException");
  EXPECT_EQ(service_->stats().Invocations("aliased"), 0);  // the fault answered before the function ran
  EXPECT_EQ(Invoke("aliased").status, 200);                // count=1: spent
  EXPECT_EQ(Invoke("fails").status, 200);                  // other functions unaffected
  auto t = Send("lambda", "GET", "/2015-03-31/functions/");
  EXPECT_EQ(t.status, 429);
  EXPECT_EQ(HeaderValue(t.headers, "Retry-After"), "4");
  EXPECT_EQ(Send("lambda", "GET", "/2015-03-31/functions/").status, 200);
  EXPECT_EQ(Send("lambda", "GET", "/2015-03-31/functions/aliased").disconnect, Disconnect::kResetNoResponse);
  auto before =
      Send("lambda", "GET",
           "/2017-03-31/tags/" + aws::UriEncode("arn:aws:lambda:us-east-1:123456789012:function:fails"));
  EXPECT_EQ(before.disconnect, Disconnect::kResetBeforeBody);
  EXPECT_EQ(before.status, 200);
  auto s = Send("schemas", "GET", "/v1/registries/name/reg/schemas/name/my.schema%40Evt");
  EXPECT_EQ(s.status, 500);
  EXPECT_EQ(Body(s)["Code"], "InternalServerErrorException");
  auto g = Send("tagging", "POST", "/", "{}",
                {{"X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.GetResources"},
                 {"Content-Type", "application/x-amz-json-1.1"}});
  EXPECT_EQ(g.status, 400);
  EXPECT_EQ(Body(g)["__type"], "ThrottledException");
  EXPECT_EQ(HeaderValue(g.headers, "Retry-After"), "2");
}

TEST_F(ServiceTest, MalformedFaults) {
  service_->faults().Replace(
      {*ParseFaultFlag("ListFunctions:malformed,count=1"), *ParseFaultFlag("Invoke@aliased:malformed=502")});
  auto cut = Send("lambda", "GET", "/2015-03-31/functions/");
  EXPECT_EQ(cut.status, 200);
  EXPECT_FALSE(nlohmann::json::accept(cut.body)) << cut.body;  // half a document
  auto whole = Send("lambda", "GET", "/2015-03-31/functions/");
  EXPECT_TRUE(nlohmann::json::accept(whole.body));
  EXPECT_EQ(cut.body, whole.body.substr(0, whole.body.size() / 2));
  auto html = Invoke("aliased");
  EXPECT_EQ(html.status, 502);
  EXPECT_EQ(HeaderValue(html.headers, "Content-Type"), "text/html");
  EXPECT_NE(html.body.find("<html>"), std::string::npos);
  EXPECT_EQ(service_->stats().Invocations("aliased"), 0);
}

TEST_F(ServiceTest, AdminApi) {
  Invoke("aliased");
  auto stats = Raw("GET", "/__admin/stats", kLocal);
  ASSERT_EQ(stats.status, 200);
  auto j = Body(stats);
  EXPECT_EQ(j["functions"]["aliased"]["invocations"], 1);
  EXPECT_EQ(j["operations"]["Invoke"], 1);
  EXPECT_EQ(j["invocations_total"], 1);
  auto put = Raw("PUT", "/__admin/faults", kLocal, R"([{"operation":"Invoke","type":"error","status":502}])");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Invoke("aliased").status, 502);
  EXPECT_EQ(Raw("PUT", "/__admin/faults", kLocal, R"([{"type":"nope"}])").status, 400);
  EXPECT_EQ(Raw("DELETE", "/__admin/faults", kLocal).status, 200);
  EXPECT_EQ(Invoke("aliased").status, 200);
  EXPECT_EQ(Body(Raw("DELETE", "/__admin/stats", kLocal))["invocations_total"], 0);
  EXPECT_EQ(Raw("GET", "/__admin/nothing", kLocal).status, 404);
  EXPECT_EQ(Body(Raw("GET", "/__admin/functions", kLocal))["functions"].size(), 123u);
}

TEST_F(ServiceTest, UnknownRoutes) {
  auto r = Send("lambda", "DELETE", "/2015-03-31/functions/aliased");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(HeaderValue(r.headers, "x-amzn-ErrorType"), "UnknownOperationException");
}

TEST_F(ServiceTest, AdminRefusesWebPages) {
  const std::string rule = R"([{"operation":"Invoke","type":"error","status":502}])";
  for (const aws::Headers& headers : std::vector<aws::Headers>{
           {{"Host", "127.0.0.1:9999"}, {"Origin", "https://evil.example.com"}},
           {{"Host", "127.0.0.1:9999"}, {"Origin", "null"}},
           {{"Host", "rebound.evil.example.com:9999"}},
           {{"Host", "10.0.0.8:9999"}},  // an IP literal other than loopback, while bound to loopback
           {}}) {
    auto r = Raw("PUT", "/__admin/faults", headers, rule);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(Raw("GET", "/__admin/stats", headers).status, 403);
  }
  EXPECT_TRUE(Body(Raw("GET", "/__admin/faults", kLocal))["faults"].empty());
  EXPECT_EQ(Invoke("aliased").status, 200);
  // A page served from the endpoint's own loopback origin, and non-browser clients, pass.
  EXPECT_EQ(
      Raw("GET", "/__admin/stats", {{"Host", "localhost:9999"}, {"Origin", "http://localhost:9999"}}).status,
      200);
  EXPECT_EQ(Raw("GET", "/__admin/stats", {{"Host", "[::1]:9999"}}).status, 200);
}

TEST_F(ServiceTest, ApiRefusesWebPagesBeforeAuthentication) {
  auto foreign =
      Send("lambda", "GET", "/2015-03-31/functions/", "", {{"Origin", "https://evil.example.com"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(HeaderValue(foreign.headers, "x-amzn-ErrorType"), "AccessDeniedException");
  auto rebound = Raw("GET", "/2015-03-31/functions/", {{"Host", "rebound.evil.example.com"}});
  EXPECT_EQ(rebound.status, 403);
  EXPECT_EQ(HeaderValue(rebound.headers, "x-amzn-ErrorType"), "AccessDeniedException");
  EXPECT_EQ(Send("lambda", "GET", "/2015-03-31/functions/").status, 200);
}

TEST(BrowserRefusalTest, NetworkBindingChecksHostOnAdminOnly) {
  ServerRequest admin;
  admin.path = "/__admin/faults";
  admin.headers = {{"Host", "lambda.example.com:9000"}};
  EXPECT_FALSE(BrowserRefusal(admin, /*bound_to_loopback=*/false, /*admin=*/true).empty());
  EXPECT_TRUE(BrowserRefusal(admin, /*bound_to_loopback=*/false, /*admin=*/false).empty());
  admin.headers = {{"Host", "192.168.1.5:9000"}};
  EXPECT_TRUE(BrowserRefusal(admin, /*bound_to_loopback=*/false, /*admin=*/true).empty());
  EXPECT_FALSE(BrowserRefusal(admin, /*bound_to_loopback=*/true, /*admin=*/true).empty());
  admin.headers = {{"Host", "192.168.1.5:9000"}, {"Origin", "http://192.168.1.5:9000"}};
  EXPECT_FALSE(BrowserRefusal(admin, /*bound_to_loopback=*/false, /*admin=*/false).empty());
}

}  // namespace
}  // namespace lmcp::emulator
