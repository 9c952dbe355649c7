#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "catalog/call/compose.h"
#include "catalog/call/invoke_function.h"
#include "catalog/call/report_progress.h"
#include "tests/support/catalog/fake_lambda_backend.h"
#include "tests/support/catalog/test_call_context.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;

// Polls a condition another thread makes true; bounds the wait, never asserts a duration.
bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 3000; ++i) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// One known tool, "echo", for function mcp-echo.
class OneTool final : public ToolDirectory {
 public:
  OneTool() {
    auto e = std::make_shared<ToolEntry>();
    e->definition.name = "echo";
    e->function.name = "mcp-echo";
    e->function.arn = "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo";
    e->function.timeout_seconds = 20;
    entry_ = e;
  }
  Result<std::shared_ptr<const ToolEntry>> Find(const std::string& tool) override {
    if (tool != "echo") {
      return Error::NotFound("Unknown tool: " + tool);
    }
    return entry_;
  }

 private:
  std::shared_ptr<const ToolEntry> entry_;
};

class CallChainTest : public ::testing::Test {
 protected:
  CallChain Compose(CatalogOptions options, bool audit = true) {
    return ComposeCallChain(
        options,
        {.tools = tools_, .clock = clock_, .auditor = audit ? &auditor_ : nullptr, .backend = &backend_});
  }
  CallResult Call(const CallChain& chain, mcp::Json arguments, mcp::CallContext& ctx) {
    LambdaCall call("echo", std::move(arguments), ctx, clock_.Steady());
    return BlockOn(chain.Run(call));
  }
  // Invokes block until released.
  void HoldInvokes() {
    backend_.SetInvokeHandler([this](const InvokeRequest& req, std::stop_token) -> Result<InvokeResponse> {
      std::unique_lock lock(release_mu_);
      release_cv_.wait(lock, [this] { return released_; });
      InvokeResponse r;
      r.payload = req.payload;
      return r;
    });
  }
  void ReleaseInvokes() {
    {
      std::lock_guard lock(release_mu_);
      released_ = true;
    }
    release_cv_.notify_all();
  }

  OneTool tools_;
  FakeLambdaBackend backend_;
  FakeClock clock_;
  MemoryAuditSink sink_;
  CallAuditor auditor_{sink_, clock_};
  std::mutex release_mu_;
  std::condition_variable release_cv_;
  bool released_ = false;
};

TEST_F(CallChainTest, ComposedChainIsTheRecipeAndLeavesOutWhatIsOff) {
  CatalogOptions options;
  options.max_concurrency_per_function = 2;
  options.progress_interval = 5s;
  options.validate_arguments = true;
  options.guardrails.breaker.enabled = true;
  auto chain = Compose(options);
  EXPECT_EQ(chain.StageNames(),
            (std::vector<std::string_view>{
                "resolve_tool", "encode_arguments", "propagate_trace", "audit", "shape_event",
                "validate_arguments", "attach_input", "build_invoke_request", "map_result", "result_cache",
                "rate_limit", "function_concurrency", "circuit_breaker", "report_progress", "invoke"}));
  options.max_concurrency_per_function = 0;
  options.progress_interval = 0s;
  options.validate_arguments = false;
  options.guardrails.breaker.enabled = false;
  options.guardrails.rate_limits.tool_tags = false;  // and nothing else configured
  options.guardrails.cache.tool_tags = false;
  EXPECT_EQ(
      Compose(options, /*audit=*/false).StageNames(),
      (std::vector<std::string_view>{"resolve_tool", "encode_arguments", "propagate_trace", "shape_event",
                                     "attach_input", "build_invoke_request", "map_result", "invoke"}));
}

TEST_F(CallChainTest, AStageEndsTheCallAndTheStagesAboveSeeHow) {
  auto chain = Compose(CatalogOptions{});
  TestCallContext ctx;
  auto result = Call(chain, mcp::Json::array({1, 2}), ctx);  // not an object: ShapeEvent ends the call
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->is_error);
  EXPECT_EQ(backend_.invoke_calls.load(), 0);
  auto line = mcp::Json::parse(sink_.lines().at(0));
  EXPECT_EQ(line["outcome"], "invalid_arguments");
  auto counters = chain.Counters();
  auto count = [&](const std::string& name) {
    for (const auto& [n, v] : counters) {
      if (n == name) {
        return v;
      }
    }
    return std::uint64_t{999};
  };
  EXPECT_EQ(count("shape_event.rejected"), 1u);
  EXPECT_EQ(count("audit.lines"), 1u);
  EXPECT_EQ(count("invoke.invoked"), 0u);

  ASSERT_TRUE(Call(chain, mcp::Json{{"a", 1}}, ctx).ok());
  counters = chain.Counters();
  EXPECT_EQ(count("invoke.invoked"), 1u);
  EXPECT_EQ(count("audit.lines"), 2u);
  EXPECT_EQ(backend_.invokes().at(0).payload, R"({"a":1})");
}

TEST_F(CallChainTest, UnknownToolIsAnErrorAndNotAudited) {
  auto chain = Compose(CatalogOptions{});
  TestCallContext ctx;
  LambdaCall call("nope", mcp::Json::object(), ctx, clock_.Steady());
  auto result = BlockOn(chain.Run(call));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(sink_.lines().empty());
}

std::uint64_t CounterValue(const CallChain& chain, const std::string& name) {
  for (const auto& [n, v] : chain.Counters()) {
    if (n == name) {
      return v;
    }
  }
  return 999;
}

// The request's trace context goes with the Invoke (X-Ray header, ClientContext.custom) and into the audit.
TEST_F(CallChainTest, TraceContextReachesTheInvokeAndTheAuditLine) {
  auto chain = Compose(CatalogOptions{});
  TestCallContext ctx;
  ctx.meta = {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
              {"tracestate", "congo=t61rcWkgMzE"},
              {"progressToken", 7}};
  ASSERT_TRUE(Call(chain, mcp::Json{{"a", 1}}, ctx).ok());
  auto invokes = backend_.invokes();
  ASSERT_EQ(invokes.size(), 1u);
  const InvokeRequest& sent = invokes[0];
  EXPECT_EQ(sent.trace_header, "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1");
  EXPECT_EQ(mcp::Json::parse(sent.client_context_json),
            (mcp::Json{{"custom",
                        {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                         {"tracestate", "congo=t61rcWkgMzE"}}}}));
  EXPECT_EQ(sent.payload, R"({"a":1})");
  EXPECT_EQ(mcp::Json::parse(sink_.lines().at(0))["trace_id"], "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(CounterValue(chain, "propagate_trace.propagated"), 1u);

  // A call that ends before the Invoke is audited with its trace id too.
  ASSERT_TRUE(Call(chain, mcp::Json::array(), ctx).ok());
  auto refused = mcp::Json::parse(sink_.lines().at(1));
  EXPECT_EQ(refused["outcome"], "invalid_arguments");
  EXPECT_EQ(refused["trace_id"], "0af7651916cd43dd8448eb211c80319c");
}

// A call that runs for an MCP task names it in its audit line; a plain call has no task_id.
class TaskCallContext final : public TestCallContext {
 public:
  const std::string& task_id() const override { return id_; }

 private:
  std::string id_ = "3f1c2b9a7d6e4f5a8b0c1d2e3f4a5b6c";
};

TEST_F(CallChainTest, TheAuditLineNamesTheTaskACallRunsFor) {
  auto chain = Compose(CatalogOptions{});
  TaskCallContext task;
  ASSERT_TRUE(Call(chain, mcp::Json{{"a", 1}}, task).ok());
  TestCallContext plain;
  ASSERT_TRUE(Call(chain, mcp::Json{{"a", 1}}, plain).ok());
  EXPECT_EQ(mcp::Json::parse(sink_.lines().at(0))["task_id"], "3f1c2b9a7d6e4f5a8b0c1d2e3f4a5b6c");
  EXPECT_FALSE(mcp::Json::parse(sink_.lines().at(1)).contains("task_id"));
}

TEST_F(CallChainTest, AnInvalidOrAbsentTraceparentSendsNothing) {
  auto chain = Compose(CatalogOptions{});
  TestCallContext invalid;
  invalid.meta = {{"traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"},
                  {"tracestate", "congo=t61rcWkgMzE"}};
  TestCallContext none;
  TestCallContext state_only;
  state_only.meta = {{"tracestate", "congo=t61rcWkgMzE"}};
  for (TestCallContext* ctx : {&invalid, &none, &state_only}) {
    ASSERT_TRUE(Call(chain, mcp::Json::object(), *ctx).ok());
  }
  ASSERT_EQ(backend_.invokes().size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(backend_.invokes()[i].trace_header, "") << i;
    EXPECT_EQ(backend_.invokes()[i].client_context_json, "") << i;
    auto line = mcp::Json::parse(sink_.lines().at(i));
    EXPECT_EQ(line["outcome"], "ok");
    EXPECT_FALSE(line.contains("trace_id")) << line;
  }
  EXPECT_EQ(CounterValue(chain, "propagate_trace.ignored"), 1u);
  EXPECT_EQ(CounterValue(chain, "propagate_trace.propagated"), 0u);
}

// Each call has its own schedule: first progress 1 s after its invoke starts, then every 5 s.
TEST_F(CallChainTest, ProgressFollowsEachCallsOwnSchedule) {
  HoldInvokes();
  CatalogOptions options;
  options.progress_interval = 5s;
  auto chain = Compose(options);
  TestCallContext a;
  TestCallContext b;
  std::thread call_a([&] { EXPECT_TRUE(Call(chain, mcp::Json::object(), a).ok()); });
  ASSERT_TRUE(Eventually([&] { return backend_.invoke_calls.load() == 1; }));
  clock_.Advance(3s);  // a: due at 1 s
  ASSERT_TRUE(Eventually([&] { return a.progress_count() == 1; }));
  std::thread call_b([&] { EXPECT_TRUE(Call(chain, mcp::Json::object(), b).ok()); });
  ASSERT_TRUE(Eventually([&] { return backend_.invoke_calls.load() == 2; }));
  clock_.Advance(1s);  // t = 4 s: b is due (its 1 s), a is not (due at 6 s)
  ASSERT_TRUE(Eventually([&] { return b.progress_count() == 1; }));
  EXPECT_EQ(a.progress_count(), 1u);
  clock_.Advance(2s);  // t = 6 s: a's second; b's next is at 9 s
  ASSERT_TRUE(Eventually([&] { return a.progress_count() == 2; }));
  EXPECT_EQ(b.progress_count(), 1u);
  ReleaseInvokes();
  call_a.join();
  call_b.join();
  EXPECT_EQ(a.progress_values, (std::vector<double>{3, 6}));
  EXPECT_EQ(b.progress_values, (std::vector<double>{1}));
  EXPECT_NE(a.progress_messages[0].find("mcp-echo (3 s of at most 30 s)"), std::string::npos)
      << a.progress_messages[0];
}

// A context whose Progress runs a whole second call before returning: if the ticker held the lock calls
// take while sending, that call could not register and this would time out.
class ReentrantContext final : public TestCallContext {
 public:
  std::function<void()> on_progress;
  void Progress(double progress, std::optional<double> total, std::string message) override {
    TestCallContext::Progress(progress, total, std::move(message));
    if (on_progress) {
      auto f = std::exchange(on_progress, nullptr);
      f();
    }
  }
};

TEST_F(CallChainTest, ProgressIsSentWithoutTheLockCallsTake) {
  CatalogOptions options;
  options.progress_interval = 5s;
  auto chain = Compose(options);
  std::atomic<bool> release_a{false};
  backend_.SetInvokeHandler([&](const InvokeRequest& req, std::stop_token) -> Result<InvokeResponse> {
    if (req.payload == R"({"who":"a"})") {
      while (!release_a.load()) {
        std::this_thread::sleep_for(1ms);
      }
    }
    return InvokeResponse{};
  });
  ReentrantContext a;
  std::promise<bool> b_done;
  a.on_progress = [&] {
    std::thread b([&] {
      TestCallContext ctx_b;
      b_done.set_value(Call(chain, mcp::Json{{"who", "b"}}, ctx_b).ok());
    });
    auto f = b_done.get_future();
    EXPECT_EQ(f.wait_for(30s), std::future_status::ready) << "a second call blocked while progress was sent";
    b.join();
  };
  std::thread call_a([&] { EXPECT_TRUE(Call(chain, mcp::Json{{"who", "a"}}, a).ok()); });
  ASSERT_TRUE(Eventually([&] { return backend_.invoke_calls.load() == 1; }));
  clock_.Advance(1s);
  ASSERT_TRUE(Eventually([&] { return backend_.invoke_calls.load() == 2 && a.progress_count() == 1; }));
  release_a = true;
  call_a.join();
}

// A stateless-era (2026-07-28) call, a retry when it carries inputResponses or a request state.
class StatelessContext final : public TestCallContext {
 public:
  StatelessContext(mcp::Json responses = nullptr, mcp::Json state = nullptr)
      : TestCallContext("2026-07-28"), responses_(std::move(responses)), state_(std::move(state)) {}
  bool stateless() const override { return true; }
  const mcp::Json& input_responses() const override { return responses_; }
  const mcp::Json& request_state() const override { return state_; }

 private:
  mcp::Json responses_, state_;
};

TEST_F(CallChainTest, AFunctionAsksForInputAndItsRetryGetsTheResponsesAndState) {
  CatalogOptions options;
  options.validate_arguments = true;
  auto chain = Compose(options);
  backend_.SetInvokeHandler([](const InvokeRequest& req, std::stop_token) -> Result<InvokeResponse> {
    InvokeResponse r;
    auto event = mcp::Json::parse(req.payload);
    r.payload = event.contains("_mcp") ? R"({"deleted":true})"
                                       : R"({"resultType":"input_required","inputRequests":{"confirm":
                                            {"method":"elicitation/create","params":{"message":"Sure?",
                                            "requestedSchema":{"type":"object","properties":{}}}}},
                                            "requestState":{"path":"a.txt"}})";
    return r;
  });
  StatelessContext first;
  auto asked = Call(chain, mcp::Json{{"path", "a.txt"}}, first);
  ASSERT_TRUE(asked.ok());
  ASSERT_TRUE(asked->input_required);
  EXPECT_EQ(asked->input_required->state, (mcp::Json{{"path", "a.txt"}}));
  EXPECT_EQ(backend_.invokes().at(0).payload, R"({"path":"a.txt"})");
  EXPECT_EQ(mcp::Json::parse(sink_.lines().at(0))["detail"], "input required");

  StatelessContext retry(mcp::Json{{"confirm", {{"action", "accept"}, {"content", mcp::Json::object()}}}},
                         asked->input_required->state);
  auto done = Call(chain, mcp::Json{{"path", "a.txt"}}, retry);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(done->input_required);
  EXPECT_EQ(done->content[0]["text"], R"({"deleted":true})");
  EXPECT_EQ(mcp::Json::parse(backend_.invokes().at(1).payload),
            mcp::Json::parse(R"({"path":"a.txt","_mcp":{"inputResponses":{"confirm":{"action":"accept",
                                 "content":{}}},"requestState":{"path":"a.txt"}}})"));
  for (const auto& [name, value] : chain.Counters()) {
    if (name == "attach_input.retries") {
      EXPECT_EQ(value, 1u);
    }
  }
}

TEST_F(CallChainTest, CompatModeRetryEventIsTheParametersPlusInput) {
  CatalogOptions options;
  options.compat = CompatMode::kReference;
  auto chain = Compose(options);
  StatelessContext retry(mcp::Json{{"k", {{"action", "decline"}}}});
  ASSERT_TRUE(Call(chain, mcp::Json{{"parameters", {{"a", 1}}}}, retry).ok());
  EXPECT_EQ(mcp::Json::parse(backend_.invokes().at(0).payload),
            mcp::Json::parse(R"({"a":1,"_mcp":{"inputResponses":{"k":{"action":"decline"}}}})"));
}

TEST_F(CallChainTest, ArgumentsCarryingTheReservedMemberAreRefused) {
  auto chain = Compose(CatalogOptions{});
  for (bool stateless : {false, true}) {
    TestCallContext session;
    StatelessContext request;
    mcp::CallContext& ctx = stateless ? static_cast<mcp::CallContext&>(request) : session;
    auto result = Call(chain, mcp::Json{{"_mcp", {{"requestState", "forged"}}}}, ctx);
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(result->is_error);
    EXPECT_NE(result->content[0]["text"].get<std::string>().find("\"_mcp\" is reserved"), std::string::npos);
  }
  EXPECT_EQ(backend_.invoke_calls.load(), 0);
}

}  // namespace
}  // namespace lmcp::catalog
