#include "jsonrpc/dispatcher.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "jsonrpc/error_codes.h"

namespace lmcp::jsonrpc {
namespace {

Message Request(Json id, std::string method) {
  Message m;
  m.kind = MessageKind::kRequest;
  m.id = std::move(id);
  m.method = std::move(method);
  return m;
}

TEST(DispatcherTest, UnknownMethodIsMethodNotFound) {
  Dispatcher d;
  auto r = d.Dispatch(Request(1, "nope"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)["error"]["code"], kMethodNotFound);
  EXPECT_EQ((*r)["id"], 1);
}

TEST(DispatcherTest, ResultAndErrorReplies) {
  Dispatcher d;
  d.OnRequest("ok", [](const Message&, const Responder&) { return Reply::Ok({{"v", 1}}); });
  d.OnRequest("bad", [](const Message&, const Responder&) -> Reply { return RpcError::InvalidParams("x"); });
  EXPECT_EQ((*d.Dispatch(Request("a", "ok")))["result"]["v"], 1);
  auto bad = *d.Dispatch(Request("b", "bad"));
  EXPECT_EQ(bad["error"]["code"], kInvalidParams);
  EXPECT_EQ(bad["id"], "b");
}

TEST(DispatcherTest, ThrowingHandlerIsInternalError) {
  Dispatcher d;
  d.OnRequest("boom", [](const Message&, const Responder&) -> Reply { throw std::runtime_error("kaput"); });
  auto r = *d.Dispatch(Request(9, "boom"));
  EXPECT_EQ(r["error"]["code"], kInternalError);
}

TEST(DispatcherTest, DeferredHandlerAnswersThroughResponder) {
  Dispatcher d;
  Responder kept;
  d.OnRequest("later", [&](const Message&, const Responder& r) {
    kept = r;
    return Reply::Deferred();
  });
  std::optional<Json> answered;
  EXPECT_FALSE(
      d.Dispatch(Request(5, "later"), [&](std::optional<Json> resp) { answered = resp; }).has_value());
  ASSERT_TRUE(kept);
  kept(MakeResult(5, 1));
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ((*answered)["result"], 1);
}

TEST(DispatcherTest, HandlersMayTakeTheParams) {
  Dispatcher d;
  Json taken;
  d.OnRequest("take", [&](Message& m, const Responder&) {
    taken = std::move(m.params);
    return Reply::Ok(Json::object());
  });
  Message m = Request(3, "take");
  m.params = {{"a", 1}};
  auto r = d.Dispatch(std::move(m));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)["id"], 3);
  EXPECT_EQ(taken["a"], 1);
}

TEST(DispatcherTest, NotificationsUnknownIgnoredThrowingReported) {
  Dispatcher d;
  int seen = 0;
  d.OnNotification("n", [&](const Message&) { ++seen; });
  d.OnNotification("t", [](const Message&) { throw std::runtime_error("x"); });
  Message n;
  n.kind = MessageKind::kNotification;
  n.method = "n";
  EXPECT_TRUE(d.Notify(n));
  EXPECT_EQ(seen, 1);
  n.method = "unknown";
  EXPECT_TRUE(d.Notify(n));
  n.method = "t";
  EXPECT_FALSE(d.Notify(n));
}

}  // namespace
}  // namespace lmcp::jsonrpc
