#include "transport/http_session.h"

#include <gtest/gtest.h>

#include "tests/support/common/fake_clock.h"
#include "tests/support/transport/http_test_util.h"

namespace lmcp::transport {
namespace {

using testing::ParseSse;

Json Response(const Json& id) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", Json::object()}}; }
Json Note() {
  return {{"jsonrpc", "2.0"}, {"method", "notifications/message"}, {"params", {{"level", "info"}}}};
}

std::string Drain(SseChannel& c) {
  std::string all, frame;
  while (c.Pop(&frame, std::chrono::milliseconds(0)) == SseChannel::Next::kFrame) {
    all += frame;
  }
  return all;
}

TEST(SseFrameTest, Framing) {
  EXPECT_EQ(SseFrame(Json{{"a", 1}}), "event: message\ndata: {\"a\":1}\n\n");
  // Invalid UTF-8 is replaced rather than thrown on.
  EXPECT_NO_THROW(SseFrame(Json(std::string("\xff\xfe"))));
  EXPECT_NE(IdKey(Json(1)), IdKey(Json("1")));
}

TEST(SseChannelTest, DrainsThenCloses) {
  SseChannel c;
  c.Push("a");
  c.Close();
  c.Push("dropped after close");
  std::string f;
  EXPECT_EQ(c.Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kFrame);
  EXPECT_EQ(f, "a");
  EXPECT_EQ(c.Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kClosed);
}

TEST(SseChannelTest, IdleWhenEmpty) {
  SseChannel c;
  std::string f;
  EXPECT_EQ(c.Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kIdle);
  c.Abandon();
  EXPECT_EQ(c.Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kClosed);
}

TEST(ExchangeTest, SingleFinishedResponseIsJson) {
  Exchange ex({IdKey(1)});
  ex.Deliver(Response(1), IdKey(1));
  auto d = ex.Decide();
  ASSERT_TRUE(d.json);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0]["id"], 1);
}

TEST(ExchangeTest, NotificationsForceSse) {
  Exchange ex({IdKey(1)});
  ex.Deliver(Note(), IdKey(1));
  ex.Deliver(Response(1), IdKey(1));
  auto d = ex.Decide();
  ASSERT_FALSE(d.json);
  auto msgs = ParseSse(Drain(*d.channel));
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0]["method"], "notifications/message");
  EXPECT_EQ(msgs[1]["id"], 1);
  std::string f;
  EXPECT_EQ(d.channel->Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kClosed);
}

TEST(ExchangeTest, PendingRequestStreamsUntilEnded) {
  Exchange ex({IdKey(1), IdKey("b")});
  ex.Deliver(Response(1), IdKey(1));
  auto d = ex.Decide();
  ASSERT_FALSE(d.json);
  std::string f;
  EXPECT_EQ(d.channel->Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kFrame);
  EXPECT_EQ(d.channel->Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kIdle);
  ex.Deliver(Note(), IdKey("b"));
  ex.End(IdKey("b"));  // cancelled: no response, stream still ends
  EXPECT_EQ(d.channel->Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kFrame);
  EXPECT_EQ(d.channel->Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kClosed);
}

TEST(HttpSessionTest, RoutesRelatedAndUnsolicited) {
  FakeClock clock;
  HttpSession s("sid", "alice", clock);
  auto ex = std::make_shared<Exchange>(std::vector<std::string>{IdKey(7)});
  ASSERT_TRUE(s.Register({IdKey(7)}, ex));
  EXPECT_FALSE(s.Register({IdKey(7)}, ex));  // already in flight
  auto d = ex->Decide();
  ASSERT_FALSE(d.json);
  // Unsolicited before any GET stream: queued, then flushed into the stream when it opens.
  s.Send(Json{{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}}, Json());
  s.Send(Note(), Json(7));
  s.Send(Response(7), Json(7));
  s.RequestEnded(Json(7));
  auto post = ParseSse(Drain(*d.channel));
  ASSERT_EQ(post.size(), 2u);
  EXPECT_EQ(post[1]["id"], 7);
  auto get = std::make_shared<SseChannel>();
  s.OpenGetStream(get);
  auto unsolicited = ParseSse(Drain(*get));
  ASSERT_EQ(unsolicited.size(), 1u);
  EXPECT_EQ(unsolicited[0]["method"], "notifications/tools/list_changed");
  // A second GET replaces the first, which ends; unsolicited messages go to the newest only.
  auto second = std::make_shared<SseChannel>();
  s.OpenGetStream(second);
  std::string f;
  EXPECT_EQ(get->Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kClosed);
  s.CloseGetStream(get.get());  // the old writer finishing must not unhook the new stream
  s.Send(Json{{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}}, Json());
  EXPECT_EQ(ParseSse(Drain(*second)).size(), 1u);
}

TEST(HttpSessionTest, IdleTimeFollowsActivity) {
  FakeClock clock;
  HttpSession s("sid", "alice", clock);
  auto t0 = s.LastActive();
  clock.Advance(std::chrono::seconds(10));
  EXPECT_EQ(s.LastActive(), t0);
  s.Touch();
  EXPECT_EQ(s.LastActive() - t0, std::chrono::seconds(10));
  auto ex = std::make_shared<Exchange>(std::vector<std::string>{IdKey(1)});
  ASSERT_TRUE(s.Register({IdKey(1)}, ex));
  clock.Advance(std::chrono::seconds(100));
  EXPECT_EQ(s.LastActive(), clock.Steady());  // busy sessions are never idle
}

TEST(HttpSessionTest, CloseEndsStreamsAndShutsDownSession) {
  FakeClock clock;
  auto s = std::make_shared<HttpSession>("sid", "alice", clock);
  testing::FakeSessions fakes;
  fakes.hold_calls = true;
  s->Attach(fakes.Factory()(*s, mcp::SessionOptions{}));
  auto ex = std::make_shared<Exchange>(std::vector<std::string>{IdKey(1)});
  ASSERT_TRUE(s->Register({IdKey(1)}, ex));
  s->mcp().HandleMessage(
      {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", "x"}}}});
  auto d = ex->Decide();
  auto get = std::make_shared<SseChannel>();
  s->OpenGetStream(get);
  s->Close(std::chrono::milliseconds(0));
  EXPECT_TRUE(fakes.last()->shut_down());
  std::string all = Drain(*d.channel);
  std::string f;
  EXPECT_EQ(d.channel->Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kClosed);
  EXPECT_EQ(get->Pop(&f, std::chrono::milliseconds(0)), SseChannel::Next::kClosed);
}

}  // namespace
}  // namespace lmcp::transport
