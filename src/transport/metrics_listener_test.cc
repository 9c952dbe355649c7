#include "transport/metrics_listener.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>

namespace lmcp::transport {
namespace {

TEST(MetricsListenerTest, ServesMetricsAndHealthOnLoopback) {
  std::atomic<int> scrapes{0};
  MetricsListener listener({.host = "127.0.0.1", .port = 0}, [&] {
    ++scrapes;
    return std::string("# TYPE up gauge\nup 1\n");
  });
  ASSERT_TRUE(listener.Start().ok());
  httplib::Client client("127.0.0.1", listener.port());
  auto r = client.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r->body, "# TYPE up gauge\nup 1\n");
  EXPECT_EQ(scrapes.load(), 1);
  r = client.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = client.Get("/mcp");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  r = client.Get("/metrics", {{"Host", "evil.example"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(scrapes.load(), 1);
  listener.Stop();
}

TEST(MetricsListenerTest, RefusesARemoteAddressUnlessAllowed) {
  MetricsListener listener({.host = "0.0.0.0", .port = 0}, [] { return std::string(); });
  auto st = listener.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(st.error().message.find("no authentication"), std::string::npos);
}

}  // namespace
}  // namespace lmcp::transport
