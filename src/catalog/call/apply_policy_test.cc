// The policy in the Lambda catalog: per-caller lists, the apply_policy stage (refused before any Invoke,
// denied = unknown, argument constraints), the audit fields, and swapping the policy at runtime.

#include "catalog/call/apply_policy.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "catalog/lambda_catalog.h"
#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/catalog/test_call_context.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {
namespace {

using mcp::Json;

std::vector<std::string> Names(const Result<mcp::ToolList>& list) {
  EXPECT_TRUE(list.ok()) << list.error().message;
  std::vector<std::string> names;
  for (const auto& t : **list) {
    names.push_back(t.name);
  }
  return names;
}

std::shared_ptr<const Policy> Compile(std::vector<PolicyRule> rules) {
  std::vector<std::string> problems;
  auto policy = Policy::Compile({.enabled = true, .rules = std::move(rules)}, problems);
  EXPECT_TRUE(problems.empty());
  return policy;
}

class ApplyPolicyTest : public ::testing::Test {
 protected:
  ApplyPolicyTest() {
    backend_.AddFunction("mcp-echo", "Echo", {{"team", "ops"}});
    backend_.AddFunction("mcp-pay", "Pay", {{"team", "finance"}});
    backend_.AddFunction("mcp-lookup", "Lookup", {{"team", "crm"}});
    auto options = LoadCatalogOptions(
        {.env = {{"FUNCTION_PREFIX", "mcp-"}, {"FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema"}}});
    EXPECT_TRUE(options.ok()) << options.error().message;
    catalog_ = std::make_unique<LambdaCatalog>(*options, backend_, clock_, &audit_);
    EXPECT_TRUE(catalog_->DiscoverNow().ok());
    catalog_->SetPolicy(Compile({
        PolicyRule{.id = "alice-all", .principals = {.names = {"token:alice"}}},
        PolicyRule{.id = "bob-pay-small",
                   .principals = {.names = {"token:bob"}},
                   .tools = {.names = {"pay"}},
                   .arguments = Json::parse(R"({"properties":{"amount":{"maximum":500}}})")},
        PolicyRule{.id = "crm-group",
                   .principals = {.claims = {{"groups", {"crm"}}}},
                   .tools = {.tags = {{"team", "crm"}}}},
    }));
    alice_.caller = {.name = "token:alice"};
    bob_.caller = {.name = "token:bob"};
  }
  std::vector<Json> AuditLines() {
    std::vector<Json> out;
    for (const auto& l : audit_.lines()) {
      out.push_back(Json::parse(l));
    }
    return out;
  }

  FakeLambdaBackend backend_;
  FakeClock clock_;
  MemoryAuditSink audit_;
  std::unique_ptr<LambdaCatalog> catalog_;
  TestCallContext alice_, bob_;
};

TEST_F(ApplyPolicyTest, EachCallerListsWhatThePolicyLetsItCall) {
  EXPECT_EQ(Names(catalog_->ListToolsFor(alice_.identity())),
            (std::vector<std::string>{"echo", "lookup", "pay"}));
  EXPECT_EQ(Names(catalog_->ListToolsFor(bob_.identity())), std::vector<std::string>{"pay"});
  mcp::Identity carol{.name = "oauth:carol", .claims = {{"groups", {"crm", "x"}}}};
  EXPECT_EQ(Names(catalog_->ListToolsFor(carol)), std::vector<std::string>{"lookup"});
  EXPECT_TRUE(Names(catalog_->ListToolsFor({.name = "anonymous"})).empty());
  EXPECT_EQ(Names(catalog_->ListTools()).size(), 3u);  // the unfiltered list stays whole
  EXPECT_TRUE(catalog_->ListsDifferPerPrincipal());
}

TEST_F(ApplyPolicyTest, CallersWhoSeeTheSameToolsShareOneList) {
  mcp::Identity alice_again{.name = "token:alice", .scopes = {"other"}};
  auto first = catalog_->ListToolsFor(alice_.identity());
  auto second = catalog_->ListToolsFor(alice_again);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->get(), second->get());  // no copy for the same visible set
  EXPECT_NE(catalog_->ListToolsFor(bob_.identity())->get(), first->get());
  catalog_->SetPolicy(Compile({PolicyRule{.id = "all"}}));  // a new policy: lists made afresh
  auto after = catalog_->ListToolsFor(alice_.identity());
  EXPECT_NE(after->get(), first->get());
  EXPECT_EQ(Names(after), Names(first));
  EXPECT_EQ(Names(catalog_->ListToolsFor(bob_.identity())).size(), 3u);
}

TEST_F(ApplyPolicyTest, ADeniedCallIsAnUnknownToolAndNeverInvokes) {
  auto denied = catalog_->CallTool("echo", Json{{"x", 1}}, bob_);
  auto unknown = catalog_->CallTool("nonesuch", Json{{"x", 1}}, bob_);
  ASSERT_FALSE(denied.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(denied.error().code, unknown.error().code);
  EXPECT_EQ(denied.error().message, "Unknown tool: echo");
  EXPECT_EQ(unknown.error().message, "Unknown tool: nonesuch");
  EXPECT_EQ(backend_.invoke_calls, 0);

  auto lines = AuditLines();  // the unknown tool is not audited (no function); the denial is
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["principal"], "token:bob");
  EXPECT_EQ(lines[0]["tool"], "echo");
  EXPECT_EQ(lines[0]["decision"], "deny");
  EXPECT_EQ(lines[0]["rule"], nullptr);  // no rule matched: the default
  EXPECT_EQ(lines[0]["outcome"], "denied");
  EXPECT_NE(lines[0]["detail"].get<std::string>().find("denied by default"), std::string::npos);
}

TEST_F(ApplyPolicyTest, ArgumentConstraintViolationsNameTheRuleAndNeverInvoke) {
  auto over = catalog_->CallTool("pay", Json{{"amount", 1000}}, bob_);
  ASSERT_TRUE(over.ok());
  EXPECT_TRUE(over->is_error);
  std::string text = over->content[0]["text"];
  EXPECT_NE(text.find("policy rule 'bob-pay-small'"), std::string::npos) << text;
  EXPECT_NE(text.find("\n- amount: 1000 is over the maximum"), std::string::npos) << text;
  EXPECT_EQ(backend_.invoke_calls, 0);

  auto fine = catalog_->CallTool("pay", Json{{"amount", 5}}, bob_);
  ASSERT_TRUE(fine.ok());
  EXPECT_FALSE(fine->is_error);
  EXPECT_EQ(backend_.invoke_calls, 1);

  auto lines = AuditLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["decision"], "deny");
  EXPECT_EQ(lines[0]["rule"], "bob-pay-small");
  EXPECT_EQ(lines[0]["outcome"], "invalid_arguments");
  EXPECT_EQ(lines[0]["detail"].get<std::string>().find("1000"), std::string::npos);  // no argument values
  EXPECT_EQ(lines[1]["decision"], "allow");
  EXPECT_EQ(lines[1]["rule"], "bob-pay-small");
  EXPECT_EQ(lines[1]["outcome"], "ok");
  StageCounters counters = catalog_->CallCounters();
  std::map<std::string, std::uint64_t> count(counters.begin(), counters.end());
  EXPECT_EQ(count.at("apply_policy.allowed"), 1u);
  EXPECT_EQ(count.at("apply_policy.arguments_denied"), 1u);
  EXPECT_EQ(count.at("apply_policy.denied"), 0u);
}

TEST_F(ApplyPolicyTest, ANewPolicyAppliesToTheNextRequestAndAnnouncesIt) {
  std::atomic<int> changed{0};
  catalog_->SetListChangedCallback([&] { ++changed; });
  catalog_->SetPolicy(Compile(
      {PolicyRule{.id = "bob-echo", .principals = {.names = {"token:bob"}}, .tools = {.names = {"echo"}}}}));
  EXPECT_EQ(changed.load(), 1);
  EXPECT_EQ(Names(catalog_->ListToolsFor(bob_.identity())), std::vector<std::string>{"echo"});
  EXPECT_TRUE(Names(catalog_->ListToolsFor(alice_.identity())).empty());
  auto r = catalog_->CallTool("echo", Json::object(), bob_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->is_error);

  catalog_->SetPolicy(nullptr);  // no policy: everything, for everyone, and the audit has no decision
  EXPECT_FALSE(catalog_->ListsDifferPerPrincipal());
  EXPECT_EQ(Names(catalog_->ListToolsFor(alice_.identity())).size(), 3u);
  ASSERT_TRUE(catalog_->CallTool("lookup", Json::object(), alice_).ok());
  auto lines = AuditLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["rule"], "bob-echo");
  EXPECT_FALSE(lines[1].contains("decision"));
  EXPECT_FALSE(lines[1].contains("rule"));
}

TEST_F(ApplyPolicyTest, ACallInFlightKeepsThePolicyItStartedWith) {
  // The invoke runs while the policy is replaced by one that denies bob everything: the call finishes.
  backend_.SetInvokeHandler([this](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    catalog_->SetPolicy(Compile({}));
    InvokeResponse r;
    r.payload = R"({"ok":true})";
    return r;
  });
  auto r = catalog_->CallTool("pay", Json{{"amount", 1}}, bob_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->is_error);
  EXPECT_FALSE(catalog_->CallTool("pay", Json{{"amount", 1}}, bob_).ok());  // the next one is denied
  EXPECT_EQ(backend_.invoke_calls, 1);
}

}  // namespace
}  // namespace lmcp::catalog
