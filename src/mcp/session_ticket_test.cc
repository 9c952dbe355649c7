// Session tickets: a 2025-era session's state sealed into its id, and Session::Resume, which continues it.
#include "mcp/session_ticket.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using testing::TestClient;

class SessionTicketsTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  std::string key_ = RandomBytes(kAeadKeyBytes).value();
  SessionTickets tickets_{key_, clock_, std::chrono::hours(24)};
  SessionTicket ticket_{.protocol_version = "2025-11-25",
                        .client_capabilities = {{"sampling", Json::object()}},
                        .client_name = "claude"};
};

TEST_F(SessionTicketsTest, OpensForItsPrincipalWithinItsAge) {
  auto id = tickets_.Issue("token:alice", ticket_);
  ASSERT_TRUE(id.has_value());
  EXPECT_NE(*tickets_.Issue("token:alice", ticket_), *id);  // a fresh nonce each time
  auto opened = tickets_.Open("token:alice", *id);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->protocol_version, "2025-11-25");
  EXPECT_EQ(opened->client_capabilities, ticket_.client_capabilities);
  EXPECT_EQ(opened->client_name, "claude");

  // Another replica with the same key opens it too.
  SessionTickets replica(key_, clock_, std::chrono::hours(24));
  EXPECT_TRUE(replica.Open("token:alice", *id).ok());

  clock_.Advance(std::chrono::hours(24) + std::chrono::seconds(1));
  auto late = tickets_.Open("token:alice", *id);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(SessionTicketsTest, RefusesOtherPrincipalsOtherKeysAndAlteredIds) {
  auto id = tickets_.Issue("token:alice", ticket_).value();
  auto foreign = tickets_.Open("token:bob", id);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kPermissionDenied);

  SessionTickets other(RandomBytes(kAeadKeyBytes).value(), clock_, std::chrono::hours(24));
  EXPECT_EQ(other.Open("token:alice", id).error().code, ErrorCode::kInvalidArgument);

  std::string altered = id;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(tickets_.Open("token:alice", altered).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(tickets_.Open("token:alice", "random-session-id").error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SessionTicketsTest, MRTRStateUnderTheSameKeyIsNoTicket) {
  RequestStateSealer sealer(key_, clock_, std::chrono::minutes(10));
  auto state = sealer.Seal({.principal = "token:alice", .tool = "t", .arguments_digest = ""}, Json::object());
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(tickets_.Open("token:alice", *state).ok());
}

TEST_F(SessionTicketsTest, CapabilitiesTooLargeForAnIdGetNoTicket) {
  SessionTicket huge = ticket_;
  huge.client_capabilities["experimental"] = {{"blob", std::string(2000, 'x')}};
  EXPECT_FALSE(tickets_.Issue("token:alice", huge).has_value());
}

// `caps` answers with the client capabilities its call sees.
class CapabilitiesProvider final : public ToolProvider {
 public:
  CapabilitiesProvider() {
    ToolDefinition tool;
    tool.name = "caps";
    tools_ = std::make_shared<std::vector<ToolDefinition>>(std::vector<ToolDefinition>{tool});
  }
  Result<ToolList> ListTools() override { return tools_; }
  void SetListChangedCallback(std::function<void()>) override {}
  Result<ToolResult> CallTool(const std::string&, Json, CallContext& ctx) override {
    return ToolResult::Text(ctx.protocol_version() + " " + ctx.client_capabilities().dump());
  }

 private:
  ToolList tools_;
};

TEST(SessionResumeTest, ResumedSessionServesWithTheTicketsVersionAndCapabilities) {
  CapabilitiesProvider provider;
  TestClient client(provider);
  ASSERT_TRUE(client.session()
                  .Resume(SessionTicket{.protocol_version = "2025-06-18",
                                        .client_capabilities = {{"sampling", Json::object()}}})
                  .ok());
  EXPECT_TRUE(client.session().initialized());
  EXPECT_EQ(client.session().protocol_version(), "2025-06-18");
  Json list = client.Request(1, "tools/list");
  ASSERT_EQ(list["result"]["tools"].size(), 1u) << list.dump();
  Json call = client.Call(2, "caps");
  EXPECT_EQ(call["result"]["content"][0]["text"], R"(2025-06-18 {"sampling":{}})") << call.dump();

  // Resumed or initialized, a session is initialized once.
  EXPECT_EQ(client.session().Resume(SessionTicket{.protocol_version = "2025-11-25"}).error().code,
            ErrorCode::kFailedPrecondition);
  Json again =
      client.Request(3, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}});
  EXPECT_TRUE(again.contains("error")) << again.dump();
}

TEST(SessionResumeTest, AnInitializedSessionCannotBeResumed) {
  CapabilitiesProvider provider;
  TestClient client(provider);
  client.Initialize();
  EXPECT_FALSE(client.session().Resume(SessionTicket{.protocol_version = "2025-06-18"}).ok());
  EXPECT_EQ(client.session().protocol_version(), "2025-11-25");
}

}  // namespace
}  // namespace lmcp::mcp
