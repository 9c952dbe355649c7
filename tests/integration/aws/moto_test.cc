// Every operation moto_server 5.2.1 serves, through the real stack (AwsSession, AsioHttpClient, SigV4), and
// signatures proven with moto's checking on (INITIAL_NO_AUTH_ACTION_COUNT) for the operations whose checking
// moto gets right: STS, Tagging GetResources, Invoke by plain name with a payload — with and without a
// session token — and a wrong secret rejected.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "aws/aws_session.h"
#include "aws/credentials_chain.h"
#include "aws/xml.h"
#include "integration_util.h"

namespace lmcp::aws {
namespace {

using integration::MotoServer;

constexpr char kRoleArn[] = "arn:aws:iam::123456789012:role/lambda-role";

EnvLookup TestEnv(const std::string& endpoint) {
  return [endpoint](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_ENDPOINT_URL") {
      return endpoint;
    }
    if (name == "AWS_REGION") {
      return "us-east-1";
    }
    if (name == "AWS_CONFIG_FILE" || name == "AWS_SHARED_CREDENTIALS_FILE") {
      return "/nonexistent/aws-file";
    }
    if (name == "AWS_EC2_METADATA_DISABLED") {
      return "true";
    }
    return std::nullopt;
  };
}

// A session on moto with fixed keys (default: moto's test keys, accepted while checking is off).
std::unique_ptr<AwsSession> SessionFor(const std::string& endpoint, Credentials creds) {
  AwsSessionOptions options;
  options.env = TestEnv(endpoint);
  options.credentials = std::make_shared<StaticCredentialsProvider>(std::move(creds), "test");
  auto s = AwsSession::Create(std::move(options));
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  return s.ok() ? std::move(s.value()) : nullptr;
}

// Raw calls for seeding (IAM and CreateFunction are not part of our client API).
class Seeder {
 public:
  Seeder(std::string endpoint, Credentials creds)
      : endpoint_(std::move(endpoint)),
        creds_(std::move(creds), "seed"),
        retry_(RetryConfig{.max_attempts = 1}),
        caller_(http_, &creds_, Clock::System(), retry_) {}

  AwsResult<HttpResponse> Iam(const QueryParams& params) {
    OperationRequest op;
    op.operation = params.front().second;
    op.method = "POST";
    op.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    QueryParams form = params;
    form.emplace_back("Version", "2010-05-08");
    op.body = BuildQuery(form);
    return caller_.Call({endpoint_, "us-east-1", "iam"}, Protocol::kQuery, op);
  }

  AwsResult<HttpResponse> CreateFunction(const std::string& name, const nlohmann::json& tags) {
    OperationRequest op;
    op.operation = "CreateFunction";
    op.method = "POST";
    op.path = "/2015-03-31/functions";
    op.headers = {{"Content-Type", "application/json"}};
    op.body = nlohmann::json{
        {"FunctionName", name},
        {"Runtime", "python3.12"},
        {"Role", kRoleArn},
        {"Handler", "lambda_function.lambda_handler"},
        {"Description", "integration " + name},
        {"Code", {{"ZipFile", integration::kEchoZip}}},
        {"Tags",
         tags}}.dump();
    return caller_.Call({endpoint_, "us-east-1", "lambda"}, Protocol::kRestJson, op);
  }

  // moto's control API (not signed).
  HttpResult Control(const std::string& path, const std::string& body) {
    return http_.Send(HttpRequest{.method = "POST",
                                  .url = endpoint_ + path,
                                  .headers = {{"Content-Type", "application/json"}},
                                  .body = body});
  }

  // The seeding steps return "" or what failed (no ASSERT: a failed suite set-up must fail every test, not
  // skip them).
  std::string CreateRole() {
    auto r = Iam(
        {{"Action", "CreateRole"},
         {"RoleName", "lambda-role"},
         {"AssumeRolePolicyDocument",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})"}});
    return r.ok() ? "" : "CreateRole: " + r.error().ToString();
  }

  // Tagging reads moto's docker backend and simple Invoke the simple one: create in both.
  std::string CreateFunctions(const std::vector<std::pair<std::string, nlohmann::json>>& functions) {
    for (const auto& [name, tags] : functions) {
      auto r = CreateFunction(name, tags);
      if (!r.ok()) {
        return "CreateFunction: " + r.error().ToString();
      }
    }
    auto cfg = Control("/moto-api/config", R"({"lambda":{"use_docker":false}})");
    if (!cfg.ok() || cfg->status / 100 != 2) {
      return "POST /moto-api/config failed";
    }
    for (const auto& [name, tags] : functions) {
      auto r = CreateFunction(name, tags);
      if (!r.ok()) {
        return "CreateFunction (simple backend): " + r.error().ToString();
      }
    }
    return "";
  }

 private:
  std::string endpoint_;
  AsioHttpClient http_;
  StaticCredentialsProvider creds_;
  RetryPolicy retry_;
  ServiceCaller caller_;
};

// ---------------------------------------------------------------------------------------------------------
// moto with signature checking off: every operation moto serves.
class MotoOpen : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new MotoServer();
    start_error_ = server_->Start();
    if (!start_error_.empty()) {
      return;
    }
    Seeder seed(server_->url(), {"AKIDMOTO", "secret"});
    start_error_ = seed.CreateRole();
    if (start_error_.empty()) {
      start_error_ = seed.CreateFunctions({{"mcp-echo", {{"team", "core"}, {"tool-description", "Echo"}}},
                                           {"mcp-other", {{"team", "platform"}}},
                                           {"untagged-fn", nlohmann::json::object()}});
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(start_error_.empty()) << start_error_;
    session_ = SessionFor(server_->url(), {"AKIDMOTO", "secret"});
    ASSERT_NE(session_, nullptr);
  }

  static MotoServer* server_;
  static std::string start_error_;
  std::unique_ptr<AwsSession> session_;
};
MotoServer* MotoOpen::server_ = nullptr;
std::string MotoOpen::start_error_;

TEST_F(MotoOpen, ListFunctionsEveryPage) {
  auto all = session_->lambda().ListAllFunctions({.max_items = 2});
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  std::set<std::string> names;
  for (const auto& f : *all) {
    names.insert(f.function_name);
  }
  EXPECT_TRUE(names.count("mcp-echo") && names.count("mcp-other") && names.count("untagged-fn"));
  for (const auto& f : *all) {
    if (f.function_name == "mcp-echo") {
      EXPECT_EQ(f.description, "integration mcp-echo");
    }
  }
}

TEST_F(MotoOpen, ListTagsAndGetFunction) {
  auto f = session_->lambda().GetFunction("mcp-echo");
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f->configuration.function_name, "mcp-echo");
  EXPECT_EQ(f->tags["team"], "core");
  auto tags = session_->lambda().ListTags(f->configuration.function_arn);
  ASSERT_TRUE(tags.ok()) << tags.error().ToString();
  EXPECT_EQ(tags->at("tool-description"), "Echo");
  auto by_arn = session_->lambda().GetFunction(f->configuration.function_arn);
  ASSERT_TRUE(by_arn.ok()) << by_arn.error().ToString();
  auto missing = session_->lambda().GetFunction("does-not-exist");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "ResourceNotFoundException");
  EXPECT_EQ(std::move(missing).ToResult().error().code, ErrorCode::kNotFound);
}

TEST_F(MotoOpen, InvokeAllInvocationTypes) {
  auto sync = session_->lambda().Invoke({.function_name = "mcp-echo",
                                         .tail_log = true,
                                         .client_context_json = R"({"custom":{"k":"v"}})",
                                         .payload = R"({"hello":"world"})"});
  ASSERT_TRUE(sync.ok()) << sync.error().ToString();
  EXPECT_EQ(sync->status_code, 200);
  EXPECT_EQ(sync->payload, R"({"hello":"world"})");  // moto's simple backend echoes
  EXPECT_TRUE(sync->function_error.empty());
  auto event = session_->lambda().Invoke(
      {.function_name = "mcp-echo", .invocation_type = InvocationType::kEvent, .payload = "{}"});
  ASSERT_TRUE(event.ok()) << event.error().ToString();
  EXPECT_EQ(event->status_code, 202);
  auto dry =
      session_->lambda().Invoke({.function_name = "mcp-echo", .invocation_type = InvocationType::kDryRun});
  ASSERT_TRUE(dry.ok()) << dry.error().ToString();
  EXPECT_EQ(dry->status_code, 204);
  Seeder seed(server_->url(), {"AKIDMOTO", "secret"});
  auto queued = seed.Control("/moto-api/static/lambda-simple/response",
                             R"({"results":["{\"answer\":42}"],"region":"us-east-1"})");
  ASSERT_TRUE(queued.ok() && (queued->status == 201 || queued->status == 200));
  auto scripted =
      session_->lambda().Invoke({.function_name = "mcp-echo", .qualifier = "$LATEST", .payload = "{}"});
  ASSERT_TRUE(scripted.ok()) << scripted.error().ToString();
  EXPECT_EQ(scripted->payload, R"({"answer":42})");
}

TEST_F(MotoOpen, GetResourcesWithTagFilters) {
  GetResourcesRequest req;
  req.tag_filters = {{"team", {"core", "platform"}}};
  req.resource_type_filters = {"lambda:function"};
  auto all = session_->tagging().GetAllResources(req);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  std::set<std::string> arns;
  for (const auto& m : *all) {
    arns.insert(m.resource_arn);
  }
  EXPECT_EQ(arns.size(), 2u);
  EXPECT_TRUE(arns.count("arn:aws:lambda:us-east-1:123456789012:function:mcp-echo"));
  req.tag_filters = {{"team", {"core"}}};
  auto core = session_->tagging().GetAllResources(req);
  ASSERT_TRUE(core.ok());
  ASSERT_EQ(core->size(), 1u);
  EXPECT_EQ((*core)[0].tags.at("tool-description"), "Echo");
}

TEST_F(MotoOpen, StsOperations) {
  auto id = session_->sts().GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  EXPECT_EQ(id->account, "123456789012");
  auto role = session_->sts().AssumeRole({kRoleArn, "it-session", 900, "ext"});
  ASSERT_TRUE(role.ok()) << role.error().ToString();
  EXPECT_FALSE(role->credentials.session_token.empty());
  EXPECT_TRUE(role->credentials.expiration.has_value());
  auto web = session_->sts().AssumeRoleWithWebIdentity({kRoleArn, "web", "a-jwt", std::nullopt});
  ASSERT_TRUE(web.ok()) << web.error().ToString();
  EXPECT_FALSE(web->credentials.access_key_id.empty());
}

TEST_F(MotoOpen, CredentialChainAssumeRoleAndWebIdentityAgainstMoto) {
  char dir_template[] = "/tmp/lmcp-aws-it-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::string config = dir + "/config", creds = dir + "/credentials", token = dir + "/token";
  std::ofstream(config) << "[profile app]\nregion = us-east-1\nrole_arn = " << kRoleArn
                        << "\nsource_profile = base\n";
  std::ofstream(creds) << "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n";
  std::ofstream(token) << "jwt-token\n";
  std::string url = server_->url();
  auto env = [&](std::map<std::string, std::string> extra) {
    extra["AWS_CONFIG_FILE"] = config;
    extra["AWS_SHARED_CREDENTIALS_FILE"] = creds;
    extra["AWS_ENDPOINT_URL"] = url;
    extra["AWS_EC2_METADATA_DISABLED"] = "true";
    return EnvLookup([extra](const std::string& n) -> std::optional<std::string> {
      auto it = extra.find(n);
      return it == extra.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
  };
  auto assumed = AwsSession::Create({.env = env({{"AWS_PROFILE", "app"}})});
  ASSERT_TRUE(assumed.ok()) << assumed.error().ToString();
  EXPECT_EQ((*assumed)->credentials().source(), std::string("assume-role ") + kRoleArn);
  auto who = (*assumed)->sts().GetCallerIdentity();
  ASSERT_TRUE(who.ok()) << who.error().ToString();
  EXPECT_NE(who->arn.find("assumed-role/lambda-role"), std::string::npos);
  auto web = AwsSession::Create({.env = env({{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                                             {"AWS_ROLE_ARN", kRoleArn},
                                             {"AWS_REGION", "us-east-1"}})});
  ASSERT_TRUE(web.ok()) << web.error().ToString();
  EXPECT_TRUE((*web)->credentials().GetCredentials()->access_key_id.size() > 0);
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------------------
// moto with signature checking on.
class MotoSigned : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new MotoServer();
    start_error_ = server_->Start(/*no_auth_count=*/3);
    if (!start_error_.empty()) {
      return;
    }
    Seeder anon(server_->url(), {"AKIDSEED", "seed"});
    auto user = anon.Iam({{"Action", "CreateUser"}, {"UserName", "it-user"}});
    auto policy = anon.Iam(
        {{"Action", "PutUserPolicy"},
         {"UserName", "it-user"},
         {"PolicyName", "all"},
         {"PolicyDocument",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"}});
    auto key = anon.Iam({{"Action", "CreateAccessKey"}, {"UserName", "it-user"}});
    if (!user.ok() || !policy.ok() || !key.ok()) {
      start_error_ = "IAM seeding failed: " + (!user.ok()     ? user.error().ToString()
                                               : !policy.ok() ? policy.error().ToString()
                                                              : key.error().ToString());
      return;
    }
    user_ = Credentials{XmlText(key->body, "AccessKeyId").value_or(""),
                        XmlText(key->body, "SecretAccessKey").value_or("")};
    Seeder seed(server_->url(), user_);  // checked from here on
    start_error_ = seed.CreateRole();
    if (start_error_.empty()) {
      start_error_ = seed.CreateFunctions({{"signed-fn", {{"team", "core"}}}});
    }
    if (!start_error_.empty()) {
      return;
    }
    // moto checks the trust policy of an assumed role (and crashes on Service principals): trust the user.
    auto role = seed.Iam(
        {{"Action", "CreateRole"},
         {"RoleName", "session-role"},
         {"AssumeRolePolicyDocument",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/it-user"},"Action":"sts:AssumeRole"}]})"}});
    auto role_policy = seed.Iam(
        {{"Action", "PutRolePolicy"},
         {"RoleName", "session-role"},
         {"PolicyName", "all"},
         {"PolicyDocument",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"}});
    if (!role.ok() || !role_policy.ok()) {
      start_error_ = "session-role seeding failed";
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(start_error_.empty()) << start_error_; }

  static Credentials Session() {
    auto s = SessionFor(server_->url(), user_);
    auto role =
        s->sts().AssumeRole({"arn:aws:iam::123456789012:role/session-role", "signed-session", 900, ""});
    EXPECT_TRUE(role.ok()) << role.error().ToString();
    return role.ok() ? role->credentials : Credentials{};
  }

  static MotoServer* server_;
  static std::string start_error_;
  static Credentials user_;
};
MotoServer* MotoSigned::server_ = nullptr;
std::string MotoSigned::start_error_;
Credentials MotoSigned::user_;

void ExpectSignedOperationsSucceed(AwsSession& s, const std::string& who) {
  SCOPED_TRACE(who);
  auto id = s.sts().GetCallerIdentity();
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  auto tagged = s.tagging().GetAllResources({.tag_filters = {{"team", {"core"}}}});
  ASSERT_TRUE(tagged.ok()) << tagged.error().ToString();
  ASSERT_EQ(tagged->size(), 1u);
  EXPECT_EQ((*tagged)[0].resource_arn, "arn:aws:lambda:us-east-1:123456789012:function:signed-fn");
  auto invoked = s.lambda().Invoke({.function_name = "signed-fn", .payload = R"({"signed":true})"});
  ASSERT_TRUE(invoked.ok()) << invoked.error().ToString();
  EXPECT_EQ(invoked->payload, R"({"signed":true})");
}

TEST_F(MotoSigned, LongTermKeys) {
  auto s = SessionFor(server_->url(), user_);
  ExpectSignedOperationsSucceed(*s, "IAM user key");
  EXPECT_NE(s->sts().GetCallerIdentity()->arn.find("user/it-user"), std::string::npos);
}

TEST_F(MotoSigned, SessionToken) {
  Credentials temp = Session();
  ASSERT_FALSE(temp.session_token.empty());
  auto s = SessionFor(server_->url(), temp);
  ExpectSignedOperationsSucceed(*s, "assumed-role session");
  EXPECT_NE(s->sts().GetCallerIdentity()->arn.find("assumed-role/session-role/signed-session"),
            std::string::npos);
}

TEST_F(MotoSigned, WrongSecretRejected) {
  Credentials bad = user_;
  bad.secret_access_key += "x";
  auto s = SessionFor(server_->url(), bad);
  auto id = s->sts().GetCallerIdentity();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(id.error().http_status, 403);
  EXPECT_EQ(std::move(id).ToResult().error().code, ErrorCode::kUnauthenticated);
  auto tagged = s->tagging().GetResources({});
  ASSERT_FALSE(tagged.ok());
  EXPECT_EQ(tagged.error().code, "SignatureDoesNotMatch");
  auto invoked = s->lambda().Invoke({.function_name = "signed-fn", .payload = "{}"});
  ASSERT_FALSE(invoked.ok());
  EXPECT_EQ(invoked.error().http_status, 403);
}

TEST_F(MotoSigned, UnknownKeyAndWrongTokenRejected) {
  auto unknown = SessionFor(server_->url(), {"AKIDUNKNOWN00000000", "s"});
  auto id = unknown->sts().GetCallerIdentity();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, "InvalidClientTokenId");
  Credentials temp = Session();
  temp.session_token = "not-the-token";
  auto wrong_token = SessionFor(server_->url(), temp);
  auto r = wrong_token->sts().GetCallerIdentity();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidClientTokenId");
  Credentials no_token = Session();
  no_token.session_token.clear();
  auto missing = SessionFor(server_->url(), no_token)->tagging().GetResources({});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().http_status, 403);
}

}  // namespace
}  // namespace lmcp::aws
