#include "catalog/call/trace_context.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace lmcp::catalog {
namespace {

// The W3C specification's example.
constexpr char kTraceparent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

TEST(TraceContextTest, ParsesTheW3cExample) {
  auto trace = ParseTraceparent(kTraceparent);
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->trace_id, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(trace->parent_id, "b7ad6b7169203331");
  EXPECT_EQ(trace->flags, 1);
  EXPECT_EQ(trace->Traceparent(), kTraceparent);
}

TEST(TraceContextTest, ConvertsToXRayWithTheSampledFlag) {
  auto sampled = ParseTraceparent(kTraceparent);
  ASSERT_TRUE(sampled);
  EXPECT_EQ(XRayTraceHeader(*sampled),
            "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1");
  auto not_sampled = ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
  ASSERT_TRUE(not_sampled);
  EXPECT_EQ(XRayTraceHeader(*not_sampled),
            "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=0");
  // Only bit 0 means sampled; other flags (level 2's "random") are kept in the traceparent.
  auto random_only = ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02");
  ASSERT_TRUE(random_only);
  EXPECT_EQ(random_only->flags, 2);
  EXPECT_NE(XRayTraceHeader(*random_only).find(";Sampled=0"), std::string::npos);
  EXPECT_EQ(random_only->Traceparent(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02");
  auto both = ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03");
  ASSERT_TRUE(both);
  EXPECT_NE(XRayTraceHeader(*both).find(";Sampled=1"), std::string::npos);
}

TEST(TraceContextTest, RefusesMalformedTraceparents) {
  const char* bad[] = {
      "",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",           // no flags
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1",         // short flags
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-",       // version 00 is 55 chars
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",  // same
      "00-0af7651916cd43dd8448eb211c80319-cb7ad6b7169203331-01",        // ids split wrong
      "00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",        // separator
      "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",        // upper-case hex
      "00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01",        // not hex
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333z-01",        // not hex
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0x",        // flags not hex
      "00-00000000000000000000000000000000-b7ad6b7169203331-01",        // all-zero trace id
      "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",        // all-zero parent id
      "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",        // version ff is invalid
      "0g-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",        // version not hex
      "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01extra",   // later version: "-" needed
      " 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",       // white space
  };
  for (const char* value : bad) {
    EXPECT_FALSE(ParseTraceparent(value)) << value;
  }
}

TEST(TraceContextTest, ALaterVersionIsReadAsVersion00) {
  auto trace = ParseTraceparent("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-comes");
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->Traceparent(), kTraceparent);
  EXPECT_TRUE(ParseTraceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
}

TEST(TraceContextTest, TracestateIsValidatedAndRejoined) {
  EXPECT_EQ(NormalizeTracestate("congo=t61rcWkgMzE"), "congo=t61rcWkgMzE");
  EXPECT_EQ(NormalizeTracestate("rojo=00f067aa0ba902b7 ,\t congo=t61rcWkgMzE,,"),
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  EXPECT_EQ(NormalizeTracestate("tenant1@vendor=a b"), "tenant1@vendor=a b");
  EXPECT_EQ(NormalizeTracestate(""), "");
  const char* bad[] = {
      "novalue",                // no "="
      "Upper=x",                // keys are lower case
      "1abc=x",                 // a simple key starts with a letter
      "k=",                     // empty value
      "k=a,b",                  // "b" is no member
      "k=a\tb",                 // a tab inside a value
      "k=x=y",                  // "=" in a value
      "k=1,k=2",                // a key twice
      "t@toolongsystemid15=x",  // system id over 14
      "k=\x01",                 // control character
  };
  for (const char* value : bad) {
    EXPECT_EQ(NormalizeTracestate(value), "") << value;
  }
  std::string many;
  for (int i = 0; i < 33; ++i) {
    many += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  }
  EXPECT_EQ(NormalizeTracestate(many), "") << "more than 32 members";
}

TEST(TraceContextTest, LongTracestateLosesLongMembersFirstThenMembersFromTheEnd) {
  std::string long_value(200, 'x');
  std::string filler(100, 'f');
  // 2 short, 1 long (> 128) and 3 of 102 characters: 521 joined.
  std::string value = "a=1,big=" + long_value + ",b=2,c=" + filler + ",d=" + filler + ",e=" + filler;
  std::string cut = NormalizeTracestate(value);
  EXPECT_EQ(cut, "a=1,b=2,c=" + filler + ",d=" + filler + ",e=" + filler);
  std::string longer = cut + ",g=" + filler + ",h=" + filler + ",i=" + filler;
  std::string cut2 = NormalizeTracestate(longer);
  EXPECT_LE(cut2.size(), kMaxTracestateChars);
  EXPECT_EQ(cut2, "a=1,b=2,c=" + filler + ",d=" + filler + ",e=" + filler + ",g=" + filler);
}

TEST(TraceContextTest, ReadsTheMetaAndIgnoresWhatIsInvalid) {
  auto trace = ReadTraceContext({{"traceparent", kTraceparent}, {"tracestate", "congo=t61rcWkgMzE"}});
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->tracestate, "congo=t61rcWkgMzE");
  EXPECT_FALSE(ReadTraceContext(mcp::Json::object()));
  EXPECT_FALSE(ReadTraceContext(mcp::Json()));
  EXPECT_FALSE(ReadTraceContext({{"tracestate", "congo=t61rcWkgMzE"}})) << "tracestate alone";
  EXPECT_FALSE(ReadTraceContext({{"traceparent", 1}}));
  EXPECT_FALSE(
      ReadTraceContext({{"traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"}}));
  auto bad_state = ReadTraceContext({{"traceparent", kTraceparent}, {"tracestate", "Bad"}});
  ASSERT_TRUE(bad_state);
  EXPECT_EQ(bad_state->tracestate, "");
  auto state_not_string = ReadTraceContext({{"traceparent", kTraceparent}, {"tracestate", {1}}});
  ASSERT_TRUE(state_not_string);
  EXPECT_EQ(state_not_string->tracestate, "");
}

TEST(TraceContextTest, ClientContextCarriesBothAndDropsWhatDoesNotFit) {
  auto trace = ReadTraceContext({{"traceparent", kTraceparent}, {"tracestate", "congo=t61rcWkgMzE"}});
  ASSERT_TRUE(trace);
  std::string full = ClientContextJson(*trace, 3583);
  EXPECT_EQ(mcp::Json::parse(full),
            (mcp::Json{{"custom", {{"traceparent", kTraceparent}, {"tracestate", "congo=t61rcWkgMzE"}}}}));
  std::string without_state = mcp::Json{{"custom", {{"traceparent", kTraceparent}}}}.dump();
  std::size_t limit = Base64Encode(without_state).size();
  EXPECT_EQ(ClientContextJson(*trace, limit), without_state);
  EXPECT_EQ(ClientContextJson(*trace, limit - 1), "");
  // Even a 512-character tracestate that JSON doubles in size fits Lambda's limit.
  trace->tracestate = "k=" + std::string(kMaxTracestateChars - 2, '"');
  std::string largest = ClientContextJson(*trace, 3583);
  EXPECT_EQ(mcp::Json::parse(largest)["custom"]["tracestate"], trace->tracestate);
  EXPECT_LE(Base64Encode(largest).size(), 3583u);
}

}  // namespace
}  // namespace lmcp::catalog
