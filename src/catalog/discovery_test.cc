#include "catalog/discovery.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/support/catalog/fake_lambda_backend.h"

namespace lmcp::catalog {
namespace {

// The flat configuration's one target.
Result<DiscoveryResult> Discover(const CatalogOptions& o, LambdaBackend& b) {
  return catalog::Discover(o.targets.at(0), o.compat, b);
}

// The five functions of reference-measurements.md, in ListFunctions order.
void SeedReferenceFunctions(FakeLambdaBackend& b) {
  b.AddFunction("mcp-echo", "Echo the event back (moto simple backend)",
                {{"mcp", "enabled"}, {"team", "core"}});
  b.AddFunction("mcp-customer-info", "Customer status from { 'customerId' }", {{"team", "crm"}});
  b.AddFunction("customer-id-from-email", "Get customer ID from { 'email' }", {{"mcp", "enabled"}});
  b.AddFunction("report-generator", "", {});
  b.AddFunction("2fa-verify", "Verify a 2FA code", {{"mcp", "disabled"}});
}

CatalogOptions Options(OptionValues env) {
  auto r = LoadCatalogOptions({.env = std::move(env)});
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : CatalogOptions{};
}

std::vector<std::string> Names(const DiscoveryResult& d) {
  std::vector<std::string> out;
  for (const auto& t : d.tools) {
    out.push_back(t.definition.name);
  }
  return out;
}

struct Row {
  const char* label;
  OptionValues env;
  std::vector<std::string> tools;
};

class ReferenceTableTest : public ::testing::TestWithParam<Row> {};

// reference-server.md §2.1: every row, with lambda-mcp's two documented differences (no filter is opt-in;
// FUNCTION_LIST ARNs match).
TEST_P(ReferenceTableTest, ToolNames) {
  for (bool tagging_denied : {false, true}) {
    FakeLambdaBackend b;
    SeedReferenceFunctions(b);
    if (tagging_denied) {
      b.FailGetResources(Error::PermissionDenied("AccessDeniedException: not allowed"));
    }
    auto d = Discover(Options(GetParam().env), b);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(Names(d.value()), GetParam().tools) << GetParam().label << " tagging_denied=" << tagging_denied;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, ReferenceTableTest,
    ::testing::Values(
        Row{"none (opt-in now)", {}, {}},
        Row{"allow all",
            {{"FUNCTION_ALLOW_ALL", "true"}},
            {"mcp_echo", "mcp_customer_info", "customer_id_from_email", "report_generator", "_2fa_verify"}},
        Row{"prefix", {{"FUNCTION_PREFIX", "mcp-"}}, {"echo", "customer_info"}},
        Row{"list",
            {{"FUNCTION_LIST", "customer-id-from-email, 2fa-verify ,,"}},
            {"customer_id_from_email", "_2fa_verify"}},
        Row{"prefix+list",
            {{"FUNCTION_PREFIX", "mcp-"}, {"FUNCTION_LIST", "2fa-verify"}},
            {"echo", "customer_info", "_2fa_verify"}},
        Row{"tag",
            {{"FUNCTION_TAG_KEY", "mcp"}, {"FUNCTION_TAG_VALUE", "enabled"}},
            {"mcp_echo", "customer_id_from_email"}},
        Row{"prefix+tag",
            {{"FUNCTION_PREFIX", "mcp-"}, {"FUNCTION_TAG_KEY", "mcp"}, {"FUNCTION_TAG_VALUE", "enabled"}},
            {"echo"}},
        Row{"tag key only", {{"FUNCTION_TAG_KEY", "mcp"}}, {}},
        Row{"tag value only", {{"FUNCTION_TAG_VALUE", "enabled"}}, {}},
        Row{"list arn (matches now)",
            {{"FUNCTION_LIST", "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo"}},
            {"mcp_echo"}},
        Row{"list arn other region",
            {{"FUNCTION_LIST", "arn:aws:lambda:eu-west-1:123456789012:function:mcp-echo"}},
            {}},
        Row{"prefix case-sensitive", {{"FUNCTION_PREFIX", "MCP-"}}, {}}));

// Why nothing was selected, in counts only: the text reaches clients on tools/list.
TEST(DiscoveryTest, NothingSelectedSaysWhyWithoutNamingFunctions) {
  struct Case {
    OptionValues env;
    std::string why;
  };
  const std::vector<Case> cases = {
      {{}, "No functions selected"},
      {{{"FUNCTION_TAG_KEY", "mcp"}}, "Both FUNCTION_TAG_KEY and FUNCTION_TAG_VALUE must be set"},
      {{{"FUNCTION_PREFIX", "MCP-"}},
       "none of the 5 functions listed matches FUNCTION_PREFIX \"MCP-\" (case-sensitive). 2 functions start "
       "with it in another case."},
      {{{"FUNCTION_LIST", "nope"}}, "none of the 5 functions listed matches any FUNCTION_LIST entry."},
      {{{"FUNCTION_PREFIX", "mcp-"}, {"FUNCTION_TAG_KEY", "mcp"}, {"FUNCTION_TAG_VALUE", "disabled"}},
       "none of the 2 functions the name filter kept has the tag mcp=disabled."},
      {{{"FUNCTION_TAG_KEY", "team"}, {"FUNCTION_TAG_VALUE", "ops"}},
       "none of the 5 functions listed has the tag team=ops."},
  };
  for (const auto& c : cases) {
    FakeLambdaBackend b;
    SeedReferenceFunctions(b);
    auto d = Discover(Options(c.env), b);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_TRUE(d->tools.empty());
    EXPECT_NE(d->nothing_selected.find(c.why), std::string::npos) << d->nothing_selected;
    for (const char* name : {"mcp-echo", "mcp-customer-info", "customer-id-from-email", "2fa-verify"}) {
      EXPECT_EQ(d->nothing_selected.find(name), std::string::npos) << d->nothing_selected;
    }
  }
  FakeLambdaBackend empty;
  auto none = Discover(Options({{"FUNCTION_ALLOW_ALL", "true"}}), empty);
  ASSERT_TRUE(none.ok());
  EXPECT_NE(none->nothing_selected.find("ListFunctions found no function"), std::string::npos);
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  auto some = Discover(Options({{"FUNCTION_PREFIX", "mcp-"}}), b);
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->nothing_selected, "");
}

TEST(DiscoveryTest, HalfTagFilterWarnsAndMakesNoAwsCall) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  auto d = Discover(Options({{"FUNCTION_TAG_KEY", "mcp"}, {"FUNCTION_PREFIX", "mcp-"}}), b);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->tools.empty());
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_EQ(d->warnings[0], "Both FUNCTION_TAG_KEY and FUNCTION_TAG_VALUE must be set to filter by tag.");
}

TEST(DiscoveryTest, DescriptionFallbackAndQualifiers) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  b.SetTags("report-generator", {{"alias", "live"}});
  auto d = Discover(Options({{"FUNCTION_ALLOW_ALL", "1"},
                             {"FUNCTION_LIST", "mcp-echo:prod"},
                             {"FUNCTION_QUALIFIER_TAG_KEY", "alias"},
                             {"FUNCTION_QUALIFIER", "stable"}}),
                    b);
  ASSERT_TRUE(d.ok());
  // FUNCTION_LIST set → name stage = just mcp-echo; ALLOW_ALL does not widen an explicit filter.
  ASSERT_EQ(d->tools.size(), 1u);
  EXPECT_EQ(d->tools[0].qualifier, "prod");
  EXPECT_EQ(d->tools[0].qualifier_source, "list");

  auto all = Discover(Options({{"FUNCTION_ALLOW_ALL", "1"},
                               {"FUNCTION_QUALIFIER_TAG_KEY", "alias"},
                               {"FUNCTION_QUALIFIER", "stable"}}),
                      b);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->tools.size(), 5u);
  EXPECT_EQ(all->tools[3].function.name, "report-generator");
  EXPECT_EQ(all->tools[3].qualifier, "live");
  EXPECT_EQ(all->tools[3].qualifier_source, "tag");
  EXPECT_NE(all->tools[3].definition.description.find("report-generator"), std::string::npos);
  EXPECT_EQ(all->tools[0].qualifier, "stable");
  EXPECT_EQ(all->tools[0].definition.input_schema, OpenInputSchema());
  EXPECT_EQ(b.get_resources_calls, 2);  // one per discovery
  EXPECT_EQ(b.list_tags_calls, 0);
}

TEST(DiscoveryTest, ListFunctionsFailureNamesCauseAndFix) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  b.FailListFunctions(Error::Unauthenticated("Unable to locate credentials"));
  auto d = Discover(Options({{"FUNCTION_PREFIX", "mcp-"}}), b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(d.error().message.find("Unable to locate credentials"), std::string::npos);
  EXPECT_NE(d.error().message.find("Fix:"), std::string::npos);
  b.FailListFunctions(Error::PermissionDenied("AccessDeniedException: no"));
  d = Discover(Options({{"FUNCTION_PREFIX", "mcp-"}}), b);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("lambda:ListFunctions"), std::string::npos);
}

TEST(DiscoveryTest, TagFallbackDeniedToo) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  b.FailGetResources(Error::PermissionDenied("AccessDeniedException: tag"));
  b.FailListTags(Error::PermissionDenied("AccessDeniedException: lambda:ListTags"));
  auto d = Discover(Options({{"FUNCTION_TAG_KEY", "mcp"}, {"FUNCTION_TAG_VALUE", "enabled"}}), b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(d.error().message.find("tag:GetResources"), std::string::npos);
}

TEST(DiscoveryTest, ThousandFunctionsWithTagFilterInFewCalls) {
  FakeLambdaBackend b;
  for (int i = 0; i < 1000; ++i) {
    b.AddFunction("bulk-" + std::to_string(i), "", i % 2 ? Tags{{"mcp", "enabled"}} : Tags{{"mcp", "off"}});
  }
  auto d = Discover(Options({{"FUNCTION_TAG_KEY", "mcp"},
                             {"FUNCTION_TAG_VALUE", "enabled"},
                             {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema"}}),
                    b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tools.size(), 500u);
  EXPECT_EQ(b.list_functions_calls, 20);  // 50 per page
  EXPECT_EQ(b.get_resources_calls, 5);    // 100 per page
  EXPECT_EQ(b.list_tags_calls, 0);        // tags read once, reused for the schema tag
}

TEST(DiscoveryTest, FallbackListTagsOncePerFunction) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  b.FailGetResources(Error::PermissionDenied("AccessDeniedException"));
  auto d = Discover(Options({{"FUNCTION_PREFIX", "mcp-"},
                             {"FUNCTION_TAG_KEY", "mcp"},
                             {"FUNCTION_TAG_VALUE", "enabled"},
                             {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema"}}),
                    b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Names(d.value()), std::vector<std::string>{"echo"});
  EXPECT_EQ(b.list_tags_calls, 2);  // the two name-stage survivors, once each
  EXPECT_TRUE(d->used_list_tags_fallback);
}

TEST(DiscoveryTest, EmptyGetResourcesIsConfirmedWithListTags) {
  // moto's Tagging API does not index Lambda tags: GetResources answers an empty list.
  class NoTaggingIndex : public FakeLambdaBackend {
   public:
    Result<std::vector<TaggedResource>> GetTaggedFunctions(const std::string&, const std::string&) override {
      ++get_resources_calls;
      return std::vector<TaggedResource>{};
    }
  } b;
  SeedReferenceFunctions(b);
  auto d = Discover(Options({{"FUNCTION_TAG_KEY", "mcp"}, {"FUNCTION_TAG_VALUE", "enabled"}}), b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Names(d.value()), (std::vector<std::string>{"mcp_echo", "customer_id_from_email"}));
  EXPECT_EQ(b.get_resources_calls, 1);
  EXPECT_EQ(b.list_tags_calls, 5);
}

const char* kCustomerSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"customerId": {"type": "string", "pattern": "^[0-9]+$"}},
  "required": ["customerId"],
  "additionalProperties": false
})";

// Schemas without the registry: <function-name>.json in LAMBDA_MCP_INPUT_SCHEMA_DIR wins over the tag; a file
// that cannot be used is a warning and the tag's schema serves instead.
TEST(DiscoveryTest, SchemaFilesWinOverTheRegistryTag) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "lmcp-schema-dir";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "mcp-echo.json")
      << R"({"type":"object","required":["text"],"properties":{"text":{"type":"string"}}})";
  std::ofstream(dir / "mcp-customer-info.json") << R"({"type":"array"})";
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  b.SetTags("mcp-customer-info",
            {{"team", "crm"}, {"schema", "arn:aws:schemas:us-east-1:123456789012:schema/reg/Customer"}});
  b.AddSchema("us-east-1", "reg", "Customer", {kCustomerSchema, "JSONSchemaDraft4", "1"});
  auto d = Discover(Options({{"FUNCTION_PREFIX", "mcp-"},
                             {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema"},
                             {"LAMBDA_MCP_INPUT_SCHEMA_DIR", dir.string()}}),
                    b);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->tools.size(), 2u);
  const auto& echo = d->tools[0];
  EXPECT_EQ(echo.schema_source, "file " + (dir / "mcp-echo.json").string());
  EXPECT_EQ(echo.definition.input_schema["required"], Json::array({"text"}));
  ASSERT_TRUE(echo.validator);
  EXPECT_FALSE(echo.validator->Validate(Json{{"text", 1}}).empty());
  const auto& info = d->tools[1];
  EXPECT_EQ(info.schema_source, "registry arn:aws:schemas:us-east-1:123456789012:schema/reg/Customer");
  std::string warnings;
  for (const auto& w : d->warnings) {
    warnings += w + "\n";
  }
  EXPECT_NE(warnings.find("mcp-customer-info: schema file " + (dir / "mcp-customer-info.json").string() +
                          " not used: its root must be {\"type\": \"object\""),
            std::string::npos)
      << warnings;
  EXPECT_FALSE(LoadCatalogOptions({.env = {{"LAMBDA_MCP_INPUT_SCHEMA_DIR", (dir / "nope").string()}}}).ok());
}

TEST(DiscoveryTest, RegistrySchemaBecomesInputSchema) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  b.SetTags("mcp-customer-info",
            {{"team", "crm"}, {"schema", "arn:aws:schemas:us-east-1:123456789012:schema/reg/Customer"}});
  b.SetTags("mcp-echo", {{"schema", "arn:aws:schemas:eu-west-1:123456789012:schema/reg/Customer"}});
  b.AddSchema("us-east-1", "reg", "Customer", {kCustomerSchema, "JSONSchemaDraft4", "1"});
  b.AddSchema("eu-west-1", "reg", "Customer", {kCustomerSchema, "JSONSchemaDraft4", "1"});
  auto d =
      Discover(Options({{"FUNCTION_PREFIX", "mcp-"}, {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema"}}), b);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->tools.size(), 2u);
  const auto& info = d->tools[1];
  EXPECT_EQ(info.definition.input_schema["required"], Json::array({"customerId"}));
  EXPECT_TRUE(info.validator);
  EXPECT_EQ(info.schema_source, "registry arn:aws:schemas:us-east-1:123456789012:schema/reg/Customer");
  // The ARN's region is honoured.
  EXPECT_EQ(d->tools[0].schema_source, "registry arn:aws:schemas:eu-west-1:123456789012:schema/reg/Customer");
  EXPECT_EQ(b.describe_schema_calls, 2);
}

TEST(DiscoveryTest, BadSchemasFallBackToOpenSchemaWithReason) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  b.SetTags("mcp-echo", {{"schema", "arn:aws:schemas:us-east-1:999999999999:schema/reg/Customer"}});
  b.SetTags("mcp-customer-info", {{"schema", "arn:aws:schemas:us-east-1:123456789012:bogus"}});
  b.SetTags("customer-id-from-email",
            {{"schema", "arn:aws:schemas:us-east-1:123456789012:schema/reg/Missing"}});
  auto d =
      Discover(Options({{"FUNCTION_ALLOW_ALL", "true"}, {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema"}}), b);
  ASSERT_TRUE(d.ok());
  EXPECT_NE(d->tools[0].schema_source.find("account 999999999999"), std::string::npos);
  EXPECT_NE(d->tools[1].schema_source.find("invalid schema path"), std::string::npos);
  EXPECT_NE(d->tools[2].schema_source.find("DescribeSchema"), std::string::npos);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(d->tools[i].definition.input_schema, OpenInputSchema());
  }
  EXPECT_EQ(b.describe_schema_calls, 1);
}

TEST(DiscoveryTest, CompatDefinitionsMatchReference) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  auto d = Discover(Options({{"FUNCTION_PREFIX", "mcp-"}, {"LAMBDA_MCP_COMPAT", "reference"}}), b);
  ASSERT_TRUE(d.ok());
  Json tools = Json::array();
  for (const auto& t : d->tools) {
    tools.push_back({{"name", t.definition.name},
                     {"description", t.definition.description},
                     {"inputSchema", t.definition.input_schema},
                     {"outputSchema", *t.definition.output_schema}});
  }
  // reference-server.md §6, exact bytes for FUNCTION_PREFIX=mcp- (nlohmann sorts keys; compare as JSON).
  Json expected = Json::parse(
      R"J([{"name":"echo","description":"Echo the event back (moto simple backend)","inputSchema":{"properties":{"parameters":{"additionalProperties":true,"title":"Parameters","type":"object"}},"required":["parameters"],"title":"lambda_functionArguments","type":"object"},"outputSchema":{"properties":{"result":{"title":"Result","type":"string"}},"required":["result"],"title":"lambda_functionOutput","type":"object"}},{"name":"customer_info","description":"Customer status from { 'customerId' }","inputSchema":{"properties":{"parameters":{"additionalProperties":true,"title":"Parameters","type":"object"}},"required":["parameters"],"title":"lambda_functionArguments","type":"object"},"outputSchema":{"properties":{"result":{"title":"Result","type":"string"}},"required":["result"],"title":"lambda_functionOutput","type":"object"}}])J");
  EXPECT_EQ(tools, expected);
}

TEST(DiscoveryTest, SameToolsDetectsChanges) {
  FakeLambdaBackend b;
  SeedReferenceFunctions(b);
  auto o = Options({{"FUNCTION_PREFIX", "mcp-"}});
  auto a = Discover(o, b);
  auto c = Discover(o, b);
  ASSERT_TRUE(a.ok() && c.ok());
  EXPECT_TRUE(SameTools(a->tools, c->tools));
  b.AddFunction("mcp-new");
  auto n = Discover(o, b);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(SameTools(a->tools, n->tools));
}

// How each tool runs comes from its tags and Timeout (tool_execution.h), with the catalog's threshold;
// a change of it is a change of the tool set.
TEST(DiscoveryTest, TaskSupportAndInvocationTypeFromTagsAndTimeout) {
  FakeLambdaBackend b;
  b.AddFunction("mcp-quick").timeout_seconds = 3;
  b.AddFunction("mcp-long").timeout_seconds = 120;
  b.AddFunction("mcp-notify", "", {{"mcp:invocation-type", "Event"}}).timeout_seconds = 300;
  b.AddFunction("mcp-ask", "", {{"mcp:task-support", "required"}, {"mcp:task-after-input", "true"}});
  b.AddFunction("mcp-odd", "", {{"mcp:task-support", "always"}}).timeout_seconds = 120;
  auto o = Options({{"FUNCTION_PREFIX", "mcp-"}});
  auto d = Discover(o, b);
  ASSERT_TRUE(d.ok()) << d.error().message;
  std::map<std::string, const ToolEntry*> by_name;
  for (const auto& t : d->tools) {
    by_name[t.definition.name] = &t;
  }
  using mcp::TaskSupport;
  EXPECT_EQ(by_name.at("quick")->definition.task_support, TaskSupport::kForbidden);
  EXPECT_EQ(by_name.at("long")->definition.task_support, TaskSupport::kOptional);
  EXPECT_EQ(by_name.at("notify")->definition.task_support, TaskSupport::kForbidden);
  EXPECT_EQ(by_name.at("notify")->invocation_type, InvocationType::kEvent);
  EXPECT_EQ(by_name.at("ask")->definition.task_support, TaskSupport::kRequired);
  EXPECT_TRUE(by_name.at("ask")->definition.input_before_task);
  EXPECT_EQ(by_name.at("odd")->definition.task_support, TaskSupport::kOptional);
  bool warned = false;
  for (const auto& w : d->warnings) {
    warned = warned || w.find("function mcp-odd: tag mcp:task-support=\"always\"") != std::string::npos;
  }
  EXPECT_TRUE(warned);

  auto higher = catalog::Discover(o.targets.at(0), o.compat, b, std::chrono::seconds(300));
  ASSERT_TRUE(higher.ok());
  for (const auto& t : higher->tools) {
    if (t.definition.name == "long") {
      EXPECT_EQ(t.definition.task_support, TaskSupport::kForbidden);
    }
  }
  EXPECT_FALSE(SameTools(d->tools, higher->tools));
}

}  // namespace
}  // namespace lmcp::catalog
