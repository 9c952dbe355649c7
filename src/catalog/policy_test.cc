#include "catalog/policy.h"

#include <gtest/gtest.h>

namespace lmcp::catalog {
namespace {

using mcp::Identity;
using mcp::Json;

ToolEntry Tool(const std::string& name, const std::string& target = "default", Tags tags = {},
               Json annotations = nullptr) {
  ToolEntry e;
  e.definition.name = name;
  e.definition.annotations = std::move(annotations);
  e.target = target;
  e.tags = std::move(tags);
  return e;
}

PolicyRule Rule(std::string id, bool allow, PrincipalMatch principals, ToolMatch tools,
                Json arguments = nullptr) {
  return PolicyRule{.id = std::move(id),
                    .allow = allow,
                    .principals = std::move(principals),
                    .tools = std::move(tools),
                    .arguments = std::move(arguments)};
}

std::shared_ptr<const Policy> Compile(std::vector<PolicyRule> rules) {
  std::vector<std::string> problems;
  auto policy = Policy::Compile({.enabled = true, .rules = std::move(rules)}, problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_NE(policy, nullptr);
  return policy;
}

const Identity kAlice{.name = "token:alice"};
const Identity kBob{.name = "token:bob"};

TEST(PolicyTest, NoPolicyAllowsEverything) {
  std::vector<std::string> problems;
  auto policy = Policy::Compile({}, problems);
  ASSERT_NE(policy, nullptr);
  EXPECT_FALSE(policy->enabled());
  Decision d = policy->Evaluate(kAlice, Tool("anything"));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule_id, "");
  EXPECT_TRUE(Policy::AllowAll()->Evaluate(kBob, Tool("x")).allowed);
}

TEST(PolicyTest, AnEmptyPolicyDeniesByDefault) {
  auto policy = Compile({});
  Decision d = policy->Evaluate(kAlice, Tool("echo"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule_id, "");
  EXPECT_EQ(d.why, "no rule matches: denied by default");
}

TEST(PolicyTest, FirstMatchingRuleWinsAndDenyRulesDeny) {
  auto policy = Compile({
      Rule("no-admin", false, {.names = {"token:*"}}, {.names = {"admin_*"}}),
      Rule("alice-all", true, {.names = {"token:alice"}}, {}),
      Rule("bob-read", true, {.names = {"token:bob"}}, {.names = {"*_read", "echo"}}),
  });
  EXPECT_FALSE(policy->Evaluate(kAlice, Tool("admin_reset")).allowed);
  EXPECT_EQ(policy->Evaluate(kAlice, Tool("admin_reset")).rule_id, "no-admin");
  EXPECT_EQ(policy->Evaluate(kAlice, Tool("admin_reset")).why, "denied by rule 'no-admin'");
  Decision alice = policy->Evaluate(kAlice, Tool("orders_write"));
  EXPECT_TRUE(alice.allowed);
  EXPECT_EQ(alice.rule_id, "alice-all");
  EXPECT_EQ(alice.why, "allowed by rule 'alice-all'");
  EXPECT_TRUE(policy->Evaluate(kBob, Tool("orders_read")).allowed);
  EXPECT_TRUE(policy->Evaluate(kBob, Tool("echo")).allowed);
  Decision bob = policy->Evaluate(kBob, Tool("orders_write"));
  EXPECT_FALSE(bob.allowed);
  EXPECT_EQ(bob.rule_id, "");
  EXPECT_FALSE(policy->Evaluate(Identity{.name = "oauth:carol"}, Tool("echo")).allowed);
}

TEST(PolicyTest, ClaimsMatchStringsArraysNestedPathsAndNumbers) {
  auto policy = Compile({
      Rule("crm", true, {.claims = {{"groups", {"crm", "sales"}}}}, {.names = {"crm_*"}}),
      Rule("client", true, {.claims = {{"client_id", {"desktop"}}}}, {.names = {"desktop_*"}}),
      Rule("roles", true, {.claims = {{"realm_access.roles", {"ops"}}, {"tier", {"2"}}}},
           {.names = {"ops_*"}}),
  });
  Identity in_group{.name = "oauth:a", .claims = {{"groups", {"finance", "sales"}}}};
  Identity as_string{.name = "oauth:b", .claims = {{"groups", "crm"}}};
  Identity outside{.name = "oauth:c", .claims = {{"groups", {"finance"}}}};
  EXPECT_TRUE(policy->Evaluate(in_group, Tool("crm_lookup")).allowed);
  EXPECT_TRUE(policy->Evaluate(as_string, Tool("crm_lookup")).allowed);
  EXPECT_FALSE(policy->Evaluate(outside, Tool("crm_lookup")).allowed);
  EXPECT_FALSE(policy->Evaluate(kAlice, Tool("crm_lookup")).allowed);  // no claims at all

  Identity desktop{.name = "oauth:d", .claims = {{"client_id", "desktop"}}};
  EXPECT_TRUE(policy->Evaluate(desktop, Tool("desktop_x")).allowed);

  Identity ops{.name = "oauth:e", .claims = {{"realm_access", {{"roles", {"ops"}}}}, {"tier", 2}}};
  EXPECT_TRUE(policy->Evaluate(ops, Tool("ops_restart")).allowed);
  Identity ops_tier3{.name = "oauth:f", .claims = {{"realm_access", {{"roles", {"ops"}}}}, {"tier", 3}}};
  EXPECT_FALSE(policy->Evaluate(ops_tier3, Tool("ops_restart")).allowed);  // every claim must hold
}

TEST(PolicyTest, ScopesMustAllBeHeld) {
  auto policy = Compile({Rule("writers", true, {.scopes = {"lambda:invoke", "crm:write"}}, {})});
  Identity both{.name = "oauth:a", .scopes = {"crm:write", "lambda:invoke", "openid"}};
  Identity one{.name = "oauth:b", .scopes = {"lambda:invoke"}};
  EXPECT_TRUE(policy->Evaluate(both, Tool("x")).allowed);
  EXPECT_FALSE(policy->Evaluate(one, Tool("x")).allowed);
}

TEST(PolicyTest, ToolsMatchByTargetTagsAndAnnotations) {
  auto policy = Compile({
      Rule("no-destroy", false, {}, {.annotations = {{"destructiveHint", true}}}),
      Rule("prod-crm", true, {}, {.targets = {"prod"}, .tags = {{"team", "crm"}, {"tier", "*"}}}),
      Rule("readers", true, {}, {.annotations = {{"readOnlyHint", true}}}),
  });
  Json read_only{{"readOnlyHint", true}};
  Json safe{{"destructiveHint", false}};
  EXPECT_TRUE(policy->Evaluate(kAlice, Tool("a", "prod", {{"team", "crm"}, {"tier", "1"}}, safe)).allowed);
  EXPECT_FALSE(policy->Evaluate(kAlice, Tool("a", "prod", {{"team", "crm"}}, safe)).allowed);  // no tier
  EXPECT_FALSE(policy->Evaluate(kAlice, Tool("a", "dev", {{"team", "crm"}, {"tier", "1"}}, safe)).allowed);
  EXPECT_FALSE(policy->Evaluate(kAlice, Tool("a", "prod", {{"team", "ops"}, {"tier", "1"}}, safe)).allowed);
  // A tool that says nothing is destructive (MCP's default) unless it is read-only.
  EXPECT_EQ(policy->Evaluate(kAlice, Tool("a", "prod", {{"team", "crm"}, {"tier", "1"}})).rule_id,
            "no-destroy");
  Decision reader = policy->Evaluate(kAlice, Tool("r", "dev", {}, read_only));
  EXPECT_TRUE(reader.allowed);
  EXPECT_EQ(reader.rule_id, "readers");
  Json explicit_destroy{{"readOnlyHint", true}, {"destructiveHint", true}};
  EXPECT_FALSE(policy->Evaluate(kAlice, Tool("r", "dev", {}, explicit_destroy)).allowed);
}

TEST(PolicyTest, ArgumentConstraintsApplyToCallsNotToListing) {
  auto policy = Compile({
      Rule("small", true, {.names = {"token:bob"}}, {.names = {"pay"}},
           Json::parse(R"({"properties":{"amount":{"type":"number","maximum":500}},"required":["amount"]})")),
  });
  EXPECT_TRUE(policy->Evaluate(kBob, Tool("pay")).allowed);  // listing: no arguments
  Json fine{{"amount", 5}};
  Decision ok = policy->Evaluate(kBob, Tool("pay"), &fine);
  EXPECT_TRUE(ok.allowed);
  EXPECT_TRUE(ok.argument_problems.empty());
  Json too_much{{"amount", 1000}};
  Decision over = policy->Evaluate(kBob, Tool("pay"), &too_much);
  EXPECT_TRUE(over.allowed);  // the rule allows the tool; this call's arguments are refused
  EXPECT_EQ(over.rule_id, "small");
  ASSERT_FALSE(over.argument_problems.empty());
  EXPECT_NE(over.argument_problems[0].find("amount"), std::string::npos) << over.argument_problems[0];
  Json none = Json::object();
  EXPECT_FALSE(policy->Evaluate(kBob, Tool("pay"), &none).argument_problems.empty());  // required
}

TEST(PolicyTest, CompileReportsEveryProblemWithItsPath) {
  std::vector<std::string> problems;
  auto policy = Policy::Compile(
      {.enabled = true,
       .rules = {Rule("", true, {.names = {""}}, {}),
                 Rule("a", true, {.claims = {{"groups", {}}}}, {.annotations = {{"destructivHint", true}}}),
                 Rule("a", false, {}, {}, Json{{"maximum", 3}}),
                 Rule("b", true, {}, {.names = {""}}, Json::parse(R"({"type":"nonesuch"})")),
                 Rule("c", true, {}, {}, Json::array())}},
      problems);
  EXPECT_EQ(policy, nullptr);
  std::string all;
  for (const auto& p : problems) {
    all += p + "\n";
  }
  for (const char* expected :
       {"policy[0].id: missing", "policy[0].principals.names: an empty name",
        "policy[1].principals.claims: claim 'groups' needs",
        "policy[1].tools.annotations: unknown annotation 'destructivHint'; did you mean 'destructiveHint'?",
        "policy[2].arguments: only allow rules", "policy[2].id: rule id 'a' is used twice",
        "policy[3].tools.names: an empty name",
        "policy[3].arguments: ", "policy[4].arguments: a JSON Schema object"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\nin:\n" << all;
  }
  EXPECT_EQ(problems.size(), 9u) << all;
}

TEST(PolicyHolderTest, SwapsWholePoliciesAndReadersKeepTheirs) {
  PolicyHolder holder;
  EXPECT_FALSE(holder.Get()->enabled());
  auto before = holder.Get();
  holder.Set(Compile({}));
  EXPECT_TRUE(holder.Get()->enabled());
  EXPECT_FALSE(before->enabled());  // still the one it got
}

}  // namespace
}  // namespace lmcp::catalog
