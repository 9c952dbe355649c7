#include "catalog/lambda_catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "catalog/call/build_invoke_request.h"
#include "common/crypto.h"
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

CatalogOptions Options(OptionValues env) {
  auto r = LoadCatalogOptions({.env = std::move(env)});
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : CatalogOptions{};
}

std::string Text(const mcp::ToolResult& r) { return r.content.at(0).at("text").get<std::string>(); }

class LambdaCatalogTest : public ::testing::Test {
 protected:
  LambdaCatalogTest() {
    backend_.AddFunction("mcp-echo", "Echo", {{"mcp", "enabled"}}).timeout_seconds = 3;
    backend_.AddFunction("mcp-customer-info", "Customer",
                         {{"schema", "arn:aws:schemas:us-east-1:123456789012:schema/reg/Customer"}});
    backend_.AddSchema(
        "us-east-1", "reg", "Customer",
        {R"({"type":"object","required":["customerId"],"properties":{"customerId":{"type":"string"}}})",
         "JSONSchemaDraft4", "1"});
  }
  std::unique_ptr<LambdaCatalog> Make(OptionValues env) {
    env.emplace("FUNCTION_PREFIX", "mcp-");
    env.emplace("FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY", "schema");
    auto c = std::make_unique<LambdaCatalog>(Options(env), backend_, clock_, &audit_);
    return c;
  }
  FakeLambdaBackend backend_;
  FakeClock clock_;
  MemoryAuditSink audit_;
  TestCallContext ctx_;
};

TEST_F(LambdaCatalogTest, ListsAfterFirstDiscovery) {
  auto c = Make({});
  c->Start();
  auto tools = c->ListTools();  // waits for the first pass
  ASSERT_TRUE(tools.ok()) << tools.error().message;
  ASSERT_EQ((*tools)->size(), 2u);
  // Sorted by name, whatever order ListFunctions gave (mcp-echo came first there).
  EXPECT_EQ((*tools)->at(0).name, "customer_info");
  EXPECT_EQ((*tools)->at(0).input_schema["required"], mcp::Json::array({"customerId"}));
  EXPECT_EQ((*tools)->at(1).name, "echo");
}

TEST_F(LambdaCatalogTest, DiscoveryFailureThenRecoveryAndListChanged) {
  backend_.FailListFunctions(Error::Unauthenticated("Unable to locate credentials"));
  std::atomic<int> changed{0};  // outlives the catalog, whose refresh thread may still call back
  auto c = Make({});
  c->SetListChangedCallback([&] { ++changed; });
  c->Start();
  auto tools = c->ListTools();
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(tools.error().message.find("Unable to locate credentials"), std::string::npos);
  EXPECT_NE(tools.error().message.find("Fix:"), std::string::npos);
  EXPECT_NE(tools.error().message.find("retried"), std::string::npos);
  // Unknown until discovery works: calls fail with the same error, never "unknown tool".
  auto call = c->CallTool("echo", mcp::Json::object(), ctx_);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kUnauthenticated);

  backend_.FailListFunctions(std::nullopt);
  ASSERT_TRUE(WaitUntil([&] { return clock_.sleepers() >= 0 && c->discovery_attempts() >= 1; }));
  // Backoff runs on the fake clock: advance past the first retry delay.
  ASSERT_TRUE(WaitUntil([&] {
    clock_.Advance(1s);
    return changed.load() == 1;
  }));
  tools = c->ListTools();
  ASSERT_TRUE(tools.ok());
  EXPECT_EQ((*tools)->size(), 2u);
}

TEST_F(LambdaCatalogTest, RefreshFiresListChangedOnlyOnChange) {
  std::atomic<int> changed{0};  // outlives the catalog, whose refresh thread may still call back
  auto c = Make({{"LAMBDA_MCP_REFRESH_SECONDS", "60"}});
  c->SetListChangedCallback([&] { ++changed; });
  c->Start();
  ASSERT_TRUE(c->ListTools().ok());
  ASSERT_TRUE(WaitUntil([&] {
    clock_.Advance(60s);
    return c->discovery_attempts() >= 2;
  }));
  EXPECT_EQ(changed.load(), 0);
  backend_.AddFunction("mcp-new", "New");
  ASSERT_TRUE(WaitUntil([&] {
    clock_.Advance(60s);
    return changed.load() == 1;
  }));
  EXPECT_EQ((*c->ListTools())->size(), 3u);
}

TEST_F(LambdaCatalogTest, CallEchoesArgumentsAsEvent) {
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  auto r = c->CallTool("echo", mcp::Json{{"customerId", "12345"}, {"n", {1, 2.5}}}, ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->is_error);
  EXPECT_EQ(mcp::Json::parse(Text(*r)), (mcp::Json{{"customerId", "12345"}, {"n", {1, 2.5}}}));
  ASSERT_EQ(backend_.invoke_calls, 1);
  auto sent = backend_.invokes()[0];
  EXPECT_EQ(sent.function, "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo");
  EXPECT_EQ(sent.read_timeout, 13s);  // 3 s Timeout + 10 s margin
  EXPECT_TRUE(sent.qualifier.empty());
  auto unknown = c->CallTool("nope", mcp::Json::object(), ctx_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(LambdaCatalogTest, InvalidArgumentsAreRejectedWithoutInvoke) {
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  auto r = c->CallTool("customer_info", mcp::Json{{"customerId", 5}}, ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_error);
  EXPECT_NE(Text(*r).find("customerId"), std::string::npos) << Text(*r);
  EXPECT_NE(Text(*r).find("not invoked"), std::string::npos);
  EXPECT_EQ(backend_.invoke_calls, 0);
  auto ok = c->CallTool("customer_info", mcp::Json{{"customerId", "5"}}, ctx_);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->is_error);
  EXPECT_EQ(backend_.invoke_calls, 1);
}

TEST_F(LambdaCatalogTest, TimeoutMeansExactlyOneInvoke) {
  backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    return Error::Timeout("no response within the read timeout");
  });
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  auto r = c->CallTool("echo", mcp::Json::object(), ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_error);
  EXPECT_NE(Text(*r).find("may still have run"), std::string::npos);
  EXPECT_EQ(backend_.invoke_calls, 1);
  auto lines = audit_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(mcp::Json::parse(lines[0])["outcome"], "timeout");
}

TEST_F(LambdaCatalogTest, FunctionErrorAndTooLarge) {
  backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token) -> Result<InvokeResponse> {
    InvokeResponse r;
    r.function_error = "Handled";
    r.payload = R"({"errorType":"ValueError","errorMessage":"bad email"})";
    return r;
  });
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  auto r = c->CallTool("echo", mcp::Json::object(), ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_error);
  EXPECT_NE(Text(*r).find("ValueError"), std::string::npos);
  EXPECT_NE(Text(*r).find("bad email"), std::string::npos);
  auto big = c->CallTool("echo", mcp::Json{{"x", std::string(kMaxInvokePayloadBytes, 'a')}}, ctx_);
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->is_error);
  EXPECT_NE(Text(*big).find("6 MB"), std::string::npos);
  EXPECT_EQ(backend_.invoke_calls, 1);
}

TEST_F(LambdaCatalogTest, CompatWrapper) {
  auto c = Make({{"LAMBDA_MCP_COMPAT", "reference"}});
  ASSERT_TRUE(c->DiscoverNow().ok());
  auto r = c->CallTool("echo", mcp::Json{{"parameters", {{"a", 1}}}}, ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Text(*r), "Function mcp-echo returned: {\n  \"a\": 1\n}");
  EXPECT_EQ(backend_.invokes().at(0).payload, R"({"a":1})");
  auto str = c->CallTool("echo", mcp::Json{{"parameters", R"({"b": 2})"}}, ctx_);
  ASSERT_TRUE(str.ok());
  EXPECT_EQ(Text(*str), "Function mcp-echo returned: {\n  \"b\": 2\n}");
  auto flat = c->CallTool("echo", mcp::Json{{"customerId", "1"}}, ctx_);
  ASSERT_TRUE(flat.ok());
  EXPECT_TRUE(flat->is_error);
  EXPECT_NE(Text(*flat).find("Error executing tool echo: 1 validation error"), std::string::npos);
  EXPECT_EQ(backend_.invoke_calls, 2);
}

TEST_F(LambdaCatalogTest, QualifierAndFixedTimeout) {
  auto c = Make({{"FUNCTION_QUALIFIER", "live"}, {"LAMBDA_MCP_INVOKE_TIMEOUT_SECONDS", "120"}});
  ASSERT_TRUE(c->DiscoverNow().ok());
  ASSERT_TRUE(c->CallTool("echo", mcp::Json::object(), ctx_).ok());
  EXPECT_EQ(backend_.invokes().at(0).qualifier, "live");
  EXPECT_EQ(backend_.invokes().at(0).read_timeout, 120s);
}

TEST_F(LambdaCatalogTest, CancellationStopsTheCall) {
  backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token stop) -> Result<InvokeResponse> {
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(1ms);
    }
    return Error::Cancelled("aborted");
  });
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  std::thread canceller([&] {
    WaitUntil([&] { return backend_.invoke_calls.load() == 1; });
    ctx_.Cancel();
  });
  auto r = c->CallTool("echo", mcp::Json::object(), ctx_);
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
}

TEST_F(LambdaCatalogTest, CallsRunConcurrentlyWithinPerFunctionLimit) {
  std::atomic<int> in_flight{0}, peak{0};
  std::atomic<bool> release{false};
  backend_.SetInvokeHandler([&](const InvokeRequest& req, std::stop_token) -> Result<InvokeResponse> {
    int now = ++in_flight;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    while (!release.load()) {
      std::this_thread::sleep_for(1ms);
    }
    --in_flight;
    InvokeResponse r;
    r.payload = req.payload;
    return r;
  });
  auto c = Make({{"LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION", "3"}});
  ASSERT_TRUE(c->DiscoverNow().ok());
  std::vector<std::thread> threads;
  std::vector<TestCallContext> ctxs(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { ASSERT_TRUE(c->CallTool("echo", mcp::Json{{"i", i}}, ctxs[i]).ok()); });
  }
  ASSERT_TRUE(WaitUntil([&] { return peak.load() == 3; }));
  release = true;
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(peak.load(), 3);
  EXPECT_EQ(backend_.invoke_calls, 8);
}

TEST_F(LambdaCatalogTest, ProgressWhileWaiting) {
  std::atomic<bool> release{false};
  backend_.SetInvokeHandler([&](const InvokeRequest& req, std::stop_token) -> Result<InvokeResponse> {
    while (!release.load()) {
      std::this_thread::sleep_for(1ms);
    }
    InvokeResponse r;
    r.payload = req.payload;
    return r;
  });
  auto c = Make({});
  c->Start();
  ASSERT_TRUE(c->ListTools().ok());
  std::thread call([&] { ASSERT_TRUE(c->CallTool("echo", mcp::Json::object(), ctx_).ok()); });
  ASSERT_TRUE(WaitUntil([&] { return backend_.invoke_calls.load() == 1; }));
  ASSERT_TRUE(WaitUntil([&] {
    clock_.Advance(5s);
    return ctx_.progress_count() >= 2;
  }));
  release = true;
  call.join();
  EXPECT_LT(ctx_.progress_values[0], ctx_.progress_values[1]);
  EXPECT_NE(ctx_.progress_messages[0].find("mcp-echo"), std::string::npos);
}

TEST_F(LambdaCatalogTest, AuditLineHasKeyedHmacNotArgumentsNorTheirHash) {
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  ASSERT_TRUE(c->CallTool("echo", mcp::Json{{"secret", "hunter2"}}, ctx_).ok());
  auto lines = audit_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find("hunter2"), std::string::npos);
  // A plain hash of low-entropy arguments could be reversed by guessing: it must not appear.
  EXPECT_EQ(lines[0].find(Sha256Hex(R"({"secret":"hunter2"})")), std::string::npos);
  EXPECT_EQ(lines[0].find("arguments_sha256"), std::string::npos);
  auto j = mcp::Json::parse(lines[0]);
  EXPECT_EQ(j["tool"], "echo");
  EXPECT_EQ(j["outcome"], "ok");
  EXPECT_EQ(j["principal"], "test");
  EXPECT_EQ(j["function_arn"], "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo");
  EXPECT_EQ(j["arguments_hmac"], audit_.ArgumentsHmac(R"({"secret":"hunter2"})"));
  EXPECT_EQ(j["arguments_hmac"].get<std::string>().size(), 64u);
}

// Two runs (catalogs and sinks) under the same key agree; another key gives another value.
TEST_F(LambdaCatalogTest, AuditHmacIsStableUnderOneKeyAndDiffersAcrossKeys) {
  auto hmac_with = [&](const std::string& key) {
    MemoryAuditSink sink(key);
    LambdaCatalog c(Options({{"FUNCTION_PREFIX", "mcp-"}}), backend_, clock_, &sink);
    EXPECT_TRUE(c.DiscoverNow().ok());
    EXPECT_TRUE(c.CallTool("echo", mcp::Json{{"pin", "1234"}}, ctx_).ok());
    auto lines = sink.lines();
    return lines.size() == 1 ? mcp::Json::parse(lines[0])["arguments_hmac"].get<std::string>() : "";
  };
  const std::string key_a(32, 'a'), key_b(32, 'b');
  std::string first = hmac_with(key_a);
  ASSERT_EQ(first.size(), 64u);
  EXPECT_EQ(hmac_with(key_a), first);
  EXPECT_NE(hmac_with(key_b), first);
  EXPECT_NE(first, Sha256Hex(R"({"pin":"1234"})"));
}

mcp::Json LastAudit(const MemoryAuditSink& audit) {
  auto lines = audit.lines();
  return lines.empty() ? mcp::Json() : mcp::Json::parse(lines.back());
}

TEST_F(LambdaCatalogTest, AuditOutcomeTellsClientCancelFromShutdown) {
  backend_.SetInvokeHandler([](const InvokeRequest&, std::stop_token stop) -> Result<InvokeResponse> {
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(1ms);
    }
    return Error::Cancelled("aborted");
  });
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  for (bool shutdown : {false, true}) {
    TestCallContext ctx;
    std::thread stopper([&] {
      WaitUntil([&] { return backend_.invoke_calls.load() == (shutdown ? 2 : 1); });
      if (shutdown) {
        ctx.SetFate(mcp::CallFate::kAbandoned, true);  // what the session does when the grace ends
      } else {
        ctx.Cancel();  // notifications/cancelled
      }
    });
    ASSERT_FALSE(c->CallTool("echo", mcp::Json::object(), ctx).ok());
    stopper.join();
    EXPECT_EQ(LastAudit(audit_)["outcome"], shutdown ? "abandoned" : "cancelled");
  }
}

TEST_F(LambdaCatalogTest, AuditOutcomeSaysWhenTheClientIsGone) {
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  ctx_.SetFate(mcp::CallFate::kClientGone, false);  // the call runs on; its result is discarded
  ASSERT_TRUE(c->CallTool("echo", mcp::Json::object(), ctx_).ok());
  auto j = LastAudit(audit_);
  EXPECT_EQ(j["outcome"], "client_gone");
  EXPECT_NE(j.value("detail", "").find("ended ok"), std::string::npos) << j.dump();
  EXPECT_EQ(backend_.invoke_calls, 1);
}

TEST_F(LambdaCatalogTest, CallsTheCoreNeverStartedAreAuditedNotInvoked) {
  auto c = Make({});
  ASSERT_TRUE(c->DiscoverNow().ok());
  c->CallNotInvoked("echo", mcp::Json{{"secret", "hunter2"}},
                    mcp::Json{{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}},
                    "alice", mcp::ToolProvider::NotInvoked::kClientGone,
                    "the client was gone before the call started");
  auto lines = audit_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find("hunter2"), std::string::npos);
  auto j = mcp::Json::parse(lines[0]);
  EXPECT_EQ(j["outcome"], "client_gone");
  EXPECT_EQ(j["principal"], "alice");
  EXPECT_EQ(j["function_arn"], "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo");
  EXPECT_NE(j.value("detail", "").find("not invoked"), std::string::npos);
  EXPECT_EQ(j["trace_id"], "0af7651916cd43dd8448eb211c80319c");  // a refused call is still traceable
  c->CallNotInvoked("echo", mcp::Json::object(), mcp::Json::object(), "alice",
                    mcp::ToolProvider::NotInvoked::kRefused, "too many tool calls");
  EXPECT_EQ(LastAudit(audit_)["outcome"], "refused");
  EXPECT_FALSE(LastAudit(audit_).contains("trace_id"));
  EXPECT_EQ(backend_.invoke_calls, 0);
}

// A client that gets no tool learns why on tools/list (over stdio it sees nothing else); discovery itself
// succeeded, and the reference server's mode lists nothing, as that server does.
TEST_F(LambdaCatalogTest, NothingSelectedIsTheReasonOnToolsListExceptInReferenceMode) {
  auto c = std::make_unique<LambdaCatalog>(Options({}), backend_, clock_, &audit_);
  ASSERT_TRUE(c->DiscoverNow().ok());
  auto tools = c->ListTools();
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(tools.error().message.find("No Lambda function is selected as a tool: No functions selected"),
            std::string::npos)
      << tools.error().message;
  EXPECT_NE(tools.error().message.find("listed again every 300 s"), std::string::npos)
      << tools.error().message;
  EXPECT_FALSE(c->ListToolsFor(mcp::Identity{.name = "alice"}).ok());
  EXPECT_EQ(backend_.list_functions_calls, 0);

  auto reference = std::make_unique<LambdaCatalog>(Options({{"LAMBDA_MCP_COMPAT", "reference"}}), backend_,
                                                   clock_, &audit_);
  ASSERT_TRUE(reference->DiscoverNow().ok());
  auto listed = reference->ListTools();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_TRUE((*listed)->empty());
}

}  // namespace
}  // namespace lmcp::catalog
