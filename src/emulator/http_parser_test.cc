#include "emulator/http_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace lmcp::emulator {
namespace {

using Event = RequestParser::Event;

struct Parsed {
  Event event = Event::kNeedMore;
  int status = 0;
  ServerRequest request;
  size_t consumed = 0;
  bool saw_head = false;
  bool expects_continue = false;
};

// Feeds `input` in pieces of `step` bytes until the request completes, fails or the input runs out.
Parsed Parse(std::string_view input, const FramingLimits& limits = {}, size_t step = 1 << 20) {
  RequestParser parser(limits);
  Parsed out;
  size_t pos = 0;
  for (;;) {
    std::string_view piece = input.substr(pos, std::min(step, input.size() - pos));
    size_t used = 0;
    out.event = parser.Feed(piece, &used);
    pos += used;
    if (out.event == Event::kHeadComplete) {
      out.saw_head = true;
      out.expects_continue = parser.expects_continue();
      continue;
    }
    if (out.event == Event::kNeedMore && pos < input.size()) {
      continue;
    }
    break;
  }
  out.consumed = pos;
  if (out.event == Event::kError) {
    out.status = parser.error_status();
  } else if (out.event == Event::kRequestComplete) {
    out.request = parser.TakeRequest();
  }
  return out;
}

int ErrorStatus(std::string_view input, const FramingLimits& limits = {}) {
  Parsed p = Parse(input, limits);
  EXPECT_EQ(p.event, Event::kError) << input.substr(0, 200);
  return p.status;
}

TEST(RequestParserTest, ParsesRequestLineAndHeaders) {
  for (size_t step : {size_t{1}, size_t{7}, size_t{1} << 20}) {
    Parsed p = Parse(
        "\r\nGET /2015-03-31/functions/?Marker=a%20b HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"
        "X-Amz-Date:  20240501T000000Z \r\n\r\n",
        {}, step);
    ASSERT_EQ(p.event, Event::kRequestComplete) << step;
    EXPECT_TRUE(p.saw_head);
    EXPECT_EQ(p.request.method, "GET");
    EXPECT_EQ(p.request.path, "/2015-03-31/functions/");
    EXPECT_EQ(p.request.query, "Marker=a%20b");
    EXPECT_EQ(p.request.version, "HTTP/1.1");
    EXPECT_EQ(HeaderValue(p.request.headers, "x-amz-date"), "20240501T000000Z");
    EXPECT_TRUE(p.request.body.empty());
  }
}

TEST(RequestParserTest, ContentLengthBodyLeavesThePipelinedRequest) {
  std::string next = "GET /b HTTP/1.1\r\n\r\n";
  std::string input = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" + next;
  Parsed p = Parse(input);
  ASSERT_EQ(p.event, Event::kRequestComplete);
  EXPECT_EQ(p.request.body, "hello");
  EXPECT_EQ(input.substr(p.consumed), next);
}

TEST(RequestParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  for (size_t step : {size_t{1}, size_t{1} << 20}) {
    Parsed p = Parse(
        "POST /a HTTP/1.1\r\nTransfer-Encoding: Chunked\r\nExpect: 100-continue\r\n\r\n"
        "5;ext=1\r\nhello\r\n000A\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
        {}, step);
    ASSERT_EQ(p.event, Event::kRequestComplete);
    EXPECT_TRUE(p.expects_continue);
    EXPECT_EQ(p.request.body, "hello0123456789");
  }
}

TEST(RequestParserTest, HugeChunkSizeIsRefusedBeforeAnyAllocation) {
  // The size that used to overflow (size + body.size() wrapped to a small number).
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n"), 413);
  EXPECT_EQ(
      ErrorStatus("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nFFFFFFFFFFFFFFFF\r\n"),
      413);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n"), 413);
  FramingLimits small;
  small.max_body_bytes = 10;
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n", small),
            413);
  EXPECT_EQ(
      Parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n4\r\nabcd\r\n0\r\n\r\n",
            small)
          .request.body,
      "abcdefabcd");
}

TEST(RequestParserTest, MalformedChunksAre400) {
  const std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(ErrorStatus(head + "zz\r\n"), 400);
  EXPECT_EQ(ErrorStatus(head + "-1\r\n"), 400);
  EXPECT_EQ(ErrorStatus(head + "\r\n"), 400);
  EXPECT_EQ(ErrorStatus(head + "3 junk\r\n"), 400);
  EXPECT_EQ(ErrorStatus(head + "3\r\nabcd\r\n"), 400);  // data longer than its size
  EXPECT_EQ(ErrorStatus(head + "1;" + std::string(2000, 'e') + "\r\n"), 400);
  EXPECT_EQ(ErrorStatus(head + "0\r\nbad trailer\r\n\r\n"), 400);
}

TEST(RequestParserTest, ContentLengthFraming) {
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n"), 413);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: " + std::to_string(kDefaultMaxBodyBytes + 1) +
                        "\r\n\r\n"),
            413);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501);
  Parsed same = Parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_EQ(same.event, Event::kRequestComplete);
  EXPECT_EQ(same.request.body, "abc");
}

TEST(RequestParserTest, HeadLimitsAre431) {
  FramingLimits limits;
  limits.max_header_count = 10;
  limits.max_header_line_bytes = 100;
  limits.max_header_bytes = 500;
  limits.max_request_line_bytes = 50;
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 11; ++i) {
    many += "X-" + std::to_string(i) + ": v\r\n";
  }
  EXPECT_EQ(ErrorStatus(many + "\r\n", limits), 431);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nX-Long: " + std::string(200, 'a'), limits), 431);
  std::string big = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 8; ++i) {
    big += "X-" + std::to_string(i) + ": " + std::string(80, 'a') + "\r\n";
  }
  EXPECT_EQ(ErrorStatus(big, limits), 431);
  EXPECT_EQ(ErrorStatus("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n", limits), 414);
  EXPECT_EQ(ErrorStatus(std::string(600, '\n'), limits), 431);  // blank lines count too
  // Trailers count toward the same limits.
  std::string trailers = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 11; ++i) {
    trailers += "T" + std::to_string(i) + ": v\r\n";
  }
  EXPECT_EQ(ErrorStatus(trailers, limits), 431);
}

TEST(RequestParserTest, MalformedHeadsAre400) {
  EXPECT_EQ(ErrorStatus("GET /\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET  / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/2.0\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("G(T / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nNo colon\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nX : a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"), 400);
  static constexpr char kNul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
  EXPECT_EQ(ErrorStatus(std::string(kNul, sizeof kNul - 1)), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
}

TEST(RequestParserTest, NextRequestAfterTake) {
  RequestParser parser{FramingLimits{}};
  size_t used = 0;
  ASSERT_EQ(parser.Feed("GET /a HTTP/1.1\r\n\r\n", &used), Event::kHeadComplete);
  ASSERT_EQ(parser.Feed("", &used), Event::kRequestComplete);
  EXPECT_EQ(parser.TakeRequest().path, "/a");
  EXPECT_FALSE(parser.started());
  EXPECT_TRUE(parser.in_head());
  ASSERT_EQ(parser.Feed("GET /b HTTP/1.0\r\n\r\n", &used), Event::kHeadComplete);
  ASSERT_EQ(parser.Feed("", &used), Event::kRequestComplete);
  EXPECT_EQ(parser.TakeRequest().version, "HTTP/1.0");
}

}  // namespace
}  // namespace lmcp::emulator
