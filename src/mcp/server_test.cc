#include "mcp/server.h"

#include <gtest/gtest.h>

#include "tests/support/mcp/test_support.h"

namespace lmcp::mcp {
namespace {

using testing::FakeProvider;
using testing::RecordingSink;

TEST(ListChangedTest, SentOnlyToSessionsThatFinishedInitialization) {
  FakeProvider provider;
  McpServer server(provider);
  RecordingSink ready_sink, pending_sink;
  auto ready = server.CreateSession(ready_sink);
  auto pending = server.CreateSession(pending_sink);
  ready->HandleMessage({{"jsonrpc", "2.0"},
                        {"id", 1},
                        {"method", "initialize"},
                        {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}}}});
  ready->HandleMessage({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  pending->HandleMessage({{"jsonrpc", "2.0"},
                          {"id", 1},
                          {"method", "initialize"},
                          {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}}}});
  provider.FireListChanged();
  auto changed = ready_sink.WithMethod("notifications/tools/list_changed");
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_TRUE(changed[0].related.is_null());
  EXPECT_FALSE(changed[0].message.contains("id"));
  EXPECT_TRUE(pending_sink.WithMethod("notifications/tools/list_changed").empty());
  pending.reset();
  provider.FireListChanged();  // a destroyed session is no longer notified
  EXPECT_EQ(ready_sink.WithMethod("notifications/tools/list_changed").size(), 2u);
}

TEST(ListChangedTest, DestroyedServerIsNoLongerCalledBack) {
  FakeProvider provider;
  {
    McpServer server(provider);
    RecordingSink sink;
    auto session = server.CreateSession(sink);
  }
  provider.FireListChanged();  // would reach the destroyed server (ASan: use after free) without the reset
}

}  // namespace
}  // namespace lmcp::mcp
