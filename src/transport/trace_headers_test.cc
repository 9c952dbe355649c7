#include "transport/trace_headers.h"

#include <gtest/gtest.h>

#include "transport/http_listener.h"

namespace lmcp::transport {
namespace {

using nlohmann::json;

constexpr char kParent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr char kOther[] = "00-11111111111111111111111111111111-2222222222222222-00";

HttpHead Head(std::vector<std::pair<std::string, std::string>> headers) {
  HttpHead head;
  head.method = "POST";
  head.path = "/mcp";
  head.headers = std::move(headers);
  return head;
}

json Call(json meta = nullptr) {
  json m = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", "echo"}}}};
  if (!meta.is_null()) {
    m["params"]["_meta"] = std::move(meta);
  }
  return m;
}

TEST(TraceHeadersTest, CopiesTheHeadersIntoMeta) {
  json m = Call();
  CopyTraceHeaders(Head({{"Traceparent", kParent}, {"TraceState", "congo=t61rcWkgMzE"}}), m);
  EXPECT_EQ(m["params"]["_meta"], (json{{"traceparent", kParent}, {"tracestate", "congo=t61rcWkgMzE"}}));
  EXPECT_EQ(m["params"]["name"], "echo");

  json with_meta = Call({{"progressToken", 7}});
  CopyTraceHeaders(Head({{"traceparent", std::string(" ") + kParent + " "}}), with_meta);
  EXPECT_EQ(with_meta["params"]["_meta"], (json{{"progressToken", 7}, {"traceparent", kParent}}));
}

TEST(TraceHeadersTest, SeveralTracestateHeadersAreJoined) {
  json m = Call();
  CopyTraceHeaders(Head({{"tracestate", "a=1"}, {"traceparent", kParent}, {"tracestate", "b=2,c=3"}}), m);
  EXPECT_EQ(m["params"]["_meta"]["tracestate"], "a=1,b=2,c=3");
}

TEST(TraceHeadersTest, TheBodysOwnTraceContextWins) {
  json m = Call({{"traceparent", kOther}, {"tracestate", "mine=1"}});
  json before = m;
  CopyTraceHeaders(Head({{"traceparent", kParent}, {"tracestate", "congo=t61rcWkgMzE"}}), m);
  EXPECT_EQ(m, before);
}

TEST(TraceHeadersTest, TheHeadersReplaceAStrayTracestateAsAPair) {
  json replaced = Call({{"tracestate", "stray=1"}});
  CopyTraceHeaders(Head({{"traceparent", kParent}, {"tracestate", "congo=t61rcWkgMzE"}}), replaced);
  EXPECT_EQ(replaced["params"]["_meta"]["tracestate"], "congo=t61rcWkgMzE");
  json removed = Call({{"tracestate", "stray=1"}});
  CopyTraceHeaders(Head({{"traceparent", kParent}}), removed);
  EXPECT_EQ(removed["params"]["_meta"], (json{{"traceparent", kParent}}));
}

TEST(TraceHeadersTest, LeavesMessagesAloneWithoutOneTraceparent) {
  const std::vector<HttpHead> heads = {
      Head({}),
      Head({{"tracestate", "congo=t61rcWkgMzE"}}),
      Head({{"traceparent", ""}}),
      Head({{"traceparent", kParent}, {"traceparent", kOther}}),
  };
  for (const auto& head : heads) {
    json m = Call();
    json before = m;
    CopyTraceHeaders(head, m);
    EXPECT_EQ(m, before);
  }
}

TEST(TraceHeadersTest, OnlyRequestsWithObjectParamsTakeThem) {
  HttpHead head = Head({{"traceparent", kParent}});
  const std::vector<json> untouched = {
      json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 1}}}},
      json{{"jsonrpc", "2.0"}, {"id", 1}, {"result", json::object()}},
      json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}},
      json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "x"}, {"params", json::array({1})}},
      Call("not an object"),
      json::array(),
  };
  for (json m : untouched) {
    json before = m;
    CopyTraceHeaders(head, m);
    EXPECT_EQ(m, before) << before;
  }
  json list = {{"jsonrpc", "2.0"}, {"id", "a"}, {"method", "tools/list"}, {"params", json::object()}};
  CopyTraceHeaders(head, list);
  EXPECT_EQ(list["params"]["_meta"]["traceparent"], kParent);
}

}  // namespace
}  // namespace lmcp::transport
