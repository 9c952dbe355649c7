// The black-box harness itself: a normal call works over stdio and HTTP, RSS is readable, and a raw socket
// gets an HTTP answer. If these fail, every other abuse test is meaningless.

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/mcp_processes.h"

namespace lmcp::test_support {
namespace {

TEST(AbuseHarness, NormalCallsOverStdioAndHttp) {
  LocalEndpoint endpoint;
  ASSERT_TRUE(endpoint.Start("abuse_harness_endpoint"));
  StdioServer stdio;
  ASSERT_TRUE(stdio.Start(endpoint, "abuse_harness_stdio"));
  EXPECT_TRUE(NormalStdioCallWorks(stdio));
  EXPECT_GT(RssKb(stdio.child().pid()), 1000);

  HttpServerProcess http;
  ASSERT_TRUE(http.Start(endpoint, "abuse_harness_http"));
  EXPECT_TRUE(NormalHttpCallWorks(http.url()));
  int fd = ConnectLoopback(http.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(StatusOf(ReadSome(fd, std::chrono::seconds(5))), 200);
  close(fd);
}

}  // namespace
}  // namespace lmcp::test_support
