#include "catalog/validation_message.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "catalog/input_schema.h"

namespace lmcp::catalog {
namespace {

// Every line the model gets: one per problem, the constraint and the offending value named, no echo lines.
TEST(ValidationMessageTest, EachProblemNamesItsConstraintAndValue) {
  auto v = ArgumentValidator::Create(Json::parse(R"({
    "type":"object","required":["customerId","email"],
    "properties":{
      "customerId":{"type":"string","pattern":"^[0-9]+$"},
      "email":{"type":"string"},
      "color":{"enum":["red","green"]},
      "n":{"type":"integer","maximum":3},
      "points":{"type":"array","items":{"type":"number"}},
      "detail":{"$ref":"#/definitions/Detail"}},
    "definitions":{"Detail":{"type":"object","properties":{"kind":{"const":"order"}}}},
    "additionalProperties": false})"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto problems = (*v)->Validate(Json::parse(
      R"({"customerId":"x1","color":"purple","n":7,"points":[1,"two"],"detail":{"kind":"refund"},"extra":true})"));
  std::sort(problems.begin(), problems.end());
  EXPECT_EQ(
      problems,
      (std::vector<std::string>{
          R"((arguments): Missing required property 'email')",
          R"((arguments): unknown property 'extra' (allowed: color, customerId, detail, email, n, points))",
          R"(color: "purple" is not one of the allowed values ["red","green"])",
          R"(customerId: "x1" does not match the pattern ^[0-9]+$)",
          R"(detail.kind: "refund" must be "order")",
          R"(n: 7 is over the maximum 3)",
          R"(points[1]: "two" is a string; expected type "number")",
      }));
}

TEST(ValidationMessageTest, EchoLinesAreDropped) {
  Json schema = Json::parse(R"({"type":"object","properties":{"a":{"type":"string"}}})");
  EXPECT_EQ(DescribeProblem(schema, Json::object(), {"<root>"},
                            "Failed to validate against schema associated with property name 'a'."),
            std::nullopt);
  EXPECT_EQ(DescribeProblem(schema, Json{{"a", 1}}, {"<root>", "[a]"},
                            "Value type not permitted by 'type' constraint."),
            R"(a: 1 is an integer; expected type "string")");
}

TEST(ValidationMessageTest, LongValuesAreCut) {
  Json schema = Json::parse(R"({"type":"object","properties":{"a":{"type":"integer"}}})");
  auto line = DescribeProblem(schema, Json{{"a", std::string(500, 'x')}}, {"<root>", "[a]"},
                              "Value type not permitted by 'type' constraint.");
  ASSERT_TRUE(line.has_value());
  EXPECT_LT(line->size(), 160u) << *line;
  EXPECT_NE(line->find("xxx... is a string"), std::string::npos) << *line;
}

}  // namespace
}  // namespace lmcp::catalog
