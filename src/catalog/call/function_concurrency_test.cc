// The per-function async semaphore: calls over the limit wait in a queue, holding no thread, and a stop
// takes a waiting call out of it.

#include "catalog/call/function_concurrency.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "tests/support/catalog/chain_harness.h"

namespace lmcp::catalog {
namespace {

using namespace std::chrono_literals;

class FunctionConcurrencyTest : public ::testing::Test {
 protected:
  struct Running {
    std::unique_ptr<TestCallContext> ctx = std::make_unique<TestCallContext>();
    std::unique_ptr<LambdaCall> call;
    std::future<CallResult> result;
  };

  FunctionConcurrencyTest() {
    h_.tools.Add("f");
    h_.backend.HoldInvokes(true);
    CatalogOptions options;
    options.max_concurrency_per_function = 1;
    chain_ = h_.Compose(options);
  }

  // Starts a call; it runs on this thread until it waits (for a slot, or for Lambda).
  Running Start() {
    Running r;
    r.call = std::make_unique<LambdaCall>("f", mcp::Json{{"n", 1}}, *r.ctx, h_.clock.Steady());
    auto done = std::make_shared<std::promise<CallResult>>();
    r.result = done->get_future();
    lmcp::Start(chain_.Run(*r.call), [done](CallResult result) { done->set_value(std::move(result)); });
    return r;
  }

  ChainHarness h_;
  CallChain chain_;
};

TEST_F(FunctionConcurrencyTest, WaitersQueueWithoutAThreadAndTakeTheSlotInTurn) {
  Running first = Start();
  Running second = Start();
  Running third = Start();
  // All three Start()s returned on this thread: the first is at Lambda, the others wait in the queue.
  EXPECT_EQ(h_.backend.held(), 1);
  EXPECT_EQ(second.result.wait_for(0s), std::future_status::timeout);
  EXPECT_EQ(CounterValue(chain_.Counters(), "function_concurrency.waited"), 2);

  EXPECT_EQ(h_.backend.ReleaseHeld(), 1);  // the first ends; its slot passes to the second, here and now
  ASSERT_EQ(first.result.wait_for(0s), std::future_status::ready);
  EXPECT_TRUE(first.result.get().ok());
  EXPECT_EQ(h_.backend.held(), 1);
  EXPECT_EQ(h_.backend.ReleaseHeld(), 1);
  EXPECT_TRUE(second.result.get().ok());
  EXPECT_EQ(h_.backend.ReleaseHeld(), 1);
  EXPECT_TRUE(third.result.get().ok());
  EXPECT_EQ(h_.invokes(), 3);
}

TEST_F(FunctionConcurrencyTest, AStopWhileWaitingEndsTheCallAsCancelledWithoutInvoking) {
  Running first = Start();
  Running second = Start();
  second.ctx->Cancel();  // its stop callback takes it out of the queue; it ends on the stage's own thread
  ASSERT_EQ(second.result.wait_for(20s), std::future_status::ready);
  CallResult r = second.result.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(second.call->record.outcome, "cancelled");
  EXPECT_EQ(CounterValue(chain_.Counters(), "function_concurrency.stopped_waiting"), 1);
  EXPECT_EQ(h_.backend.ReleaseHeld(), 1);
  EXPECT_TRUE(first.result.get().ok());
  EXPECT_EQ(h_.invokes(), 1);  // the cancelled call never reached Lambda
  // The slot is free again: a new call goes straight to Lambda.
  Running third = Start();
  EXPECT_EQ(h_.backend.held(), 1);
  h_.backend.ReleaseHeld();
  EXPECT_TRUE(third.result.get().ok());
}

TEST_F(FunctionConcurrencyTest, AStopAlreadyRequestedNeverQueues) {
  Running first = Start();
  Running second;
  second.ctx->Cancel();
  second.call = std::make_unique<LambdaCall>("f", mcp::Json::object(), *second.ctx, h_.clock.Steady());
  CallResult r = BlockOn(chain_.Run(*second.call));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  h_.backend.ReleaseHeld();
  EXPECT_TRUE(first.result.get().ok());
}

}  // namespace
}  // namespace lmcp::catalog
