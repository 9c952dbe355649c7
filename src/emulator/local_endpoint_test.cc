#include "emulator/local_endpoint.h"

#include <gtest/gtest.h>

namespace lmcp::emulator {
namespace {

TEST(LocalEndpointTest, NetworkHostRefusesTheDemoSecret) {
  LocalOptions o;
  o.host = "0.0.0.0";
  o.echo_all = true;
  auto ep = LocalEndpoint::Create(o);
  ASSERT_FALSE(ep.ok());
  EXPECT_EQ(ep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(ep.error().message.find("--secret-access-key"), std::string::npos) << ep.error().message;
  o.access_key_id = "AKIDMINE";  // a new key id with the public secret is still the public secret
  EXPECT_FALSE(LocalEndpoint::Create(o).ok());
}

TEST(LocalEndpointTest, LoopbackHostKeepsTheDemoSecret) {
  LocalOptions o;
  o.echo_all = true;
  auto ep = LocalEndpoint::Create(o);
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  EXPECT_GT((*ep)->port(), 0);
}

// --deny flags become deny rules after the --fault flags; an unknown action stops the start.
TEST(LocalEndpointTest, DenyFlagsBecomeDenyRules) {
  LocalOptions o;
  o.echo_all = true;
  o.fault_flags = {"ListFunctions:latency=5"};
  o.deny_flags = {"lambda:InvokeFunction@mcp-echo"};
  auto ep = LocalEndpoint::Create(o);
  ASSERT_TRUE(ep.ok()) << ep.error().message;
  auto rules = (*ep)->service().faults().ToJson()["faults"];
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[1]["type"], "deny");
  EXPECT_EQ(rules[1]["operation"], "Invoke");
  EXPECT_EQ(rules[1]["function"], "mcp-echo");
  o.deny_flags = {"lambda:DeleteFunction"};
  auto refused = LocalEndpoint::Create(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("known: lambda:InvokeFunction"), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace lmcp::emulator
