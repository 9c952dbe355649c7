// A thousand tools/call in flight at once through the MCP core (session, scheduler) and the whole call chain,
// with Invokes that complete only when the test releases them: the calls hold memory, not threads.

#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <set>
#include <string>

#include "catalog/lambda_catalog.h"
#include "catalog/lambda_tool_source.h"
#include "common/metrics.h"
#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/common/fake_clock.h"
#include "tests/support/mcp/test_support.h"

namespace lmcp::catalog {
namespace {

using mcp::Json;

// This process's threads now (/proc/self/task).
int ThreadCount() {
  int n = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) {
    return -1;
  }
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') {
      ++n;
    }
  }
  closedir(dir);
  return n;
}

// This process's resident memory in kB (/proc/self/status VmRSS), for the record: never asserted.
long RssKb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

std::int64_t Counter(const StageCounters& counters, const std::string& name) {
  for (const auto& [n, v] : counters) {
    if (n == name) {
      return static_cast<std::int64_t>(v);
    }
  }
  return -1;
}

constexpr int kCalls = 1000;
constexpr int kWorkers = 4;

class AsyncCallsTest : public ::testing::Test {
 protected:
  AsyncCallsTest() {
    backend_.AddFunction("mcp-slow", "Takes its time").timeout_seconds = 5;
    backend_.HoldInvokes(true);
    auto options = LoadCatalogOptions({.env = {{"FUNCTION_PREFIX", "mcp-"},
                                               {"LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION", "2000"},
                                               {"LAMBDA_MCP_PROGRESS_SECONDS", "5"}}});
    EXPECT_TRUE(options.ok()) << options.error().message;
    catalog_ = std::make_unique<LambdaCatalog>(*options, backend_, clock_, &audit_, &metrics_);
    EXPECT_TRUE(catalog_->DiscoverNow().ok());
  }

  static mcp::ServerOptions ServerOptions() {
    mcp::ServerOptions o;
    o.worker_threads = kWorkers;
    o.max_calls_per_session = o.max_calls_per_principal = 10'000;
    o.max_queued_calls = o.max_queued_calls_per_session = o.max_queued_calls_per_principal = 10'000;
    o.call_queue_timeout = std::chrono::milliseconds(0);
    return o;
  }

  FakeLambdaBackend backend_;
  FakeClock clock_;
  MemoryAuditSink audit_;
  metrics::Registry metrics_;
  std::unique_ptr<LambdaCatalog> catalog_;
};

TEST_F(AsyncCallsTest, AThousandCallsWaitForLambdaWithoutAThreadEach) {
  mcp::testing::TestClient client(*catalog_, ServerOptions());
  client.Initialize();
  const int threads_before = ThreadCount();
  const long rss_before = RssKb();
  auto call = [&](int i) {
    client.session().HandleMessage(Json{{"jsonrpc", "2.0"},
                                        {"id", i},
                                        {"method", "tools/call"},
                                        {"params", {{"name", "slow"}, {"arguments", {{"i", i}}}}}});
  };
  for (int i = 0; i < 100; ++i) {
    call(i);
  }
  ASSERT_TRUE(backend_.WaitHeld(100));
  const int threads_at_100 = ThreadCount();
  for (int i = 100; i < kCalls; ++i) {
    call(i);
  }
  ASSERT_TRUE(backend_.WaitHeld(kCalls));
  // Every call is in flight, in the scheduler and at Lambda, and no thread was added for the 900 more.
  EXPECT_EQ(ThreadCount(), threads_at_100);
  EXPECT_LE(ThreadCount(), threads_before + kWorkers);  // at most the scheduler's few starting threads
  std::cout << "1000 calls in flight: threads " << threads_before << " -> " << ThreadCount() << ", RSS "
            << rss_before << " kB -> " << RssKb() << " kB\n";
  EXPECT_EQ(client.server().scheduler().running(), static_cast<size_t>(kCalls));
  EXPECT_EQ(backend_.held(), kCalls);
  EXPECT_EQ(Counter(catalog_->CallCounters(), "invoke.invoked"), kCalls);

  // Cancelled mid-flight: the request is aborted (never re-sent) and the call ends as cancelled.
  std::set<int> cancelled;
  for (int i = 0; i < kCalls; i += 100) {
    cancelled.insert(i);
    client.Notify("notifications/cancelled", {{"requestId", i}, {"reason", "test"}});
  }
  ASSERT_TRUE(backend_.WaitAborted(static_cast<int>(cancelled.size())));
  EXPECT_EQ(backend_.held(), kCalls - static_cast<int>(cancelled.size()));

  EXPECT_EQ(backend_.ReleaseHeld(), kCalls - static_cast<int>(cancelled.size()));
  for (int i = 0; i < kCalls; ++i) {
    if (cancelled.count(i) > 0) {
      continue;
    }
    auto response = client.sink().WaitResponse(i);
    ASSERT_TRUE(response.has_value()) << i;
    ASSERT_TRUE(response->contains("result")) << response->dump();
    EXPECT_EQ(Json::parse((*response)["result"]["content"][0]["text"].get<std::string>()), (Json{{"i", i}}));
  }
  ASSERT_TRUE(client.sink().WaitUntil([&](auto&, auto&) {
    return client.server().scheduler().running() == 0 && audit_.lines().size() == static_cast<size_t>(kCalls);
  }));
  EXPECT_EQ(backend_.invoke_calls.load(), kCalls);  // nothing re-sent
  const StageCounters counters = catalog_->CallCounters();
  EXPECT_EQ(Counter(counters, "invoke.cancelled"), static_cast<std::int64_t>(cancelled.size()));
  EXPECT_EQ(Counter(counters, "audit.lines"), kCalls);
  int audited_cancelled = 0;
  for (const std::string& line : audit_.lines()) {
    Json a = Json::parse(line);
    audited_cancelled += a["outcome"] == "cancelled" ? 1 : 0;
  }
  EXPECT_EQ(audited_cancelled, static_cast<int>(cancelled.size()));
  const std::string text = metrics_.Expose();
  EXPECT_NE(text.find("lambda_mcp_tool_calls_in_flight 0"), std::string::npos);
  EXPECT_NE(text.find(R"(lambda_mcp_tool_calls_total{tool="slow",target="default",outcome="ok"} 990)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(lambda_mcp_tool_calls_total{tool="slow",target="default",outcome="cancelled"} 10)"),
            std::string::npos);
}

// The production wrapper (what `serve` hands the core) must pass the asynchronous call on: falling back to
// the provider's blocking default would hold a worker per call, and the 5th call would wait for a worker.
TEST(LambdaToolSourceAsyncTest, MoreCallsThanWorkersAreAllInFlight) {
  auto backend = std::make_unique<FakeLambdaBackend>();
  FakeLambdaBackend& fake = *backend;
  fake.AddFunction("mcp-slow", "Takes its time");
  fake.HoldInvokes(true);
  auto options = LoadCatalogOptions({.env = {{"FUNCTION_PREFIX", "mcp-"}}});
  ASSERT_TRUE(options.ok()) << options.error().message;
  FakeClock clock;
  LambdaToolSource source(*options, std::move(backend), std::make_unique<MemoryAuditSink>(), clock);
  ASSERT_TRUE(source.catalog().DiscoverNow().ok());
  mcp::ServerOptions server_options;
  server_options.worker_threads = 2;
  mcp::testing::TestClient client(source, server_options);
  client.Initialize();
  constexpr int kInFlight = 8;
  for (int i = 0; i < kInFlight; ++i) {
    client.session().HandleMessage(Json{{"jsonrpc", "2.0"},
                                        {"id", i},
                                        {"method", "tools/call"},
                                        {"params", {{"name", "slow"}, {"arguments", {{"i", i}}}}}});
  }
  ASSERT_TRUE(fake.WaitHeld(kInFlight));
  EXPECT_EQ(client.server().scheduler().running(), static_cast<size_t>(kInFlight));
  EXPECT_EQ(fake.ReleaseHeld(), kInFlight);
  for (int i = 0; i < kInFlight; ++i) {
    auto response = client.sink().WaitResponse(i);
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_TRUE(response->contains("result")) << response->dump();
  }
}

}  // namespace
}  // namespace lmcp::catalog
