// Who is calling, through the core: the session's identity reaches the provider with every list and call,
// lists are the caller's own, a tool hidden from a caller looks unknown to it, and per-principal lists are
// cached privately in the stateless era.

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "mcp/request_meta.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using testing::TestClient;

// `open` is everyone's; `secret` (which needs sampling) only alice's. Records the identity of each call.
class PerPrincipalProvider final : public ToolProvider {
 public:
  PerPrincipalProvider() {
    ToolDefinition open;
    open.name = "open";
    ToolDefinition secret;
    secret.name = "secret";
    secret.required_client_capabilities = Json{{"sampling", Json::object()}};
    all_ = std::make_shared<std::vector<ToolDefinition>>(std::vector<ToolDefinition>{open, secret});
    open_only_ = std::make_shared<std::vector<ToolDefinition>>(std::vector<ToolDefinition>{open});
  }
  Result<ToolList> ListTools() override { return all_; }
  Result<ToolList> ListToolsFor(const Identity& identity) override {
    return identity.name == "token:alice" ? all_ : open_only_;
  }
  bool ListsDifferPerPrincipal() const override { return differ; }
  void SetListChangedCallback(std::function<void()>) override {}
  Result<ToolResult> CallTool(const std::string& name, Json, CallContext& ctx) override {
    std::lock_guard lock(mu_);
    called.push_back(ctx.identity());
    if (FindTool(**ListToolsFor(ctx.identity()), name) == nullptr) {
      return Error::NotFound("Unknown tool: " + name);
    }
    return ToolResult::Text(name);
  }

  bool differ = true;
  std::vector<Identity> called;

 private:
  std::mutex mu_;
  ToolList all_, open_only_;
};

Json StatelessParams(Json params, Json capabilities = Json::object()) {
  params["_meta"] = Json{{kMetaProtocolVersion, "2026-07-28"}, {kMetaClientCapabilities, capabilities}};
  return params;
}

std::vector<std::string> Names(const Json& list_response) {
  std::vector<std::string> names;
  for (const Json& t : list_response["result"]["tools"]) {
    names.push_back(t["name"]);
  }
  return names;
}

std::shared_ptr<const Identity> Alice() {
  return std::make_shared<const Identity>(Identity{
      .name = "token:alice", .scopes = {"crm:read"}, .claims = Json{{"groups", Json::array({"crm"})}}});
}

TEST(SessionIdentityTest, ListsAreTheCallersAndCallsCarryItsIdentity) {
  PerPrincipalProvider provider;
  TestClient alice(provider, {}, {.identity = Alice(), .transport = "http"});
  TestClient bob(provider, {}, {.principal = "token:bob", .transport = "http"});
  alice.Initialize();
  bob.Initialize();
  EXPECT_EQ(Names(alice.Request(1, "tools/list")), (std::vector<std::string>{"open", "secret"}));
  EXPECT_EQ(Names(bob.Request(1, "tools/list")), (std::vector<std::string>{"open"}));

  ASSERT_TRUE(alice.Call(2, "open").contains("result"));
  ASSERT_TRUE(bob.Call(2, "open").contains("result"));
  ASSERT_EQ(provider.called.size(), 2u);
  std::sort(provider.called.begin(), provider.called.end(),
            [](const Identity& a, const Identity& b) { return a.name < b.name; });
  EXPECT_EQ(provider.called[0].name, "token:alice");
  EXPECT_EQ(provider.called[0].scopes, std::vector<std::string>{"crm:read"});
  EXPECT_EQ(provider.called[0].claims["groups"][0], "crm");
  // Without an identity, the session makes one from its principal.
  EXPECT_EQ(provider.called[1].name, "token:bob");
  EXPECT_TRUE(provider.called[1].scopes.empty());
}

TEST(SessionIdentityTest, StatelessListsOfPerPrincipalProvidersArePrivate) {
  PerPrincipalProvider provider;
  TestClient bob(provider, {}, {.principal = "token:bob", .transport = "http", .stateless_only = true});
  Json r = bob.Request(1, "tools/list", StatelessParams(Json::object()));
  EXPECT_EQ(r["result"]["cacheScope"], "private");
  EXPECT_EQ(Names(r), (std::vector<std::string>{"open"}));
  provider.differ = false;  // e.g. the policy was removed by a reload
  EXPECT_EQ(bob.Request(2, "tools/list", StatelessParams(Json::object()))["result"]["cacheScope"], "public");
}

TEST(SessionIdentityTest, AHiddenToolLooksUnknownEvenToTheCapabilityCheck) {
  PerPrincipalProvider provider;
  TestClient bob(provider, {}, {.principal = "token:bob", .transport = "http", .stateless_only = true});
  TestClient alice(provider, {}, {.identity = Alice(), .transport = "http", .stateless_only = true});
  // `secret` needs sampling, which neither declares: alice (who may call it) is told so...
  Json to_alice = alice.Request(1, "tools/call", StatelessParams(Json{{"name", "secret"}}));
  EXPECT_EQ(to_alice["error"]["code"], -32021) << to_alice.dump();
  // ...bob gets exactly what an unknown tool gets, which says nothing about sampling.
  Json hidden = bob.Request(2, "tools/call", StatelessParams(Json{{"name", "secret"}}));
  Json unknown = bob.Request(3, "tools/call", StatelessParams(Json{{"name", "nonesuch"}}));
  EXPECT_EQ(hidden["error"]["code"], -32602) << hidden.dump();
  EXPECT_EQ(hidden["error"]["message"], "Unknown tool: secret");
  EXPECT_EQ(unknown["error"]["message"], "Unknown tool: nonesuch");
}

}  // namespace
}  // namespace lmcp::mcp
