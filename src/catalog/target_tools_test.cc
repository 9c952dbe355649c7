// Several targets in one catalog: namespaced names merged into one sorted list, invocation through each
// entry's own target backend, a failing target isolated (its status says why), and SetTargets (a reload).

#include "catalog/target_tools.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "catalog/lambda_catalog.h"
#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/catalog/test_call_context.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;

bool WaitUntil(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {  // up to ~10 s of real time; never a timing assertion
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TargetOptions Target(const std::string& name, const std::string& ns) {
  TargetOptions t;
  t.name = name;
  t.tool_prefix = ns;
  t.selection.allow_all = true;
  return t;
}

std::vector<std::string> Names(const std::shared_ptr<const std::vector<ToolEntry>>& entries) {
  std::vector<std::string> out;
  for (const auto& e : *entries) {
    out.push_back(e.definition.name + "@" + e.target);
  }
  return out;
}

class TargetToolsTest : public ::testing::Test {
 protected:
  TargetToolsTest() {
    options_.refresh_interval = 0s;  // one pass per target: counts stay exact
    options_.discovery_wait = 10s;
    backends_["prod"] = std::make_shared<FakeLambdaBackend>();
    backends_["prod"]->AddFunction("orders", "Orders", {{"mcp:title", "Orders"}, {"team", "crm"}});
    backends_["prod"]->AddFunction("shared-name", "Prod's");
    backends_["eu"] = std::make_shared<FakeLambdaBackend>();
    backends_["eu"]->AddFunction("shared-name", "EU's", {{"mcp:destructive", "true"}});
    backends_["dev"] = std::make_shared<FakeLambdaBackend>();
    backends_["dev"]->AddFunction("sandbox", "Dev's");
  }

  std::unique_ptr<LambdaCatalog> Make(std::vector<TargetOptions> targets) {
    options_.targets = std::move(targets);
    return std::make_unique<LambdaCatalog>(
        options_,
        [this](const TargetOptions& t) -> Result<std::shared_ptr<LambdaBackend>> {
          ++built_[t.name];
          auto it = backends_.find(t.name);
          if (it == backends_.end()) {
            return Error::NotFound("The config profile (" + t.name + ") could not be found");
          }
          return std::shared_ptr<LambdaBackend>(it->second);
        },
        clock_, nullptr);
  }

  CatalogOptions options_;
  std::map<std::string, std::shared_ptr<FakeLambdaBackend>> backends_;
  std::map<std::string, int> built_;
  FakeClock clock_;
  TestCallContext ctx_;
};

// One name space per target: the same function name in two accounts gives two tools; each call reaches
// its own target's backend; entries carry the target and every tag; titles and annotations come from tags.
TEST_F(TargetToolsTest, TargetsMergeIntoOneSortedListAndInvokeTheirOwnBackend) {
  auto c = Make({Target("prod", "prod_"), Target("eu", "eu_")});
  ASSERT_TRUE(c->DiscoverNow().ok());
  EXPECT_EQ(Names(c->entries()),
            (std::vector<std::string>{"eu_shared_name@eu", "prod_orders@prod", "prod_shared_name@prod"}));
  auto orders = c->entries()->at(1);
  EXPECT_EQ(orders.tags.at("team"), "crm");
  EXPECT_EQ(orders.definition.title, "Orders");
  EXPECT_EQ(c->entries()->at(0).definition.annotations["destructiveHint"], true);

  auto r = c->CallTool("eu_shared_name", mcp::Json{{"k", 1}}, ctx_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(backends_["eu"]->invoke_calls.load(), 1);
  EXPECT_EQ(backends_["prod"]->invoke_calls.load(), 0);
  EXPECT_EQ(backends_["eu"]->invokes().at(0).function,
            "arn:aws:lambda:us-east-1:123456789012:function:shared-name");
  auto statuses = c->TargetStatuses();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].name, "prod");
  EXPECT_TRUE(statuses[0].ok);
  EXPECT_EQ(statuses[0].tools, 2u);
  EXPECT_EQ(statuses[1].tools, 1u);
  EXPECT_TRUE(statuses[1].last_success.has_value());
}

// A namespace takes its room from the 64 characters; the whole name still fits.
TEST_F(TargetToolsTest, NamespacedNamesStayWithin64Characters) {
  backends_["prod"]->AddFunction(std::string(70, 'x'));
  auto c = Make({Target("prod", "production_account_")});
  ASSERT_TRUE(c->DiscoverNow().ok());
  for (const auto& e : *c->entries()) {
    EXPECT_LE(e.definition.name.size(), 64u) << e.definition.name;
    EXPECT_TRUE(e.definition.name.starts_with("production_account_")) << e.definition.name;
  }
}

// A failing target does not hide the others: its tools are absent, its error is in its status and its
// class on /readyz; the catalog is ready. When it recovers (its backoff on the fake clock), its tools
// join and list_changed is sent.
TEST_F(TargetToolsTest, FailingTargetIsIsolatedAndRecovers) {
  backends_["eu"]->FailListFunctions(Error::PermissionDenied("AccessDeniedException: not authorized"));
  auto c = Make({Target("prod", "prod_"), Target("eu", "eu_"), Target("gone", "gone_")});
  std::atomic<int> changed{0};
  c->SetListChangedCallback([&] { ++changed; });
  c->Start();
  auto tools = c->ListTools();  // waits for every target's first pass
  ASSERT_TRUE(tools.ok()) << tools.error().message;
  ASSERT_EQ((*tools)->size(), 2u);
  EXPECT_TRUE(c->Ready());
  auto statuses = c->TargetStatuses();
  EXPECT_TRUE(statuses[0].ok);
  EXPECT_FALSE(statuses[1].ok);
  EXPECT_NE(statuses[1].last_error.find("not authorized"), std::string::npos) << statuses[1].last_error;
  EXPECT_NE(statuses[2].last_error.find("could not be found"), std::string::npos) << statuses[2].last_error;
  auto json = TargetStatusJson(statuses, /*with_errors=*/false);
  EXPECT_EQ(json[1]["status"], "error");
  EXPECT_EQ(json[1]["error"], "PermissionDenied");
  EXPECT_FALSE(json[1].contains("last_error"));
  EXPECT_EQ(TargetStatusJson(statuses, true)[1]["last_error"], statuses[1].last_error);
  auto unknown = c->CallTool("eu_shared_name", mcp::Json::object(), ctx_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  // Recovery. (A change may already have been announced: the first passes land in any order.)
  backends_["eu"]->FailListFunctions(std::nullopt);
  ASSERT_TRUE(WaitUntil([&] {
    clock_.Advance(1s);
    return c->ListTools().value()->size() == 3u;
  }));
  EXPECT_TRUE(WaitUntil([&] { return changed.load() >= 1; }));
  EXPECT_TRUE(c->TargetStatuses()[1].ok);
}

// Every target failing: tools/list says why, naming each target.
TEST_F(TargetToolsTest, EveryTargetFailingIsAnErrorNamingEach) {
  backends_["prod"]->FailListFunctions(Error::Unauthenticated("Unable to locate credentials"));
  backends_["eu"]->FailListFunctions(Error::Unavailable("connection refused"));
  auto c = Make({Target("prod", "prod_"), Target("eu", "eu_")});
  c->Start();
  auto tools = c->ListTools();
  ASSERT_FALSE(tools.ok());
  EXPECT_NE(tools.error().message.find("Target prod: "), std::string::npos) << tools.error().message;
  EXPECT_NE(tools.error().message.find("Target eu: "), std::string::npos) << tools.error().message;
  EXPECT_FALSE(c->Ready());
  Status now = c->DiscoverNow();
  ASSERT_FALSE(now.ok());
  EXPECT_NE(now.error().message.find("target eu: "), std::string::npos) << now.error().message;
}

// Nothing selected anywhere: tools/list says why for each target. One target with tools is enough for a list.
TEST_F(TargetToolsTest, NothingSelectedByAnyTargetIsAnErrorNamingEach) {
  TargetOptions prod = Target("prod", "prod_");
  prod.selection = {.function_prefix = "nope-"};
  TargetOptions eu = Target("eu", "eu_");
  eu.selection = {.tag_key = "team", .tag_value = "ops"};
  auto none = Make({prod, eu});
  ASSERT_TRUE(none->DiscoverNow().ok());
  auto tools = none->ListTools();
  ASSERT_FALSE(tools.ok());
  EXPECT_NE(tools.error().message.find("Target prod: none of the 2 functions listed matches FUNCTION_PREFIX"),
            std::string::npos)
      << tools.error().message;
  EXPECT_NE(tools.error().message.find("Target eu: none of the 1 function listed has the tag team=ops"),
            std::string::npos)
      << tools.error().message;
  EXPECT_NE(tools.error().message.find("Restart lambda-mcp"), std::string::npos) << tools.error().message;

  auto some = Make({prod, Target("dev", "dev_")});
  ASSERT_TRUE(some->DiscoverNow().ok());
  auto listed = some->ListTools();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ((*listed)->size(), 1u);
}

// A reload: an unchanged target keeps its discovery (no new backend, no new pass), a changed one is rebuilt,
// a removed one stops — and a call that resolved its entry before keeps the removed target's backend.
TEST_F(TargetToolsTest, SetTargetsKeepsUnchangedRebuildsChangedStopsRemoved) {
  auto c = Make({Target("prod", "prod_"), Target("eu", "eu_")});
  c->Start();
  ASSERT_TRUE(c->ListTools().ok());
  ASSERT_TRUE(WaitUntil([&] { return c->entries() && c->entries()->size() == 3u; }));
  auto held = c->entries();  // what an in-flight call holds: the snapshot, its entries and their backends
  std::weak_ptr<FakeLambdaBackend> eu_backend = backends_["eu"];
  backends_.erase("eu");
  int prod_passes = backends_["prod"]->list_functions_calls.load();

  auto dev = Target("dev", "dev_");
  dev.selection.allow_all = false;
  dev.selection.function_prefix = "sand";
  c->SetTargets({Target("prod", "prod_"), dev});
  ASSERT_TRUE(WaitUntil([&] { return c->entries() && c->entries()->size() == 3u; }));
  EXPECT_EQ(Names(c->entries()),
            (std::vector<std::string>{"dev_box@dev", "prod_orders@prod", "prod_shared_name@prod"}));
  EXPECT_EQ(built_["prod"], 1);
  EXPECT_EQ(backends_["prod"]->list_functions_calls.load(), prod_passes);
  ASSERT_FALSE(eu_backend.expired());
  auto r = held->at(0).backend->Invoke({.function = "shared-name", .payload = "{}"}, {});
  EXPECT_TRUE(r.ok());
  held.reset();
  EXPECT_TRUE(eu_backend.expired());

  dev.tool_prefix = "sandbox_";  // a changed target is a new one
  c->SetTargets({Target("prod", "prod_"), dev});
  ASSERT_TRUE(
      WaitUntil([&] { return c->entries() && c->entries()->front().definition.name == "prod_orders"; }));
  EXPECT_EQ(built_["dev"], 2);
  EXPECT_EQ(c->TargetStatuses().size(), 2u);
}

// Tags nothing selects by are still read (titles, annotations, policy); when they cannot be read, the tools
// are published without them and a warning says so. A tag filter still needs them.
TEST(DiscoveryTagsTest, UnreadableTagsWarnUnlessSomethingSelectsByThem) {
  FakeLambdaBackend b;
  b.AddFunction("f", "", {{"team", "crm"}});
  b.FailGetResources(Error::PermissionDenied("AccessDeniedException: tag:GetResources"));
  b.FailListTags(Error::PermissionDenied("AccessDeniedException: lambda:ListTags"));
  TargetOptions t;
  t.selection.allow_all = true;
  auto d = Discover(t, CompatMode::kNone, b);
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->tools.size(), 1u);
  EXPECT_TRUE(d->tools[0].tags.empty());
  bool warned = false;
  for (const auto& w : d->warnings) {
    warned = warned || w.find("function tags cannot be read") != std::string::npos;
  }
  EXPECT_TRUE(warned);
  EXPECT_EQ(b.list_tags_calls.load(), 1);  // one failure is enough to know

  b.FailGetResources(std::nullopt);
  b.FailListTags(std::nullopt);
  auto tagged = Discover(t, CompatMode::kNone, b);
  ASSERT_TRUE(tagged.ok());
  EXPECT_EQ(tagged->tools[0].tags.at("team"), "crm");
  EXPECT_EQ(tagged->tools[0].target, "default");
}

}  // namespace
}  // namespace lmcp::catalog
