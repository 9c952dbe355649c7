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

}  // namespace
}  // namespace lmcp::emulator
