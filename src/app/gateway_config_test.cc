#include "app/gateway_config.h"

#include <gtest/gtest.h>

#include "app/config_reader.h"

namespace lmcp::app {
namespace {

const LoadConfigOptions kNoFiles{.check_files = false};

Result<GatewayConfig> Parse(const std::string& yaml) {
  return ParseGatewayConfig(yaml, "/etc/g.yaml", kNoFiles);
}

// The problem lines of a config that must fail.
std::string Problems(const std::string& yaml) {
  auto config = Parse(yaml);
  EXPECT_FALSE(config.ok()) << yaml;
  return config.ok() ? "" : config.error().message;
}

TEST(GatewayConfigTest, EmptyFileIsTheEnvOnlySetup) {
  auto config = Parse("");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->targets.empty());
  EXPECT_FALSE(config->policy.enabled);
  EXPECT_EQ(config->stdio_principal, "stdio");
}

TEST(GatewayConfigTest, FlatKeysKeepWorkingInEitherCase) {
  auto config = Parse("function_prefix: crm-\nFUNCTION_LIST: [a, 'b:live']\nlambda-mcp-audit-log: off\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->flat.at("FUNCTION_PREFIX"), "crm-");
  EXPECT_EQ(config->flat.at("FUNCTION_LIST"), "a,b:live");
  EXPECT_EQ(config->flat.at("LAMBDA_MCP_AUDIT_LOG"), "off");
}

TEST(GatewayConfigTest, StateAndTheLimitStoreFailureMode) {
  auto config =
      Parse("state: redis://10.0.0.7:6379/1\nlimits: {per_principal: 10/s, on_store_error: open}\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->state, "redis://10.0.0.7:6379/1");
  EXPECT_TRUE(config->guardrails.rate_limits.fail_open);
  ServeConfig serve;
  ApplyToServeConfig(*config, serve);
  EXPECT_EQ(serve.state, "redis://10.0.0.7:6379/1");
  serve.state = "redis://flag:1";  // the flag (or LAMBDA_MCP_STATE) beats the file
  ApplyToServeConfig(*config, serve);
  EXPECT_EQ(serve.state, "redis://flag:1");
  EXPECT_FALSE(Parse("limits: {per_principal: 10/s}\n")->guardrails.rate_limits.fail_open);  // closed

  std::string problems = Problems("state: http://x:1\nlimits: {on_store_error: maybe}\n");
  EXPECT_NE(problems.find("state: state URL 'http://x:1': the scheme must be redis://"), std::string::npos)
      << problems;
  EXPECT_NE(problems.find("limits.on_store_error: expected closed"), std::string::npos) << problems;
}

TEST(GatewayConfigTest, JsonIsYaml) {
  auto config = Parse(R"({"FUNCTION_TAG_KEY": "mcp", "function_list": ["x", "y"], "policy": []})");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->flat.at("FUNCTION_TAG_KEY"), "mcp");
  EXPECT_EQ(config->flat.at("FUNCTION_LIST"), "x,y");
  EXPECT_TRUE(config->policy.enabled);
  EXPECT_FALSE(Parse("a: [1,\n").ok());
}

TEST(GatewayConfigTest, ReadsTargetsWithEveryField) {
  auto config = Parse(R"(
targets:
  - name: prod
    namespace: prod_
    region: eu-west-1
    endpoint_url: http://127.0.0.1:9001
    credentials:
      role_arn: arn:aws:iam::111122223333:role/lambda-mcp
      external_id: ext-1
      session_name: gw
      duration: 30m
    select:
      prefix: crm-
      functions: [orders, 'refunds:live']
      tag: {team: crm}
    qualifier_tag: mcp:qualifier
    default_qualifier: live
    schema_tag: mcp:schema
    tools:
      - function: "orders*"
        title: Orders
        destructive: true
  - name: dev
    namespace: dev_
    credentials: {profile: dev}
    select: {all: true}
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->targets.size(), 2u);
  const auto& prod = config->targets[0];
  EXPECT_EQ(prod.name, "prod");
  EXPECT_EQ(prod.tool_prefix, "prod_");
  EXPECT_EQ(prod.region, "eu-west-1");
  EXPECT_EQ(prod.endpoint_url, "http://127.0.0.1:9001");
  EXPECT_EQ(prod.credentials.kind, catalog::CredentialOptions::Kind::kAssumeRole);
  EXPECT_EQ(prod.credentials.role_arn, "arn:aws:iam::111122223333:role/lambda-mcp");
  EXPECT_EQ(prod.credentials.external_id, "ext-1");
  EXPECT_EQ(prod.credentials.session_name, "gw");
  EXPECT_EQ(prod.credentials.duration, std::chrono::minutes(30));
  EXPECT_EQ(prod.selection.function_prefix, "crm-");
  ASSERT_EQ(prod.selection.function_list.size(), 2u);
  EXPECT_EQ(prod.selection.function_list[1].qualifier, "live");
  EXPECT_EQ(prod.selection.tag_key, "team");
  EXPECT_EQ(prod.selection.tag_value, "crm");
  EXPECT_EQ(prod.qualifier_tag_key, "mcp:qualifier");
  EXPECT_EQ(prod.default_qualifier, "live");
  EXPECT_EQ(prod.schema_arn_tag_key, "mcp:schema");
  ASSERT_EQ(prod.tools.size(), 1u);
  EXPECT_EQ(prod.tools[0].title, "Orders");
  EXPECT_EQ(prod.tools[0].destructive, true);
  EXPECT_FALSE(prod.tools[0].read_only.has_value());
  EXPECT_EQ(config->targets[1].credentials.kind, catalog::CredentialOptions::Kind::kProfile);
  EXPECT_TRUE(config->targets[1].selection.allow_all);
}

TEST(GatewayConfigTest, ReadsPrincipalsAndPolicy) {
  auto config = Parse(R"(
targets:
  - {name: prod, namespace: p_, select: {all: true}}
principals:
  stdio: ops
  tokens:
    - {name: alice, file: tokens/alice}
  oauth: {issuer: "https://issuer", audiences: "https://mcp/mcp", jwks_url: "https://issuer/jwks"}
policy:
  - id: no-destructive
    effect: deny
    tools: {annotations: {destructiveHint: true}}
  - id: crm
    principals: {names: ["token:alice"], claims: {groups: [crm, ops]}, scopes: lambda}
    tools: {names: ["p_crm_*"], targets: [prod], tags: {team: crm}}
    arguments: {properties: {amount: {maximum: 500}}}
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->stdio_principal, "ops");
  ASSERT_EQ(config->tokens.size(), 1u);
  EXPECT_EQ(config->tokens[0].file, "/etc/tokens/alice");
  EXPECT_EQ(config->oauth.audiences, std::vector<std::string>{"https://mcp/mcp"});
  ASSERT_TRUE(config->policy.enabled);
  ASSERT_EQ(config->policy.rules.size(), 2u);
  EXPECT_FALSE(config->policy.rules[0].allow);
  EXPECT_EQ(config->policy.rules[0].tools.annotations.at("destructiveHint"), true);
  const auto& crm = config->policy.rules[1];
  EXPECT_TRUE(crm.allow);
  EXPECT_EQ(crm.principals.claims.at("groups"), (std::vector<std::string>{"crm", "ops"}));
  EXPECT_EQ(crm.principals.scopes, std::vector<std::string>{"lambda"});
  EXPECT_EQ(crm.tools.tags.at("team"), "crm");
  EXPECT_EQ(crm.arguments["properties"]["amount"]["maximum"], 500);
}

TEST(GatewayConfigTest, AnEmptyPolicyDeniesEverything) {
  auto config = Parse("policy:\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->policy.enabled);
  EXPECT_TRUE(config->policy.rules.empty());
}

TEST(GatewayConfigTest, ReportsEveryProblemAtOnceWithPathsAndSuggestions) {
  std::string message = Problems(R"(
functoin_prefix: x
targets:
  - name: prod
    namespace: prod_
    regoin: us-east-1
    credentials: {role_arn: "arn:aws:iam::1234:user/bob", duration: 20h}
    select: {prefix: a}
  - name: prod
    namespace: prod_eu_
    select: {}
policy:
  - id: r1
    tools: {targets: [prd]}
  - id: r1
    effect: maybe
)");
  for (const char* expected : {
           "functoin_prefix: unknown key; did you mean 'function_prefix'?",
           "targets[0].regoin: unknown key; did you mean 'region'?",
           "target \"prod\": role ARN \"arn:aws:iam::1234:user/bob\" is not",
           "target \"prod\": role session duration 72000 s is outside 900–43200 s",
           "targets[1].select: selects nothing",
           "target \"prod\": the name is used by more than one target",
           "namespace \"prod_\" is a prefix of \"prod_eu_\"",
           "policy[0].tools.targets: unknown target 'prd'; did you mean 'prod'?",
           "policy[1].id: rule id 'r1' is used twice",
           "policy[1].effect: 'maybe': allow or deny",
       }) {
    EXPECT_NE(message.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << message;
  }
}

TEST(GatewayConfigTest, SelectionKeysBelongToTargetsOnceTargetsAreListed) {
  std::string message = Problems("FUNCTION_PREFIX: x\ntargets:\n  - {name: a, select: {all: true}}\n");
  EXPECT_NE(message.find("function_prefix: with targets listed, set this per target"), std::string::npos)
      << message;
}

TEST(GatewayConfigTest, TokenFilesAreCheckedWhenAsked) {
  auto config = ParseGatewayConfig("principals:\n  tokens:\n    - {name: a, file: /nonexistent/token}\n",
                                   "/etc/g.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("principals.tokens[0].file:"), std::string::npos)
      << config.error().message;
}

TEST(GatewayConfigTest, MissingFileIsNotFound) {
  auto config = LoadGatewayConfig("/nonexistent/gateway.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, ErrorCode::kNotFound);
}

TEST(GatewayConfigTest, ReadsTheGuardrailsMetricsAndKeepWarm) {
  auto config = Parse(R"(
limits:
  global: 200/s
  per_principal: "10/s,burst=20"
  principals: {"token:ci-*": 50/s}
  tools: {"report_*": 5/m}
  concurrent_per_tool: 8
breaker:
  consecutive_failures: 3
  cooldown: 10s
cache:
  tools: [{match: "support_*", ttl: 300s, shared: true}]
  max_entries: 100
metrics: {listen: "127.0.0.1:9464", public: true}
keep_warm:
  jitter: 0.2
  rules: [{function: "orders-*", every: 5m, concurrency: 2}]
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_TRUE(config->has_guardrails);
  const auto& g = config->guardrails;
  EXPECT_EQ(g.rate_limits.global.ToString(), "200/s");
  EXPECT_EQ(g.rate_limits.per_principal.capacity(), 20u);
  ASSERT_EQ(g.rate_limits.principals.size(), 1u);
  EXPECT_EQ(g.rate_limits.principals[0].glob, "token:ci-*");
  EXPECT_EQ(g.rate_limits.tools[0].rate.per, std::chrono::minutes(1));
  EXPECT_EQ(g.rate_limits.max_concurrent_per_tool, 8);
  EXPECT_TRUE(g.breaker.enabled);
  EXPECT_EQ(g.breaker.consecutive_failures, 3);
  EXPECT_EQ(g.breaker.cooldown, std::chrono::seconds(10));
  ASSERT_EQ(g.cache.tools.size(), 1u);
  EXPECT_EQ(g.cache.tools[0].ttl, std::chrono::seconds(300));
  EXPECT_TRUE(g.cache.tools[0].shared);
  EXPECT_EQ(g.cache.max_entries, 100u);
  EXPECT_EQ(config->metrics_listen, "127.0.0.1:9464");
  EXPECT_TRUE(config->metrics_public);
  ASSERT_TRUE(config->has_keep_warm);
  EXPECT_DOUBLE_EQ(config->keep_warm.jitter, 0.2);
  ASSERT_EQ(config->keep_warm.rules.size(), 1u);
  EXPECT_EQ(config->keep_warm.rules[0].every, std::chrono::minutes(5));
  EXPECT_EQ(config->keep_warm.rules[0].concurrency, 2);
}

TEST(GatewayConfigTest, GuardrailProblemsAreReportedWithTheRest) {
  std::string message = Problems(R"(
limits: {global: fast, per_tol: 1/s}
breaker: {failure_rate: 2}
cache: {tools: [{ttl: 5s}]}
)");
  for (const char* expected :
       {"limits.global: ", "limits.per_tol: unknown key; did you mean 'per_tool'?",
        "breaker.failure_rate: a fraction from 0 to 1", "cache.tools[0].match: missing"}) {
    EXPECT_NE(message.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << message;
  }
}

TEST(ConfigReaderTest, Durations) {
  EXPECT_EQ(ParseDuration("90"), std::chrono::seconds(90));
  EXPECT_EQ(ParseDuration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(ParseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(ParseDuration("15m"), std::chrono::minutes(15));
  EXPECT_EQ(ParseDuration("2h"), std::chrono::hours(2));
  EXPECT_FALSE(ParseDuration("-1s"));
  EXPECT_FALSE(ParseDuration("5 fortnights"));
  EXPECT_FALSE(ParseDuration(""));
}

TEST(ConfigReaderTest, ByteSizes) {
  EXPECT_EQ(ParseByteSize("256MiB"), std::size_t{256} << 20);
  EXPECT_EQ(ParseByteSize("1GiB"), std::size_t{1} << 30);
  EXPECT_EQ(ParseByteSize("512 KiB"), std::size_t{512} << 10);
  EXPECT_EQ(ParseByteSize("64MB"), std::size_t{64} << 20);
  EXPECT_EQ(ParseByteSize("1048576"), std::size_t{1} << 20);  // a plain number is bytes
  EXPECT_FALSE(ParseByteSize("-1MiB"));
  EXPECT_FALSE(ParseByteSize("12 parsecs"));
  EXPECT_FALSE(ParseByteSize("MiB"));
  EXPECT_FALSE(ParseByteSize("99999999999999999999GiB"));
  EXPECT_FALSE(ParseByteSize("17179869184GiB"));  // 2^64 bytes: overflows
}

}  // namespace
}  // namespace lmcp::app
