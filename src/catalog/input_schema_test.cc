#include "catalog/input_schema.h"

#include <gtest/gtest.h>

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
                     "properties": {"orderId": {"type": "string"}, "note": {"type": "string", "nullable": true}}}
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
