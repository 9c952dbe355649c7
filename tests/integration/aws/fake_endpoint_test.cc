// What moto lacks — Schemas DescribeSchema, ListFunctions paging, 429 with Retry-After, slow responses —
// against a small loopback fake (cpp-httplib) that verifies every request's signature with our own Verify().

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "aws/aws_session.h"
#include "aws/sigv4.h"
#include "aws/url.h"
#include "integration_util.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::aws {
namespace {

using namespace std::chrono_literals;

constexpr char kKey[] = "AKIDFAKEENDPOINT";
constexpr char kSecret[] = "fake-secret";
constexpr int kFunctions = 120;

class FakeAwsEndpoint {
 public:
  FakeAwsEndpoint() {
    // Every handler is wrapped: the signature is checked once httplib has read the body.
    auto checked = [this](httplib::Server::Handler handler) {
      return [this, handler](const httplib::Request& req, httplib::Response& res) {
        if (VerifyOrReject(req, res)) {
          handler(req, res);
        }
      };
    };
    server_.Get(R"(/v1/registries/name/([^/]+)/schemas/name/([^/]+))", checked(&DescribeSchema));
    server_.Get("/2015-03-31/functions/", checked(&ListFunctions));
    server_.Post(R"(/2015-03-31/functions/([^/]+)/invocations)",
                 checked([this](const httplib::Request& req, httplib::Response& res) { Invoke(req, res); }));
    running_ = std::make_unique<test_support::HttplibOnLoopback>(server_);
  }
  std::string url() const { return running_->url(); }

  std::atomic<int> requests_{0}, rejected_{0}, throttled_calls_{0}, slow_calls_{0};
  std::vector<std::string> services() {
    std::lock_guard lock(mu_);
    return services_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> services_;

  bool VerifyOrReject(const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    HttpRequest received{.method = req.method,
                         .url = "http://127.0.0.1:" + req.get_header_value("LOCAL_PORT") + req.target,
                         .body = req.body};
    for (const auto& [k, v] : req.headers) {
      if (k != "REMOTE_ADDR" && k != "REMOTE_PORT" && k != "LOCAL_ADDR" && k != "LOCAL_PORT") {
        received.headers.emplace_back(k, v);
      }
    }
    auto caller = Verify(
        received,
        [](const std::string& id) -> std::optional<Credentials> {
          if (id == kKey) {
            return Credentials{kKey, kSecret};
          }
          return std::nullopt;
        },
        std::chrono::system_clock::now());
    if (!caller.ok()) {
      ++rejected_;
      if (std::getenv("LMCP_FAKE_DEBUG") != nullptr) {
        for (const auto& [k, v] : received.headers) {
          fprintf(stderr, "  %s: %s\n", k.c_str(), v.c_str());
        }
        fprintf(stderr, "  url %s body %zu\n", received.url.c_str(), received.body.size());
      }
      std::string code = caller.error().message.substr(0, caller.error().message.find(':'));
      res.status = 403;
      res.set_header("x-amzn-ErrorType", code);
      res.set_content(nlohmann::json{{"message", caller.error().message}}.dump(), "application/json");
      return false;
    }
    std::lock_guard lock(mu_);
    services_.push_back(caller->service);
    return true;
  }

  static void DescribeSchema(const httplib::Request& req, httplib::Response& res) {
    // httplib decodes the path; the raw (encoded) form is in req.target.
    if (req.matches[1] != "aws.events" || req.matches[2] != "aws.ec2@EC2InstanceStateChangeNotification") {
      res.status = 404;
      res.set_content(R"({"Code":"NotFoundException","Message":"Schema not found"})", "application/json");
      return;
    }
    std::string version = req.has_param("schemaVersion") ? req.get_param_value("schemaVersion") : "3";
    nlohmann::json doc = {{"openapi", "3.0.0"}, {"info", {{"version", version}}}};
    res.set_content(nlohmann::json{{"Content", doc.dump()},
                                   {"SchemaName", req.matches[2]},
                                   {"SchemaVersion", version},
                                   {"Type", "OpenApi3"},
                                   {"tags", {{"k", "v"}}}}
                        .dump(),
                    "application/json");
  }

  static void ListFunctions(const httplib::Request& req, httplib::Response& res) {
    int max_items = req.has_param("MaxItems") ? std::stoi(req.get_param_value("MaxItems")) : 50;
    max_items = std::min(max_items, 50);
    int start = 0;
    if (req.has_param("Marker")) {
      std::string marker = req.get_param_value("Marker");  // "p+/=<n>": needs exact encoding both ways
      if (!marker.starts_with("p+/=")) {
        res.status = 400;
        return;
      }
      start = std::stoi(marker.substr(4));
    }
    nlohmann::json functions = nlohmann::json::array();
    for (int i = start; i < std::min(start + max_items, kFunctions); ++i) {
      functions.push_back({{"FunctionName", "fn-" + std::to_string(i)}});
    }
    nlohmann::json body = {{"Functions", functions}};
    if (start + max_items < kFunctions) {
      body["NextMarker"] = "p+/=" + std::to_string(start + max_items);
    }
    res.set_content(body.dump(), "application/json");
  }

  void Invoke(const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    if (name == "throttled" && throttled_calls_++ == 0) {
      res.status = 429;
      res.set_header("x-amzn-ErrorType", "TooManyRequestsException");
      res.set_header("Retry-After", "1");
      res.set_content(
          R"({"Reason":"ConcurrentInvocationLimitExceeded","message":"Rate exceeded","Type":"User"})",
          "application/json");
      return;
    }
    if (name == "slow") {
      ++slow_calls_;
      std::this_thread::sleep_for(700ms);
    }
    res.set_header("X-Amz-Executed-Version", "$LATEST");
    res.set_content(req.body, "application/json");
  }

  httplib::Server server_;
  std::unique_ptr<test_support::HttplibOnLoopback> running_;
};

class FakeEndpointTest : public ::testing::Test {
 protected:
  std::unique_ptr<AwsSession> Session(const std::string& secret = kSecret) {
    std::string url = fake_.url();
    AwsSessionOptions options;
    options.env = [url](const std::string& name) -> std::optional<std::string> {
      if (name == "AWS_ENDPOINT_URL") {
        return url;
      }
      if (name == "AWS_REGION") {
        return "eu-west-1";
      }
      if (name == "AWS_CONFIG_FILE" || name == "AWS_SHARED_CREDENTIALS_FILE") {
        return "/nonexistent/f";
      }
      return std::nullopt;
    };
    options.clock = &clock_;
    options.credentials = std::make_shared<StaticCredentialsProvider>(Credentials{kKey, secret}, "test");
    auto s = AwsSession::Create(std::move(options));
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return std::move(s.value());
  }

  FakeAwsEndpoint fake_;
  // Wall time now (the endpoint checks signatures against its clock); back-offs advance it, never block.
  FakeClock clock_{std::chrono::system_clock::now(), FakeClock::SleepMode::kAdvance};
};

TEST_F(FakeEndpointTest, DescribeSchemaWithAndWithoutVersion) {
  auto s = Session();
  auto latest = s->schemas().DescribeSchema("aws.events", "aws.ec2@EC2InstanceStateChangeNotification");
  ASSERT_TRUE(latest.ok()) << latest.error().ToString();
  EXPECT_EQ(latest->schema_version, "3");
  EXPECT_EQ(nlohmann::json::parse(latest->content)["openapi"], "3.0.0");
  auto v1 = s->schemas().DescribeSchema("aws.events", "aws.ec2@EC2InstanceStateChangeNotification", "1");
  ASSERT_TRUE(v1.ok()) << v1.error().ToString();
  EXPECT_EQ(v1->schema_version, "1");
  auto missing = s->schemas().DescribeSchema("aws.events", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NotFoundException");
  EXPECT_EQ(fake_.rejected_, 0);
  EXPECT_EQ(fake_.services().front(), "schemas");
}

TEST_F(FakeEndpointTest, ListFunctionsEveryPage) {
  auto s = Session();
  auto all = s->lambda().ListAllFunctions();
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kFunctions));
  EXPECT_EQ(all->back().function_name, "fn-119");
  EXPECT_EQ(fake_.requests_, 3);  // 50 + 50 + 20
  auto small_pages = s->lambda().ListAllFunctions({.max_items = 7});
  ASSERT_TRUE(small_pages.ok());
  EXPECT_EQ(small_pages->size(), static_cast<std::size_t>(kFunctions));
  EXPECT_EQ(fake_.rejected_, 0);
}

TEST_F(FakeEndpointTest, ThrottledWithRetryAfterIsRetried) {
  auto s = Session();
  auto r = s->lambda().Invoke({.function_name = "throttled", .payload = R"({"n":1})"});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->payload, R"({"n":1})");
  EXPECT_EQ(fake_.throttled_calls_, 2);
  ASSERT_EQ(clock_.sleeps().size(), 1u);
  EXPECT_GE(clock_.sleeps()[0], 1000ms);  // Retry-After: 1 is the floor of the back-off
}

TEST_F(FakeEndpointTest, SlowInvokeTimesOutAndIsNotRetried) {
  auto s = Session();
  auto r = s->lambda().Invoke({.function_name = "slow", .payload = "{}", .read_timeout = 200ms});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().transport, HttpErrorKind::kReadTimeout);
  EXPECT_TRUE(r.error().may_have_reached_server);
  EXPECT_EQ(std::move(r).ToResult().error().code, ErrorCode::kTimeout);
  EXPECT_EQ(fake_.slow_calls_, 1);  // never sent twice
  auto patient = s->lambda().Invoke({.function_name = "slow", .payload = "{}", .read_timeout = 5s});
  ASSERT_TRUE(patient.ok()) << patient.error().ToString();
  EXPECT_EQ(patient->executed_version, "$LATEST");
}

TEST_F(FakeEndpointTest, FakeRejectsBadSignatures) {
  auto s = Session("wrong-secret");
  auto r = s->lambda().ListFunctions({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidSignatureException");
  EXPECT_EQ(std::move(r).ToResult().error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(fake_.rejected_, 1);
}

}  // namespace
}  // namespace lmcp::aws
