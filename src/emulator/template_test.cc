#include "emulator/template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lmcp::emulator {
namespace {

using ::testing::HasSubstr;

class TemplateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lmcp_template_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "code");
    std::ofstream(dir_ / "code" / "app.py") << "def handler(e, c):\n    return e\n";
    std::ofstream(dir_ / "code" / "index.js") << "exports.handler = async (e) => e;\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<Deployment> Load(const std::string& yaml) { return LoadTemplateString(yaml, dir_.string(), {}); }
  std::filesystem::path dir_;
};

const FunctionSpec* Find(const Deployment& d, const std::string& name) {
  for (const auto& f : d.functions) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

TEST_F(TemplateTest, LoadsTheSamples) {
  auto d = LoadTemplateFile(std::string(LMCP_EXAMPLES_DIR) + "/template.yaml", {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->functions.size(), 8u);
  EXPECT_EQ(d->functions.front().name, "internal-billing-job");  // sorted by name
  const FunctionSpec* lookup = Find(*d, "mcp-customer-lookup");
  ASSERT_NE(lookup, nullptr);
  EXPECT_EQ(lookup->runtime, "python3.11");
  EXPECT_EQ(lookup->alias, "live");
  EXPECT_EQ(lookup->timeout_seconds, 10);  // Globals
  EXPECT_EQ(lookup->memory_mb, 256);
  EXPECT_EQ(lookup->environment.at("STAGE"), "dev");  // Globals + !Ref parameter default
  EXPECT_EQ(lookup->tags.at("project"), "lambda-mcp-samples");
  EXPECT_EQ(lookup->tags.at("tool-input-schema-arn"),
            "arn:aws:schemas:us-east-1:123456789012:schema/lambda-mcp-samples/mcp.samples@CustomerLookup");
  const FunctionSpec* ticket = Find(*d, "mcp-create-ticket");
  ASSERT_NE(ticket, nullptr);
  EXPECT_EQ(ticket->tags.at("tool-input-schema-arn"),
            "arn:aws:schemas:us-east-1:123456789012:schema/lambda-mcp-samples/mcp.samples@CreateTicket");
  const FunctionSpec* slow = Find(*d, "mcp-slow-report");
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ(slow->timeout_seconds, 5);
  ASSERT_TRUE(slow->reserved_concurrency.has_value());
  EXPECT_EQ(*slow->reserved_concurrency, 2);
  EXPECT_EQ(Find(*d, "mcp-echo")->description, "Echo the input back (dev stage, us-east-1)");
  ASSERT_EQ(d->schemas.size(), 7u);  // every sample tool has one
  EXPECT_EQ(d->schemas[0].registry, "lambda-mcp-samples");
  EXPECT_FALSE(Find(*d, "internal-billing-job")->tags.count("mcp"));
  EXPECT_FALSE(lookup->code_sha256.empty());
}

TEST_F(TemplateTest, IntrinsicsLongAndShortForms) {
  auto d = Load(R"(
Parameters:
  Env: {Type: String, Default: prod}
Resources:
  Reg:
    Type: AWS::EventSchemas::Registry
    Properties: {RegistryName: !Sub "reg-${Env}"}
  Sch:
    Type: AWS::EventSchemas::Schema
    Properties:
      RegistryName: {"Fn::GetAtt": [Reg, RegistryName]}
      SchemaName: s1
      Type: OpenApi3
      Content: {openapi: "3.0.0", info: {version: "1.0.0", title: t}, paths: {}, n: 3}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Join ["-", [fn, !Ref Env]]
      Handler: app.handler
      Runtime: python3.12
      CodeUri: code
      Description: !Sub
        - "${Name} in ${AWS::AccountId} at ${Arn} ${!literal}"
        - Name: !Ref Fn
          Arn: !GetAtt Fn.Arn
      Tags:
        schema: {Ref: Sch}
        reg: !Ref Reg
)");
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->functions.size(), 1u);
  const auto& f = d->functions[0];
  EXPECT_EQ(f.name, "fn-prod");
  EXPECT_EQ(f.description,
            "fn-prod in 123456789012 at arn:aws:lambda:us-east-1:123456789012:function:fn-prod ${literal}");
  EXPECT_EQ(f.tags.at("schema"), "arn:aws:schemas:us-east-1:123456789012:schema/reg-prod/s1");
  EXPECT_EQ(f.tags.at("reg"), "arn:aws:schemas:us-east-1:123456789012:registry/reg-prod");
  ASSERT_EQ(d->schemas.size(), 1u);
  EXPECT_EQ(d->schemas[0].type, "OpenApi3");
  EXPECT_THAT(d->schemas[0].content, HasSubstr("\"n\":3"));  // inline YAML content keeps number types
  EXPECT_THAT(d->schemas[0].content, HasSubstr("\"version\":\"1.0.0\""));
}

TEST_F(TemplateTest, UnsupportedIntrinsicIsAnError) {
  auto d = Load(R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: !If [c, a, b], Handler: app.handler, Runtime: python3.12, CodeUri: code}
)");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message, HasSubstr("intrinsic function If is not supported"));
}

TEST_F(TemplateTest, UnknownPropertyIsAnErrorIgnoredOnesAreWarnings) {
  auto bad = Load(R"(
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: code, Frobnicate: 1}
)");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("Frobnicate is not supported"));

  auto ok = Load(R"(
Conditions: {IsProd: !Equals [a, b]}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      CodeUri: code
      Events: {Api: {Type: Api}}
  Table:
    Type: AWS::DynamoDB::Table
)");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->functions[0].name, "Fn");  // logical id when FunctionName is absent
  std::string all;
  for (const auto& w : ok->warnings) {
    all += w + "\n";
  }
  EXPECT_THAT(all, HasSubstr("Events is not emulated"));
  EXPECT_THAT(all, HasSubstr("AWS::DynamoDB::Table"));
  EXPECT_THAT(all, HasSubstr("Conditions"));
  EXPECT_THAT(all, HasSubstr("no FunctionName"));
}

TEST_F(TemplateTest, RejectsBadFunctions) {
  struct Case {
    const char* props;
    const char* error;
  } cases[] = {
      {"{Handler: missing.handler, Runtime: python3.12, CodeUri: code}", "handler file missing.py not found"},
      {"{Handler: app.handler, Runtime: python3.12, CodeUri: nowhere}", "is not a directory"},
      {"{Handler: apphandler, Runtime: python3.12, CodeUri: code}", "Handler must be"},
      {"{Handler: app.handler, Runtime: python3.12, CodeUri: code, Timeout: 901}", "Timeout must be"},
      {"{Handler: app.handler, Runtime: python3.12, CodeUri: code, Timeout: soon}",
       "Timeout must be an integer"},
      {"{Runtime: python3.12, CodeUri: code}", "Handler is required"},
      {"{FunctionName: !Ref Nope, Handler: app.handler, Runtime: python3.12, CodeUri: code}",
       "unknown name 'Nope'"},
  };
  for (const auto& c : cases) {
    auto d = Load(std::string("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: ") +
                  c.props + "\n");
    ASSERT_FALSE(d.ok()) << c.props;
    EXPECT_THAT(d.error().message, HasSubstr(c.error)) << c.props;
  }
}

// `local` serves the functions it can run and skips the others with a warning, rather than refusing the
// template: an Image function and a Java one beside a Python one.
TEST_F(TemplateTest, SkipsImageAndUnemulatedRuntimesWithAWarning) {
  auto d = Load(R"(
Resources:
  Py: {Type: AWS::Serverless::Function, Properties: {FunctionName: py, Handler: app.handler, Runtime: python3.12, CodeUri: code}}
  Img: {Type: AWS::Serverless::Function, Properties: {FunctionName: img, PackageType: Image, ImageUri: repo/img:1}}
  Jv: {Type: AWS::Serverless::Function, Properties: {FunctionName: jv, Handler: a.B::handle, Runtime: java21, CodeUri: code}}
)");
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->functions.size(), 1u);
  EXPECT_EQ(d->functions[0].name, "py");
  std::string all;
  for (const auto& w : d->warnings) {
    all += w + "\n";
  }
  EXPECT_THAT(all, HasSubstr("function Img: skipped, PackageType Image is not emulated locally"));
  EXPECT_THAT(all, HasSubstr("function Jv: skipped, Runtime java21 is not emulated locally"));
}

TEST_F(TemplateTest, DuplicateNamesAndBadYaml) {
  auto dup = Load(R"(
Resources:
  A: {Type: AWS::Serverless::Function, Properties: {FunctionName: x, Handler: app.handler, Runtime: python3.12, CodeUri: code}}
  B: {Type: AWS::Serverless::Function, Properties: {FunctionName: x, Handler: index.handler, Runtime: nodejs20.x, CodeUri: code}}
)");
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(dup.error().message, HasSubstr("duplicate function name x"));
  auto yaml = Load("Resources: [unclosed");
  ASSERT_FALSE(yaml.ok());
  EXPECT_THAT(yaml.error().message, HasSubstr("YAML error"));
  auto none = Load("Description: nothing");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().message, HasSubstr("no Resources"));
}

// Regression: a resource id that names no key when looked up again (`~` reads as "null") made a name lookup
// add a key to Resources while the loader iterated it, and the loader crashed.
TEST_F(TemplateTest, NullResourceIdDoesNotChangeTheTreeBeingLoaded) {
  auto d = Load(R"(
Resources:
  ~:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: !Ref Nowhere, Handler: app.handler, Runtime: python3.12, CodeUri: code}
  Other:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: other, Handler: app.handler, Runtime: python3.12, CodeUri: code}
)");
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->functions.size(), 2u);
  EXPECT_EQ(d->functions[0].name, "null");  // its properties are not found by that id: named after it
  EXPECT_EQ(d->functions[1].name, "other");
}

TEST_F(TemplateTest, FunctionWithoutPropertiesNeedsAHandler) {
  for (const char* yaml : {"Resources: {Fn: {Type: AWS::Serverless::Function}}",
                           // Referred to before it is loaded: the same answer.
                           "Resources:\n  A: {Type: AWS::EventSchemas::Registry, Properties: {RegistryName: "
                           "!GetAtt Fn.Arn}}\n  Fn: {Type: AWS::Serverless::Function}"}) {
    auto d = Load(yaml);
    ASSERT_FALSE(d.ok()) << yaml;
    EXPECT_EQ(d.error().message, "template: Fn: Handler is required") << yaml;
  }
}

TEST_F(TemplateTest, SyntheticFunctions) {
  Deployment d;
  AddSyntheticFunctions(d, 120, "syn-", {{"mcp", "enabled"}});
  std::string err;
  ASSERT_TRUE(FinalizeDeployment(d, &err)) << err;
  ASSERT_EQ(d.functions.size(), 120u);
  EXPECT_EQ(d.functions[0].name, "syn-0001");
  EXPECT_EQ(d.functions[119].name, "syn-0120");
  EXPECT_EQ(d.functions[5].runtime, "echo");
  EXPECT_EQ(d.functions[5].tags.at("mcp"), "enabled");
}

}  // namespace
}  // namespace lmcp::emulator
