#include "emulator/faults.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lmcp::emulator {
namespace {

using ::testing::HasSubstr;

TEST(FaultFlagTest, ParsesEachType) {
  auto latency = ParseFaultFlag("Invoke@slow:latency=200ms");
  ASSERT_TRUE(latency.ok()) << latency.error().message;
  EXPECT_EQ(latency->operation, "Invoke");
  EXPECT_EQ(latency->function, "slow");
  EXPECT_EQ(latency->type, FaultType::kLatency);
  EXPECT_EQ(latency->latency_ms, 200);

  auto error = ParseFaultFlag("ListFunctions:error=503,count=2,skip=1,code=ServiceUnavailableException");
  ASSERT_TRUE(error.ok()) << error.error().message;
  EXPECT_EQ(error->type, FaultType::kError);
  EXPECT_EQ(error->status, 503);
  EXPECT_EQ(error->count, 2);
  EXPECT_EQ(error->skip, 1);
  EXPECT_EQ(error->code, "ServiceUnavailableException");

  auto throttle = ParseFaultFlag("*:throttle=3");
  ASSERT_TRUE(throttle.ok());
  EXPECT_EQ(throttle->status, 429);
  EXPECT_EQ(throttle->retry_after_seconds, 3);

  auto malformed = ParseFaultFlag("Invoke:malformed");
  ASSERT_TRUE(malformed.ok());
  EXPECT_EQ(malformed->status, 200);
  EXPECT_EQ(ParseFaultFlag("Invoke:malformed=502")->status, 502);
  EXPECT_THAT(ParseFaultFlag("Invoke:malformed=302").error().message, HasSubstr("2xx, 4xx or 5xx"));

  for (const char* reset : {"Invoke:reset", "Invoke:reset_before_body", "Invoke:reset_after_body"}) {
    EXPECT_TRUE(ParseFaultFlag(reset).ok()) << reset;
  }
}

TEST(FaultFlagTest, RejectsMalformed) {
  EXPECT_THAT(ParseFaultFlag("Invoke").error().message, HasSubstr("expected"));
  EXPECT_THAT(ParseFaultFlag("Invoke:explode").error().message, HasSubstr("unknown type"));
  EXPECT_THAT(ParseFaultFlag("Invoke:latency").error().message, HasSubstr("latency_ms > 0"));
  EXPECT_THAT(ParseFaultFlag("Invoke:latency=abc").error().message, HasSubstr("integer"));
  EXPECT_THAT(ParseFaultFlag("Invoke:error=200").error().message, HasSubstr("4xx or 5xx"));
  EXPECT_THAT(ParseFaultFlag("Invoke:reset=1").error().message, HasSubstr("takes no value"));
  EXPECT_THAT(ParseFaultFlag("Invoke:error=500,bogus").error().message, HasSubstr("key=value"));
}

TEST(FaultFlagTest, DenyNamesOneOperationIamCanDeny) {
  auto any = ParseFaultFlag("Invoke:deny");
  ASSERT_TRUE(any.ok()) << any.error().message;
  EXPECT_EQ(any->type, FaultType::kDeny);
  EXPECT_EQ(any->operation, "Invoke");
  auto one = ParseFaultFlag("Invoke@mcp-echo:deny,count=1");
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(one->function, "mcp-echo");
  EXPECT_EQ(one->count, 1);
  EXPECT_EQ(FaultRuleToJson(*one)["type"], "deny");
  auto doc = ParseFaultDocument(R"([{"type":"deny","operation":"GetResources"}])");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)[0].type, FaultType::kDeny);

  EXPECT_THAT(ParseFaultFlag("GetCallerIdentity:deny").error().message, HasSubstr("cannot be denied"));
  EXPECT_THAT(ParseFaultDocument(R"([{"type":"deny","operation":"GetCallerIdentity"}])").error().message,
              HasSubstr("cannot be denied"));
  EXPECT_THAT(ParseFaultFlag("*:deny").error().message,
              HasSubstr("deny names the one operation it denies (Invoke, ListFunctions, GetFunction, "
                        "ListTags, GetResources, DescribeSchema), got '*'"));
  EXPECT_THAT(ParseFaultDocument(R"([{"type":"deny"}])").error().message, HasSubstr("got '*'"));
  EXPECT_THAT(ParseFaultFlag("ListFunctions@f:deny").error().message, HasSubstr("not called on a function"));
  EXPECT_THAT(ParseFaultFlag("Invoke:deny=403").error().message, HasSubstr("takes no value"));
}

TEST(DenyFlagTest, MapsTheIamActionToItsOperation) {
  auto invoke = ParseDenyFlag("lambda:InvokeFunction");
  ASSERT_TRUE(invoke.ok()) << invoke.error().message;
  EXPECT_EQ(invoke->type, FaultType::kDeny);
  EXPECT_EQ(invoke->operation, "Invoke");
  EXPECT_EQ(invoke->function, "");
  EXPECT_EQ(invoke->count, -1);
  auto one = ParseDenyFlag("LAMBDA:invokefunction@mcp-echo");  // IAM actions are case-insensitive
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(one->operation, "Invoke");
  EXPECT_EQ(one->function, "mcp-echo");
  EXPECT_EQ(ParseDenyFlag("lambda:ListFunctions")->operation, "ListFunctions");
  EXPECT_EQ(ParseDenyFlag("lambda:GetFunction")->operation, "GetFunction");
  EXPECT_EQ(ParseDenyFlag("lambda:ListTags")->operation, "ListTags");
  EXPECT_EQ(ParseDenyFlag("tag:GetResources")->operation, "GetResources");
  EXPECT_EQ(ParseDenyFlag("schemas:DescribeSchema")->operation, "DescribeSchema");
  for (const std::string operation :
       {"Invoke", "ListFunctions", "GetFunction", "ListTags", "GetResources", "DescribeSchema"}) {
    EXPECT_NE(IamActionOf(operation), nullptr) << operation;
  }
  EXPECT_EQ(IamActionOf("GetCallerIdentity"), nullptr);
}

TEST(DenyFlagTest, RefusesUnknownAndUndeniableActions) {
  EXPECT_THAT(ParseDenyFlag("sts:GetCallerIdentity").error().message,
              HasSubstr("--deny: GetCallerIdentity (sts:GetCallerIdentity) cannot be denied"));
  auto typo = ParseDenyFlag("lambda:InvokeFuntion");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message,
            "--deny: unknown IAM action 'lambda:InvokeFuntion' (did you mean lambda:InvokeFunction?); known: "
            "lambda:InvokeFunction, lambda:ListFunctions, lambda:GetFunction, lambda:ListTags, "
            "tag:GetResources, schemas:DescribeSchema");
  EXPECT_THAT(ParseDenyFlag("Invoke").error().message, HasSubstr("unknown IAM action 'Invoke'"));
  EXPECT_THAT(ParseDenyFlag("tag:GetResources@f").error().message, HasSubstr("not called on a function"));
}

TEST(FaultDocumentTest, JsonAndYaml) {
  auto json = ParseFaultDocument(R"({"faults":[{"operation":"Invoke","type":"error","status":502},
                                               {"type":"latency","latency_ms":5}]})");
  ASSERT_TRUE(json.ok()) << json.error().message;
  ASSERT_EQ(json->size(), 2u);
  EXPECT_EQ((*json)[0].status, 502);
  auto yaml = ParseFaultDocument("- operation: GetResources\n  type: throttle\n  retry_after_seconds: 7\n");
  ASSERT_TRUE(yaml.ok()) << yaml.error().message;
  ASSERT_EQ(yaml->size(), 1u);
  EXPECT_EQ((*yaml)[0].retry_after_seconds, 7);
  EXPECT_TRUE(ParseFaultDocument("").ok());
  EXPECT_THAT(ParseFaultDocument(R"([{"type":"error","stauts":500}])").error().message,
              HasSubstr("unknown field"));
  EXPECT_THAT(ParseFaultDocument(R"([{"status":500}])").error().message, HasSubstr("'type' is required"));
  EXPECT_THAT(ParseFaultDocument("42").error().message, HasSubstr("expected a list"));
}

TEST(FaultDocumentTest, AliasCyclesBombsAndDeepNestingAreRefused) {
  // A self-referencing alias used to recurse until the stack ran out (the /__admin/faults body is YAML).
  auto cycle = ParseFaultDocument("&a [*a]");
  ASSERT_FALSE(cycle.ok());
  EXPECT_THAT(cycle.error().message, HasSubstr("nested deeper than 128 levels"));
  std::string bomb = "a: &a [1,2,3,4,5,6,7,8,9,10]\n";
  for (char c = 'b'; c <= 'h'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) {
      bomb += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
    }
    bomb += "]\n";
  }
  auto expanded = ParseFaultDocument(bomb);
  ASSERT_FALSE(expanded.ok());
  EXPECT_THAT(expanded.error().message, HasSubstr("more than 10000 values"));
  // yaml-cpp itself stops plain nesting (at 500 levels); between 128 and that, the converter does.
  EXPECT_FALSE(ParseFaultDocument(std::string(200, '[') + std::string(200, ']')).ok());
  EXPECT_FALSE(ParseFaultDocument(std::string(100'000, '[') + std::string(100'000, ']')).ok());
}

TEST(FaultInjectorTest, MatchesByOperationAndFunctionWithSkipAndCount) {
  FaultInjector faults;
  EXPECT_TRUE(faults.empty());
  EXPECT_FALSE(faults.Plan("Invoke", "f").terminal);
  std::vector<FaultRule> rules = {*ParseFaultFlag("Invoke@f:error=500,skip=1,count=2"),
                                  *ParseFaultFlag("Invoke:latency=10"), *ParseFaultFlag("*@g:latency=5")};
  faults.Replace(rules);
  // First matching request is skipped, the next two fail, then the rule is spent.
  std::vector<bool> failed;
  for (int i = 0; i < 4; ++i) {
    failed.push_back(faults.Plan("Invoke", "f").terminal.has_value());
  }
  EXPECT_EQ(failed, (std::vector<bool>{false, true, true, false}));
  EXPECT_FALSE(faults.Plan("GetFunction", "f").terminal);
  EXPECT_EQ(faults.Plan("Invoke", "other").latency_ms, 10);
  EXPECT_EQ(faults.Plan("Invoke", "g").latency_ms, 15);  // latencies add up
  EXPECT_EQ(faults.Plan("ListTags", "g").latency_ms, 5);
  auto j = faults.ToJson();
  EXPECT_EQ(j["faults"][0]["matched"], 4);
  EXPECT_EQ(j["faults"][0]["applied"], 2);
  faults.Clear();
  EXPECT_TRUE(faults.empty());
}

TEST(FaultInjectorTest, OneTerminalFaultPerRequest) {
  FaultInjector faults;
  faults.Replace({*ParseFaultFlag("Invoke:throttle=2"), *ParseFaultFlag("Invoke:error=500")});
  auto plan = faults.Plan("Invoke", "f");
  ASSERT_TRUE(plan.terminal);
  EXPECT_EQ(plan.terminal->type, FaultType::kThrottle);
  EXPECT_EQ(faults.ToJson()["faults"][1]["matched"], 0);  // the second rule was not consumed
}

}  // namespace
}  // namespace lmcp::emulator
