#include "catalog/input_schema.h"

#include <gtest/gtest.h>

#include "catalog/schema_dialect.h"

namespace lmcp::catalog {
namespace {

TEST(SchemaArnTest, ParsesFully) {
  auto a = ParseSchemaArn(
      "arn:aws:schemas:eu-west-1:123456789012:schema/aws.events/aws.ec2@EC2InstanceStateChangeNotification");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->partition, "aws");
  EXPECT_EQ(a->region, "eu-west-1");
  EXPECT_EQ(a->account, "123456789012");
  EXPECT_EQ(a->registry, "aws.events");
  EXPECT_EQ(a->name, "aws.ec2@EC2InstanceStateChangeNotification");
  EXPECT_TRUE(a->version.empty());
  auto v = ParseSchemaArn("arn:aws-cn:schemas:cn-north-1:123456789012:schema/r/n/3");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->version, "3");
  EXPECT_EQ(v->ToString(), "arn:aws-cn:schemas:cn-north-1:123456789012:schema/r/n/3");
}

TEST(SchemaArnTest, RejectsClearly) {
  for (const char* bad :
       {"", "arn:aws:schemas:us-east-1", "arn:aws:lambda:us-east-1:123456789012:schema/r/n",
        "arn:aws:schemas::123456789012:schema/r/n", "arn:aws:schemas:us-east-1:12:schema/r/n",
        "arn:aws:schemas:us-east-1:123456789012:schema/r",
        "arn:aws:schemas:us-east-1:123456789012:registry/r/n",
        "arn:aws:schemas:us-east-1:123456789012:schema//n"}) {
    auto r = ParseSchemaArn(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("ARN"), std::string::npos) << r.error().message;
    }
  }
}

TEST(InputSchemaTest, JsonSchemaUsedAsIs) {
  auto s = ToInputSchema(
      {R"({"$schema":"http://json-schema.org/draft-04/schema#","properties":{"a":{"type":"integer"}}})",
       "JSONSchemaDraft4", "1"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)["type"], "object");
  EXPECT_EQ((*s)["properties"]["a"]["type"], "integer");
  EXPECT_FALSE(ToInputSchema({R"({"type":"array"})", "JSONSchemaDraft4", ""}).ok());
  EXPECT_FALSE(ToInputSchema({"not json", "JSONSchemaDraft4", ""}).ok());
}

// An EventBridge-style OpenAPI 3 document: AWSEvent refers to the detail component.
const char* kOpenApi = R"({
  "openapi": "3.0.0",
  "info": {"version": "1.0.0", "title": "OrderCreated"},
  "paths": {},
  "components": {"schemas": {
    "AWSEvent": {"type": "object", "required": ["detail"],
                 "properties": {"detail": {"$ref": "#/components/schemas/OrderCreated"},
                                "source": {"type": "string"}}},
    "OrderCreated": {"type": "object", "required": ["orderId"],
                     "properties": {"orderId": {"type": "string"}, "note": {"type": "string", "nullable": true},
                                    "qty": {"type": "integer", "minimum": 0, "exclusiveMinimum": true,
                                            "maximum": 9, "exclusiveMaximum": false}}}
  }}
})";

TEST(InputSchemaTest, OpenApiComponentBecomesSchema) {
  auto s = ToInputSchema({kOpenApi, "OpenApi3", "1"}, "OrderCreated");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ((*s)["properties"]["detail"]["$ref"], "#/definitions/OrderCreated");
  EXPECT_EQ((*s)["definitions"]["OrderCreated"]["required"], Json::array({"orderId"}));
  EXPECT_EQ((*s)["definitions"]["OrderCreated"]["properties"]["note"]["type"],
            Json::array({"string", "null"}));
  auto v = ArgumentValidator::Create(s.value());
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE((*v)->Validate(Json::parse(R"({"detail":{"orderId":"1","note":null}})")).empty());
  // OpenAPI 3.0's boolean exclusive bounds become 2020-12's numeric ones.
  EXPECT_EQ((*s)["definitions"]["OrderCreated"]["properties"]["qty"],
            Json::parse(R"({"type":"integer","exclusiveMinimum":0,"maximum":9})"));
  EXPECT_FALSE((*v)->Validate(Json::parse(R"({"detail":{"orderId":"1","qty":0}})")).empty());
  EXPECT_TRUE((*v)->Validate(Json::parse(R"({"detail":{"orderId":"1","qty":9}})")).empty());
  auto problems = (*v)->Validate(Json::parse(R"({"detail":{"note":"x"}})"));
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("orderId"), std::string::npos) << problems[0];
}

TEST(ArgumentValidatorTest, ListsEveryProblem) {
  auto v = ArgumentValidator::Create(Json::parse(R"({
    "type":"object","required":["customerId","email"],
    "properties":{"customerId":{"type":"string","pattern":"^[0-9]+$"},"email":{"type":"string"},
                  "n":{"type":"integer","maximum":3}},
    "additionalProperties": false})"));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE((*v)->Validate(Json::parse(R"({"customerId":"12","email":"a@b"})")).empty());
  auto problems = (*v)->Validate(Json::parse(R"({"customerId":"x1","n":7,"extra":true})"));
  std::string all;
  for (const auto& p : problems) {
    all += p + "\n";
  }
  EXPECT_GE(problems.size(), 3u) << all;
  EXPECT_NE(all.find("email"), std::string::npos) << all;
  EXPECT_NE(all.find("customerId"), std::string::npos) << all;
  EXPECT_NE(all.find("n"), std::string::npos) << all;
}

TEST(ArgumentValidatorTest, Draft4AndUnusableSchemas) {
  auto v = ArgumentValidator::Create(Json::parse(
      R"({"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"x":{"type":"number","maximum":1,"exclusiveMaximum":true}}})"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_FALSE((*v)->Validate(Json::parse(R"({"x":1})")).empty());
  EXPECT_TRUE((*v)->Validate(Json::parse(R"({"x":0.5})")).empty());
  auto remote = ArgumentValidator::Create(
      Json::parse(R"({"type":"object","properties":{"a":{"$ref":"http://example.com/x.json"}}})"));
  EXPECT_FALSE(remote.ok());
}

}  // namespace
}  // namespace lmcp::catalog

namespace lmcp::catalog {
namespace {

ErrorCode CreateError(const char* schema) {
  auto v = ArgumentValidator::Create(Json::parse(schema));
  EXPECT_FALSE(v.ok()) << schema;
  return v.ok() ? ErrorCode::kInternal : v.error().code;
}

std::vector<std::string> Check(const char* schema, const char* arguments) {
  auto v = ArgumentValidator::Create(Json::parse(schema));
  EXPECT_TRUE(v.ok()) << schema << ": " << v.error().message;
  return v.ok() ? (*v)->Validate(Json::parse(arguments)) : std::vector<std::string>{"(no validator)"};
}

TEST(SchemaDialectTest, DeclaredDialect) {
  EXPECT_EQ(DeclaredDialect(Json::parse(R"({"type":"object"})")).value(), SchemaDialect::k2020_12);
  for (const char* uri :
       {"https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft/2020-12/schema#"}) {
    EXPECT_EQ(DeclaredDialect(Json{{"$schema", uri}}).value(), SchemaDialect::k2020_12) << uri;
  }
  EXPECT_EQ(DeclaredDialect(Json{{"$schema", "http://json-schema.org/draft-07/schema#"}}).value(),
            SchemaDialect::kDraft7);
  EXPECT_EQ(DeclaredDialect(Json{{"$schema", "http://json-schema.org/draft-06/schema#"}}).value(),
            SchemaDialect::kDraft7);
  EXPECT_EQ(DeclaredDialect(Json{{"$schema", "http://json-schema.org/draft-04/schema#"}}).value(),
            SchemaDialect::kDraft4);
  auto later = DeclaredDialect(Json{{"$schema", "https://json-schema.org/draft/2019-09/schema"}});
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(later.error().message.find("supported: 2020-12 (the default), draft-07, draft-06, draft-04"),
            std::string::npos);
  EXPECT_EQ(DeclaredDialect(Json{{"$schema", 7}}).error().code, ErrorCode::kInvalidArgument);
}

// The same tuple is invalid as a 2020-12 schema, and validated as draft-07 when the schema says so.
TEST(SchemaDialectTest, DraftSevenKeywordsNeedTheirDialect) {
  EXPECT_EQ(CreateError(R"({"type":"object","properties":{"t":{"items":[{"type":"string"}]}}})"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CreateError(R"({"type":"object","dependencies":{"a":["b"]}})"), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CreateError(R"({"type":"object","properties":{"t":{"additionalItems":false}}})"),
            ErrorCode::kFailedPrecondition);
  const char* draft7 = R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
    "properties":{"t":{"items":[{"type":"string"}],"additionalItems":false}},"dependencies":{"a":["b"]}})";
  EXPECT_TRUE(Check(draft7, R"({"t":["x"]})").empty());
  EXPECT_FALSE(Check(draft7, R"({"t":["x",1]})").empty());
  EXPECT_FALSE(Check(draft7, R"({"a":1})").empty());
  // In draft-07 a $ref's siblings are ignored; in 2020-12 they apply.
  const char* siblings =
      R"({"$defs":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/s","maxLength":1}}})";
  EXPECT_FALSE(Check(siblings, R"({"a":"xy"})").empty());
  EXPECT_TRUE(
      Check(R"({"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"s":{"type":"string"}},
                        "properties":{"a":{"$ref":"#/definitions/s","maxLength":1}}})",
            R"({"a":"xy"})")
          .empty());
}

TEST(SchemaDialectTest, WhatTheValidatorCannotCheckIsRefusedWithTheKeyword) {
  struct Case {
    const char* schema;
    const char* reason;
  };
  const Case cases[] = {
      {R"({"allOf":[{"properties":{"a":{}}}],"unevaluatedProperties":false})", "at /: unevaluatedProperties"},
      {R"({"properties":{"l":{"prefixItems":[{}],"contains":{},"unevaluatedItems":false}}})",
       "at /properties/l: unevaluatedItems"},
      {R"({"properties":{"l":{"contains":{"type":"string"},"minContains":2}}})", "minContains/maxContains"},
      {R"({"$defs":{"a":{"$id":"a.json","type":"string"}},"properties":{"a":{"$ref":"a.json"}}})",
       "at /$defs/a: schema resources embedded with $id"},
      {R"({"properties":{"a":{"type":"string","pattern":"^\\p{L}+$"}}})",
       "at /properties/a/pattern: pattern uses"},
      {R"({"patternProperties":{"^.{2}$":{}}})", "over UTF-8 bytes"},
  };
  for (const auto& c : cases) {
    auto v = ArgumentValidator::Create(Json::parse(c.schema));
    ASSERT_FALSE(v.ok()) << c.schema;
    EXPECT_EQ(v.error().code, ErrorCode::kFailedPrecondition) << c.schema;
    EXPECT_NE(v.error().message.find(c.reason), std::string::npos) << v.error().message;
  }
  // Where unevaluatedProperties means additionalProperties, it is validated.
  EXPECT_FALSE(Check(R"({"properties":{"a":{}},"unevaluatedProperties":false})", R"({"b":1})").empty());
  EXPECT_TRUE(Check(R"({"properties":{"a":{}},"unevaluatedProperties":false})", R"({"a":1})").empty());
}

TEST(SchemaDialectTest, RefsStayInsideTheSchema) {
  for (const char* ref : {"https://example.com/x.json", "http://169.254.169.254/latest/meta-data",
                          "x.json#/a", "file:///etc/passwd", "urn:example:x"}) {
    auto v = ArgumentValidator::Create(Json{{"properties", {{"a", {{"$ref", ref}}}}}});
    ASSERT_FALSE(v.ok()) << ref;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(v.error().message.find("never fetched"), std::string::npos) << v.error().message;
  }
  EXPECT_NE(ArgumentValidator::Create(Json::parse(R"({"properties":{"a":{"$ref":"#nope"}}})"))
                .error()
                .message.find("no such anchor"),
            std::string::npos);
  EXPECT_NE(ArgumentValidator::Create(Json::parse(R"({"properties":{"a":{"$ref":"#/$defs/nope"}}})"))
                .error()
                .message.find("no such place"),
            std::string::npos);
  // The root's own $id names this document; a recursive $ref terminates.
  const char* tree = R"({"$id":"https://example.com/tree","type":"object",
    "properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"https://example.com/tree"}}}})";
  EXPECT_TRUE(Check(tree, R"({"v":1,"kids":[{"v":2,"kids":[]}]})").empty());
  EXPECT_FALSE(Check(tree, R"({"v":1,"kids":[{"v":"x"}]})").empty());
}

TEST(SchemaDialectTest, SchemaSizeIsBounded) {
  Json deep = Json::object();
  Json* at = &deep;
  for (int i = 0; i < 70; ++i) {
    (*at)["properties"]["a"] = Json::object();
    at = &(*at)["properties"]["a"];
  }
  EXPECT_EQ(ArgumentValidator::Create(deep).error().code, ErrorCode::kFailedPrecondition);
  Json wide = Json::object();
  for (int i = 0; i <= kMaxSubschemas; ++i) {
    wide["properties"]["p" + std::to_string(i)] = Json{{"type", "string"}};
  }
  auto v = ArgumentValidator::Create(wide);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(v.error().message.find("10000"), std::string::npos) << v.error().message;
}

// valijson's own flaws, fixed for every dialect.
TEST(SchemaDialectTest, ValidatorFlawsAreFixedInEveryDialect) {
  for (const char* dialect :
       {"http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema"}) {
    auto with = [&](const char* rest) {
      return std::string(R"({"$schema":")") + dialect + "\"," + rest + "}";
    };
    std::string money = with(R"("properties":{"p":{"type":"number","multipleOf":0.01}})");
    EXPECT_TRUE(Check(money.c_str(), R"({"p":19.99})").empty()) << dialect;
    EXPECT_FALSE(Check(money.c_str(), R"({"p":19.991})").empty()) << dialect;
    std::string two = with(R"("properties":{"s":{"type":"string","pattern":"^.{2}$"}})");
    EXPECT_TRUE(Check(two.c_str(), R"({"s":"日本"})").empty()) << dialect;
    EXPECT_FALSE(Check(two.c_str(), R"({"s":"日本語"})").empty()) << dialect;
    std::string names = with(R"("propertyNames":{"maxLength":3})");
    EXPECT_FALSE(Check(names.c_str(), R"({"abcd":1})").empty()) << dialect;
    EXPECT_TRUE(Check(names.c_str(), R"({"abc":1})").empty()) << dialect;
    std::string integer = with(R"("properties":{"n":{"type":"integer"}})");
    EXPECT_TRUE(Check(integer.c_str(), R"({"n":1.0})").empty()) << dialect;
    EXPECT_FALSE(Check(integer.c_str(), R"({"n":1.5})").empty()) << dialect;
  }
}

}  // namespace
}  // namespace lmcp::catalog
