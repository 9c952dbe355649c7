// JSON Schema 2020-12 registry schemas over the real wire: the local endpoint's DescribeSchema, the
// production backend (catalog::AwsLambdaBackend) and discovery. The schema reaches the tool definition as the
// registry holds it (only an invalid x-mcp-header annotation is removed), and arguments are validated in
// 2020-12.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "catalog/aws_lambda_backend.h"
#include "catalog/discovery.h"
#include "emulator/local_endpoint.h"
#include "mcp/protocol.h"
#include "test_session.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

constexpr char kAkid[] = "AKIDSCHEMA2020";
constexpr char kSecret[] = "schema-2020-secret";

TEST(Schema2020Test, RegistrySchemasReachToolsListAndValidateAs2020_12) {
  auto ep = StartEndpoint(std::string(LMCP_TEST_DIR) + "/fixtures/schema_2020.yaml", kAkid, kSecret);
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  auto options = catalog::LoadCatalogOptions({.env = {{"FUNCTION_PREFIX", "schema-"},
                                                      {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema"},
                                                      {"AWS_REGION", "us-east-1"}}});
  ASSERT_TRUE(options.ok()) << options.error().message;
  auto backend = catalog::AwsLambdaBackend::Create(options->targets.at(0), Clock::System(),
                                                   StaticKeyEnv(kAkid, kSecret, (*ep)->url()));
  ASSERT_TRUE(backend.ok()) << backend.error().message;
  auto d = catalog::Discover(options->targets.at(0), options->compat, **backend);
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->tools.size(), 2u);
  std::map<std::string, const catalog::ToolEntry*> by_name;
  for (const auto& t : d->tools) {
    by_name[t.definition.name] = &t;
  }

  // The JSON text: every keyword as written; the number-typed x-mcp-header removed (clients would drop the
  // tool); unevaluatedProperties here means additionalProperties, so it is validated.
  const catalog::ToolEntry& order = *by_name.at("order");
  json expected = json::parse((*ep)->service().deployment().schemas.at(0).content);
  expected["properties"]["score"].erase("x-mcp-header");
  EXPECT_EQ(mcp::RenderTool(order.definition, "2026-07-28")["inputSchema"], expected);
  ASSERT_TRUE(order.validator) << order.schema_source;
  EXPECT_TRUE(order.validator->Validate(json::parse(R"({"region":"eu","lines":["ABC-1",2]})")).empty());
  for (const char* bad : {R"({"region":"eu","lines":["abc",2]})", R"({"region":"eu","lines":["ABC-1",2,3]})",
                          R"({"region":"eu","gift":true})", R"({"region":"eu","other":1})"}) {
    EXPECT_FALSE(order.validator->Validate(json::parse(bad)).empty()) << bad;
  }

  // The inline YAML mapping, stored as JSON by the endpoint.
  const catalog::ToolEntry& inline_tool = *by_name.at("inline");
  EXPECT_EQ(inline_tool.definition.input_schema, json::parse(R"({"type":"object",
    "properties":{"tenant":{"type":"string","x-mcp-header":"Tenant","minLength":2},"n":{"type":"integer","const":3}},
    "if":{"required":["n"]},"then":{"required":["tenant"]}})"));
  ASSERT_TRUE(inline_tool.validator) << inline_tool.schema_source;
  EXPECT_TRUE(inline_tool.validator->Validate(json::parse(R"({"n":3,"tenant":"ab"})")).empty());
  EXPECT_FALSE(inline_tool.validator->Validate(json::parse(R"({"n":3})")).empty());
}

}  // namespace
}  // namespace lmcp::emulator
