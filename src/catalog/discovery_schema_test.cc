// Registry schemas through discovery: 2020-12 keywords reach tools/list untouched; a schema the validator
// cannot check is published unvalidated with the reason; invalid x-mcp-header annotations are removed.

#include <gtest/gtest.h>

#include <string>

#include "catalog/discovery.h"
#include "mcp/protocol.h"
#include "mcp/x_mcp_header.h"
#include "tests/support/catalog/fake_lambda_backend.h"

namespace lmcp::catalog {
namespace {

// The flat configuration's one target.
Result<DiscoveryResult> Discover(const CatalogOptions& o, LambdaBackend& b) {
  return catalog::Discover(o.targets.at(0), o.compat, b);
}

const char* kArn = "arn:aws:schemas:us-east-1:123456789012:schema/reg/Order";

CatalogOptions SchemaOptions() {
  auto r = LoadCatalogOptions(
      {.env = {{"FUNCTION_LIST", "orders"}, {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema"}}});
  EXPECT_TRUE(r.ok());
  return r.value();
}

// One function, "orders", whose schema tag names a registry document with `content`.
DiscoveryResult DiscoverWith(const std::string& content) {
  FakeLambdaBackend b;
  b.AddFunction("orders", "", {{"schema", kArn}});
  b.AddSchema("us-east-1", "reg", "Order", {content, "JSONSchemaDraft4", "1"});
  auto d = Discover(SchemaOptions(), b);
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d->tools.size(), 1u);
  return d.value();
}

std::string AllWarnings(const DiscoveryResult& d) {
  std::string all;
  for (const auto& w : d.warnings) {
    all += w + "\n";
  }
  return all;
}

// Every 2020-12 keyword family, extension keywords and a valid x-mcp-header, with no $schema (2020-12).
const char* k2020 = R"({
  "type": "object",
  "$comment": "an order",
  "$defs": {"sku": {"$anchor": "sku", "type": "string", "pattern": "^[A-Z]{3}-[0-9]+$"},
            "qty": {"type": "integer", "minimum": 1}},
  "properties": {
    "region": {"type": "string", "enum": ["eu", "us"], "x-mcp-header": "Region"},
    "lines": {"type": "array", "prefixItems": [{"$ref": "#sku"}, {"$ref": "#/$defs/qty"}], "items": false,
              "minItems": 2},
    "note": {"type": ["string", "null"], "maxLength": 5, "format": "not-a-format", "deprecated": true},
    "gift": {"const": true},
    "wrap": {"type": "string"},
    "kind": {"type": "string"},
    "price": {"type": "number", "multipleOf": 0.01, "exclusiveMinimum": 0}
  },
  "required": ["region", "lines"],
  "dependentRequired": {"gift": ["wrap"]},
  "dependentSchemas": {"wrap": {"properties": {"wrap": {"minLength": 2}}}},
  "if": {"properties": {"kind": {"const": "express"}}, "required": ["kind"]},
  "then": {"required": ["price"]},
  "else": {"not": {"required": ["price"]}},
  "propertyNames": {"maxLength": 8},
  "additionalProperties": false,
  "x-vendor-ui": {"order": ["region", "lines"], "x-mcp-header": "NotAnAnnotationHere"}
})";

TEST(DiscoverySchemaTest, Schema2020_12ReachesToolsListUntouched) {
  // An annotation inside an unknown keyword is not statically reachable: the one change made is its removal.
  Json expected = Json::parse(k2020);
  expected["x-vendor-ui"].erase("x-mcp-header");
  DiscoveryResult d = DiscoverWith(k2020);
  const ToolEntry& e = d.tools[0];
  EXPECT_EQ(e.definition.input_schema, expected);
  EXPECT_EQ(mcp::RenderTool(e.definition, "2026-07-28")["inputSchema"].dump(), expected.dump());
  EXPECT_EQ(mcp::RenderTool(e.definition, "2025-11-25")["inputSchema"].dump(), expected.dump());
  EXPECT_NE(AllWarnings(d).find("/x-vendor-ui"), std::string::npos) << AllWarnings(d);
  EXPECT_EQ(e.schema_source, std::string("registry ") + kArn);
  ASSERT_TRUE(e.validator);

  auto check = [&](const char* args) { return e.validator->Validate(Json::parse(args)); };
  EXPECT_TRUE(check(R"({"region":"eu","lines":["ABC-1",2]})").empty());
  EXPECT_TRUE(check(R"({"region":"eu","lines":["ABC-1",2.0],"note":null})").empty());  // 2.0 is an integer
  EXPECT_TRUE(check(R"({"region":"eu","lines":["ABC-1",2],"kind":"express","price":19.99})").empty());
  EXPECT_TRUE(check(R"({"region":"eu","lines":["ABC-1",2],"gift":true,"wrap":"red"})").empty());
  EXPECT_TRUE(check(R"({"region":"eu","lines":["ABC-1",2],"note":"日本語です"})").empty());  // 5 code points
  for (const char* bad : {
           R"({"region":"eu","lines":["abc",2]})",                                    // $anchor → pattern
           R"({"region":"eu","lines":["ABC-1",0]})",                                  // $ref → minimum
           R"({"region":"eu","lines":["ABC-1",2,3]})",                                // items: false
           R"({"region":"eu","lines":["ABC-1",2],"gift":true})",                      // dependentRequired
           R"({"region":"eu","lines":["ABC-1",2],"gift":true,"wrap":"r"})",           // dependentSchemas
           R"({"region":"eu","lines":["ABC-1",2],"kind":"express"})",                 // if/then
           R"({"region":"eu","lines":["ABC-1",2],"price":1})",                        // else
           R"({"region":"eu","lines":["ABC-1",2],"kind":"express","price":19.991})",  // multipleOf
           R"({"region":"eu","lines":["ABC-1",2],"gift":false})",                     // const
           R"({"region":"eu","lines":["ABC-1",2],"note":"日本語です!"})",             // maxLength
           R"({"region":"eu","lines":["ABC-1",2],"extra":1})",                        // additionalProperties
           R"({"region":"asia","lines":["ABC-1",2]})",                                // enum
       }) {
    EXPECT_FALSE(check(bad).empty()) << bad;
  }
}

TEST(DiscoverySchemaTest, SchemaTheValidatorCannotCheckIsPublishedUnvalidatedWithTheReason) {
  const char* content = R"({"type":"object","$defs":{"base":{"properties":{"a":{"type":"string"}}}},
                            "anyOf":[{"$ref":"#/$defs/base"},{"required":["b"]}],"unevaluatedProperties":false})";
  DiscoveryResult d = DiscoverWith(content);
  const ToolEntry& e = d.tools[0];
  EXPECT_EQ(e.definition.input_schema, Json::parse(content));
  EXPECT_FALSE(e.validator);
  EXPECT_NE(e.schema_source.find(
                "arguments not validated: at /unevaluatedProperties: unevaluatedProperties next to anyOf"),
            std::string::npos)
      << e.schema_source;
  EXPECT_NE(AllWarnings(d).find("does not validate arguments against it: at /unevaluatedProperties: "),
            std::string::npos)
      << AllWarnings(d);
}

TEST(DiscoverySchemaTest, UnknownDialectIsPublishedUnvalidated) {
  const char* content = R"({"$schema":"https://json-schema.org/draft/2019-09/schema","type":"object",
                            "properties":{"a":{"$recursiveRef":"#"}}})";
  DiscoveryResult d = DiscoverWith(content);
  EXPECT_EQ(d.tools[0].definition.input_schema, Json::parse(content));
  EXPECT_FALSE(d.tools[0].validator);
  EXPECT_NE(d.tools[0].schema_source.find("dialect \"https://json-schema.org/draft/2019-09/schema\" is not "
                                          "supported (supported: 2020-12 (the default)"),
            std::string::npos)
      << d.tools[0].schema_source;
}

TEST(DiscoverySchemaTest, NetworkRefIsNeverFetchedAndTheSchemaNotUsed) {
  DiscoveryResult d =
      DiscoverWith(R"({"type":"object","properties":{"u":{"$ref":"https://example.com/u.json"}}})");
  EXPECT_EQ(d.tools[0].definition.input_schema, OpenInputSchema());
  EXPECT_NE(d.tools[0].schema_source.find("names another document; schemas are never fetched"),
            std::string::npos)
      << d.tools[0].schema_source;
}

TEST(DiscoverySchemaTest, InvalidHeaderAnnotationsAreRemovedAndTheOthersKept) {
  DiscoveryResult d = DiscoverWith(R"({"type":"object","properties":{
      "region":{"type":"string","x-mcp-header":"Region"},
      "score":{"type":"number","x-mcp-header":"Score"},
      "tags":{"type":"array","items":{"type":"string","x-mcp-header":"Tag"}},
      "zone":{"type":"string","x-mcp-header":"region"}}})");
  const Json& schema = d.tools[0].definition.input_schema;
  EXPECT_EQ(schema["properties"]["region"]["x-mcp-header"], "Region");
  EXPECT_FALSE(schema["properties"]["score"].contains("x-mcp-header"));
  EXPECT_FALSE(schema["properties"]["tags"]["items"].contains("x-mcp-header"));
  EXPECT_FALSE(schema["properties"]["zone"].contains("x-mcp-header"));
  std::string warnings = AllWarnings(d);
  for (const char* where : {"/properties/score: ", "/properties/tags/items: ", "/properties/zone: "}) {
    EXPECT_NE(
        warnings.find(std::string("orders: invalid x-mcp-header annotation removed from the input schema "
                                  "(clients would drop the tool): ") +
                      where),
        std::string::npos)
        << warnings;
  }
  auto params = mcp::ParseHeaderParams(schema);
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->size(), 1u);
  EXPECT_TRUE(d.tools[0].validator);  // the annotation is an unknown keyword to the validator
}

}  // namespace
}  // namespace lmcp::catalog
