#include "aws/function_ref.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lmcp::aws {
namespace {

using Form = FunctionRef::Form;

struct Accepted {
  std::string text;
  Form form;
  std::string name, qualifier, partition, region, account;
};

TEST(FunctionRefTest, AcceptsEveryFormLambdaTakes) {
  const std::vector<Accepted> cases = {
      {"my-function_1", Form::kName, "my-function_1", "", "", "", ""},
      {"f:prod", Form::kName, "f", "prod", "", "", ""},
      {"f:$LATEST", Form::kName, "f", "$LATEST", "", "", ""},
      {"f:", Form::kName, "f", "", "", "", ""},
      {"123456789012:function:f:live", Form::kPartialArn, "f", "live", "", "", "123456789012"},
      {"arn:aws-cn:lambda:cn-north-1:123456789012:function:f", Form::kFullArn, "f", "", "aws-cn",
       "cn-north-1", "123456789012"},
      {"arn:aws:lambda:us-east-1:123456789012:function:f:3", Form::kFullArn, "f", "3", "aws", "us-east-1",
       "123456789012"},
      {std::string(170, 'a'), Form::kName, std::string(170, 'a'), "", "", "", ""},
  };
  for (const auto& c : cases) {
    auto r = ParseFunctionRef(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().message;
    EXPECT_EQ(r->raw, c.text);
    EXPECT_EQ(r->form, c.form) << c.text;
    EXPECT_EQ(r->is_arn(), c.form != Form::kName) << c.text;
    EXPECT_EQ(r->name, c.name) << c.text;
    EXPECT_EQ(r->qualifier, c.qualifier) << c.text;
    EXPECT_EQ(r->partition, c.partition) << c.text;
    EXPECT_EQ(r->region, c.region) << c.text;
    EXPECT_EQ(r->account, c.account) << c.text;
  }
}

TEST(FunctionRefTest, RejectsWithAReason) {
  auto other_service = ParseFunctionRef("arn:aws:s3:us-east-1:123456789012:function:f");
  ASSERT_FALSE(other_service.ok());
  EXPECT_EQ(other_service.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(other_service.error().message.find("not a Lambda function ARN"), std::string::npos);
  const std::vector<std::string> bad = {"",
                                        "f:a:b",
                                        "bad name",
                                        "f:bad/qualifier",
                                        "arn:aws:lambda:r:123456789012:function:f:1:extra",
                                        "12345:function:f",
                                        "123456789012:function:f:1:2",
                                        "arn:aws:lambda:r:12345678901x:function:f",
                                        "f:$latest",
                                        "caf\xc3\xa9",
                                        std::string(171, 'a'),
                                        "f:" + std::string(129, 'q')};
  for (const auto& text : bad) {
    EXPECT_FALSE(ParseFunctionRef(text).ok()) << text;
  }
}

TEST(FunctionRefTest, IsValidQualifier) {
  EXPECT_TRUE(IsValidQualifier("$LATEST"));
  EXPECT_TRUE(IsValidQualifier("live_2-b"));
  EXPECT_FALSE(IsValidQualifier(""));
  EXPECT_FALSE(IsValidQualifier("a.b"));
}

}  // namespace
}  // namespace lmcp::aws
