// One catalog over several targets against a real moto_server (signature checking off: moto rejects correct
// signatures on body-less requests such as ListFunctions; aws_integration proves the signing). Account
// 123456789012 in us-east-1 and eu-west-1 with the process's keys, and account 222222222222 reached with STS
// AssumeRole (moto puts what the assumed credentials create in the role's account): three namespaces, one
// list, each call through its own target; AssumeRole refreshed on an injected clock (STS calls counted); a
// target with broken credentials while the others keep serving.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "aws/service_caller.h"
#include "aws/sts_client.h"
#include "catalog/aws_lambda_backend.h"
#include "catalog/lambda_catalog.h"
#include "tests/integration/aws/integration_util.h"
#include "tests/support/catalog/test_call_context.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {
namespace {

using aws::integration::MotoServer;
using namespace std::chrono_literals;

constexpr char kCrmRole[] = "arn:aws:iam::222222222222:role/lambda-mcp";

// Counts the STS AssumeRole requests that pass through to the real client.
class CountingHttpClient final : public aws::HttpClient {
 public:
  aws::HttpResult Send(const aws::HttpRequest& request, std::stop_token stop = {}) override {
    if (request.body.find("Action=AssumeRole") != std::string::npos) {
      ++assume_role_calls;
    }
    return http_.Send(request, std::move(stop));
  }
  std::atomic<int> assume_role_calls{0};

 private:
  aws::AsioHttpClient http_;
};

// Raw seeding calls (IAM and CreateFunction are not part of the client API) with given keys and region.
class Seeder {
 public:
  Seeder(std::string endpoint, aws::Credentials creds)
      : endpoint_(std::move(endpoint)),
        creds_(std::move(creds), "seed"),
        retry_(aws::RetryConfig{.max_attempts = 1}),
        caller_(http_, &creds_, Clock::System(), retry_) {}

  std::string CreateRole(const std::string& account) {
    aws::OperationRequest op{.operation = "CreateRole", .method = "POST"};
    op.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    op.body = aws::BuildQuery(
        {{"Action", "CreateRole"},
         {"RoleName", "fn-role"},
         {"AssumeRolePolicyDocument",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})"},
         {"Version", "2010-05-08"}});
    auto r = caller_.Call({endpoint_, "us-east-1", "iam"}, aws::Protocol::kQuery, op);
    role_ = "arn:aws:iam::" + account + ":role/fn-role";
    return r.ok() ? "" : "CreateRole: " + r.error().ToString();
  }

  std::string CreateFunction(const std::string& region, const std::string& name, const nlohmann::json& tags) {
    aws::OperationRequest op{
        .operation = "CreateFunction", .method = "POST", .path = "/2015-03-31/functions"};
    op.headers = {{"Content-Type", "application/json"}};
    op.body = nlohmann::json{
        {"FunctionName", name},
        {"Runtime", "python3.12"},
        {"Role", role_},
        {"Handler", "lambda_function.lambda_handler"},
        {"Code", {{"ZipFile", aws::integration::kEchoZip}}},
        {"Tags",
         tags}}.dump();
    auto r = caller_.Call({endpoint_, region, "lambda"}, aws::Protocol::kRestJson, op);
    return r.ok() ? "" : "CreateFunction " + name + ": " + r.error().ToString();
  }

  aws::AwsResult<aws::AssumedRole> AssumeRole(const std::string& role_arn) {
    aws::StsClient sts(caller_, {endpoint_, "us-east-1", "sts"});
    return sts.AssumeRole({role_arn, "seed", 3600, ""});
  }

 private:
  std::string endpoint_;
  aws::AsioHttpClient http_;
  aws::StaticCredentialsProvider creds_;
  aws::RetryPolicy retry_;
  aws::ServiceCaller caller_;
  std::string role_;
};

class TargetsMotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new MotoServer();
    start_error_ = server_->Start();
    if (start_error_.empty()) {
      start_error_ = Seed(server_->url());
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // Account 123456789012: prod-orders (us-east-1, titled by tag), eu-report (eu-west-1). Account
  // 222222222222, through an assumed role: crm-lookup (us-east-1).
  static std::string Seed(const std::string& url) {
    Seeder home(url, {"AKIDMOTO", "secret"});
    std::string e = home.CreateRole("123456789012");
    for (auto step : {std::function<std::string()>([&] {
                        return home.CreateFunction("us-east-1", "prod-orders",
                                                   {{"mcp:title", "Orders"}, {"mcp:read-only", "true"}});
                      }),
                      std::function<std::string()>([&] {
                        return home.CreateFunction("eu-west-1", "eu-report", {{"team", "bi"}});
                      })}) {
      if (e.empty()) {
        e = step();
      }
    }
    if (!e.empty()) {
      return e;
    }
    auto assumed = home.AssumeRole(kCrmRole);
    if (!assumed.ok()) {
      return "AssumeRole: " + assumed.error().ToString();
    }
    Seeder crm(url, assumed->credentials);
    e = crm.CreateRole("222222222222");
    return e.empty() ? crm.CreateFunction("us-east-1", "crm-lookup", {{"mcp:destructive", "false"}}) : e;
  }

  void SetUp() override {
    ASSERT_TRUE(start_error_.empty()) << start_error_;
    std::ofstream(config_) << "[profile broken]\nregion = us-east-1\nrole_arn = " << kCrmRole
                           << "\nsource_profile = missing\n";
    env_ = {{"AWS_ACCESS_KEY_ID", "AKIDMOTO"},
            {"AWS_SECRET_ACCESS_KEY", "secret"},
            {"AWS_MAX_ATTEMPTS", "1"},
            {"AWS_CONFIG_FILE", config_},
            {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"AWS_ENDPOINT_URL", server_->url()}};
  }
  void TearDown() override { std::filesystem::remove(config_); }

  static TargetOptions Target(const std::string& name, const std::string& ns, const std::string& region) {
    TargetOptions t;
    t.name = name;
    t.tool_prefix = ns;
    t.region = region;
    t.selection.allow_all = true;
    return t;
  }
  static TargetOptions Crm() {
    TargetOptions t = Target("crm", "crm_", "us-east-1");
    t.credentials.kind = CredentialOptions::Kind::kAssumeRole;
    t.credentials.role_arn = kCrmRole;
    t.credentials.external_id = "crm-external-id";
    t.credentials.session_name = "lambda-mcp-it";
    t.credentials.duration = 900s;
    return t;
  }

  std::unique_ptr<LambdaCatalog> Make(std::vector<TargetOptions> targets) {
    options_.targets = std::move(targets);
    options_.refresh_interval = 0s;
    options_.progress_interval =
        0s;  // its idle wait would run the never-blocking fake clock to the end of time
    options_.audit_log = "off";
    auto env = env_;
    return std::make_unique<LambdaCatalog>(
        options_,
        [this, env](const TargetOptions& t) -> Result<std::shared_ptr<LambdaBackend>> {
          auto b = AwsLambdaBackend::Create(
              t, clock_,
              [env](const std::string& n) {
                auto it = env.find(n);
                return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
              },
              &http_);
          if (!b.ok()) {
            return b.error();
          }
          return std::shared_ptr<LambdaBackend>(std::move(b).value());
        },
        clock_, nullptr);
  }

  static const ToolEntry* Find(const std::vector<ToolEntry>& entries, const std::string& name) {
    for (const auto& e : entries) {
      if (e.definition.name == name) {
        return &e;
      }
    }
    return nullptr;
  }

  static MotoServer* server_;
  static std::string start_error_;
  std::string config_ = ::testing::TempDir() + "lmcp-targets-it-config";
  std::map<std::string, std::string> env_;
  CatalogOptions options_;
  CountingHttpClient http_;
  FakeClock clock_{std::chrono::system_clock::now(), FakeClock::SleepMode::kAdvance};
  TestCallContext ctx_;
};
MotoServer* TargetsMotoTest::server_ = nullptr;
std::string TargetsMotoTest::start_error_;

// Two accounts and two regions behind one list, each tool named in its target's namespace and invoked
// through its own target: crm-lookup exists only in account 222222222222, so the home account's backend
// cannot find it.
TEST_F(TargetsMotoTest, TwoAccountsTwoRegionsOneCatalog) {
  auto c = Make({Target("prod", "prod_", "us-east-1"), Crm(), Target("eu", "eu_", "eu-west-1")});
  Status s = c->DiscoverNow();
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto entries = c->entries();
  ASSERT_NE(entries, nullptr);
  std::vector<std::string> names;
  for (const auto& e : *entries) {
    names.push_back(e.definition.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"crm_crm_lookup", "eu_eu_report", "prod_prod_orders"}));
  const ToolEntry* crm = Find(*entries, "crm_crm_lookup");
  const ToolEntry* eu = Find(*entries, "eu_eu_report");
  const ToolEntry* prod = Find(*entries, "prod_prod_orders");
  ASSERT_TRUE(crm && eu && prod);
  EXPECT_EQ(crm->function.arn, "arn:aws:lambda:us-east-1:222222222222:function:crm-lookup");
  EXPECT_EQ(eu->function.arn, "arn:aws:lambda:eu-west-1:123456789012:function:eu-report");
  EXPECT_EQ(crm->target, "crm");
  EXPECT_EQ(eu->tags.at("team"), "bi");
  EXPECT_EQ(prod->definition.title, "Orders");
  EXPECT_EQ(prod->definition.annotations["readOnlyHint"], true);
  EXPECT_EQ(crm->definition.annotations["destructiveHint"], false);
  EXPECT_EQ(http_.assume_role_calls.load(), 1);

  // Each call goes through its entry's target: found in account 222222222222 (moto answers 200 with the
  // docker runner's function error), not found from the home account.
  auto through_crm = crm->backend->Invoke({.function = crm->function.name, .payload = "{}"}, {});
  ASSERT_TRUE(through_crm.ok()) << through_crm.error().message;
  EXPECT_EQ(through_crm->status, 200);
  auto through_prod = prod->backend->Invoke({.function = crm->function.name, .payload = "{}"}, {});
  ASSERT_FALSE(through_prod.ok());
  EXPECT_EQ(through_prod.error().code, ErrorCode::kNotFound) << through_prod.error().message;
  auto call = c->CallTool("crm_crm_lookup", nlohmann::json{{"id", 7}}, ctx_);
  ASSERT_TRUE(call.ok()) << call.error().message;
  EXPECT_EQ(call->content.at(0).dump().find("ResourceNotFound"), std::string::npos) << call->content.dump();
}

// The assumed role's credentials are reused until the refresh margin of a 15-minute session (7.5 min before
// expiry), then fetched again once; time is the injected clock.
TEST_F(TargetsMotoTest, AssumeRoleRefreshedBeforeExpiry) {
  auto c = Make({Crm()});
  ASSERT_TRUE(c->DiscoverNow().ok());
  ASSERT_TRUE(c->DiscoverNow().ok());
  EXPECT_EQ(http_.assume_role_calls.load(), 1);
  clock_.Advance(7min);  // 8 of 15 min left
  ASSERT_TRUE(c->DiscoverNow().ok());
  EXPECT_EQ(http_.assume_role_calls.load(), 1);
  clock_.Advance(1min);  // 7 min left: inside the advisory margin
  ASSERT_TRUE(c->DiscoverNow().ok());
  // moto dates each new set from its own (real) clock, 8 min behind ours: every request of this pass finds
  // its set inside the margin again. Back at real time, the last set has 15 min left and is reused.
  const int refreshed = http_.assume_role_calls.load();
  EXPECT_GE(refreshed, 2);
  clock_.Advance(-8min);
  ASSERT_TRUE(c->DiscoverNow().ok());
  ASSERT_TRUE(c->DiscoverNow().ok());
  EXPECT_EQ(http_.assume_role_calls.load(), refreshed);
  EXPECT_EQ(c->entries()->size(), 1u);
}

// A target whose credentials are broken (its role's source profile does not exist) fails alone: the others
// are listed and called, and its status names the cause.
TEST_F(TargetsMotoTest, BrokenTargetWhileOthersServe) {
  TargetOptions broken = Target("broken", "broken_", "us-east-1");
  broken.credentials.kind = CredentialOptions::Kind::kProfile;
  broken.credentials.profile = "broken";
  auto c = Make({Target("prod", "prod_", "us-east-1"), broken, Crm()});
  Status pass = c->DiscoverNow();  // (the clock never blocks here: no background retries)
  ASSERT_FALSE(pass.ok());
  EXPECT_TRUE(pass.error().message.starts_with("target broken: ")) << pass.error().message;
  auto tools = c->ListTools();
  ASSERT_TRUE(tools.ok()) << tools.error().message;
  std::vector<std::string> names;
  for (const auto& t : **tools) {
    names.push_back(t.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"crm_crm_lookup", "prod_prod_orders"}));
  EXPECT_TRUE(c->Ready());
  auto statuses = c->TargetStatuses();
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_TRUE(statuses[0].ok);
  EXPECT_FALSE(statuses[1].ok);
  EXPECT_EQ(statuses[1].last_error_code, ErrorCode::kUnauthenticated) << statuses[1].last_error;
  EXPECT_NE(statuses[1].last_error.find("missing"), std::string::npos) << statuses[1].last_error;
  EXPECT_TRUE(statuses[2].ok);
  auto call = c->CallTool("prod_prod_orders", nlohmann::json::object(), ctx_);
  ASSERT_TRUE(call.ok()) << call.error().message;
  auto hidden = c->CallTool("broken_anything", nlohmann::json::object(), ctx_);
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace lmcp::catalog
