#include "catalog/result_mapping.h"

#include <gtest/gtest.h>

#include "catalog/catalog_options.h"
#include "mcp/protocol.h"

namespace lmcp::catalog {
namespace {

using Json = nlohmann::json;

ResultContext Ctx(bool compat = false, std::string version = "2025-11-25") {
  ResultContext c;
  c.tool = "echo";
  c.function = "mcp-echo";
  c.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo";
  c.protocol_version = std::move(version);
  c.compat_reference = compat;
  c.timeout_seconds = 13;
  return c;
}

InvokeResponse Payload(std::string p, std::string fe = "") {
  InvokeResponse r;
  r.payload = std::move(p);
  r.function_error = std::move(fe);
  return r;
}

TEST(ResultMappingTest, JsonObjectIsTextAndStructured) {
  auto r = MapInvokeResponse(Payload(R"({"b":1,"a":"é"})"), Ctx());
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.content[0]["text"], R"({"b":1,"a":"é"})");
  ASSERT_TRUE(r.structured_content);
  EXPECT_EQ((*r.structured_content)["a"], "é");
  auto old = MapInvokeResponse(Payload(R"({"a":1})"), Ctx(false, "2025-03-26"));
  EXPECT_FALSE(old.structured_content);
  auto arr = MapInvokeResponse(Payload("[1,2]"), Ctx());
  EXPECT_FALSE(arr.structured_content);
  EXPECT_EQ(arr.content[0]["text"], "[1,2]");
}

// Which revisions get structuredContent is mcp/protocol.h's answer, for every revision it knows: a JSON
// object result, an MCP-content result and a function error alike.
TEST(ResultMappingTest, StructuredContentFollowsTheRevisionTable) {
  for (const mcp::Revision& revision : mcp::kRevisions) {
    std::string version(revision.version);
    bool expected = revision.structured_content;
    EXPECT_EQ(MapInvokeResponse(Payload(R"({"a":1})"), Ctx(false, version)).structured_content.has_value(),
              expected)
        << version;
    auto content =
        MapInvokeResponse(Payload(R"({"content":[{"type":"text","text":"x"}],"structuredContent":{"a":1}})"),
                          Ctx(false, version));
    EXPECT_EQ(content.structured_content.has_value(), expected) << version;
    auto failed = MapInvokeResponse(Payload(R"({"errorMessage":"boom"})", "Unhandled"), Ctx(false, version));
    EXPECT_EQ(failed.structured_content.has_value(), expected) << version;
  }
  EXPECT_FALSE(MapInvokeResponse(Payload(R"({"a":1})"), Ctx(false, "")).structured_content.has_value());
}

TEST(ResultMappingTest, McpContentPassesThrough) {
  auto r = MapInvokeResponse(
      Payload(
          R"({"content":[{"type":"image","data":"iVBORw0KGgo=","mimeType":"image/png"},{"type":"text","text":"hi"}],"isError":false})"),
      Ctx());
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(r.content[0]["type"], "image");
  EXPECT_EQ(r.content[0]["mimeType"], "image/png");
}

TEST(ResultMappingTest, ApiGatewayImageAndRawBytes) {
  auto r = MapInvokeResponse(
      Payload(
          R"({"statusCode":200,"isBase64Encoded":true,"body":"iVBORw0KGgo=","headers":{"Content-Type":"image/png"}})"),
      Ctx());
  EXPECT_EQ(r.content[0]["type"], "image");
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\x00\xff", 2);
  auto raw = MapInvokeResponse(Payload(png), Ctx());
  EXPECT_EQ(raw.content[0]["type"], "image");
  EXPECT_EQ(raw.content[0]["data"], Base64Encode(png));
  auto blob = MapInvokeResponse(Payload("\x80\x81\x82\x83"), Ctx());
  EXPECT_EQ(blob.content[0]["type"], "resource");
  EXPECT_EQ(blob.content[0]["resource"]["blob"], "gIGCgw==");
  auto text = MapInvokeResponse(Payload("Non-JSON response"), Ctx());
  EXPECT_EQ(text.content[0]["text"], "Non-JSON response");
}

TEST(ResultMappingTest, TruncationIsVisible) {
  ResultContext c = Ctx();
  c.max_text_bytes = 1024;
  std::string big = "\"" + std::string(2000, 'x') + "\"";
  auto r = MapInvokeResponse(Payload(big), c);
  std::string t = r.content[0]["text"];
  EXPECT_LT(t.size(), 1200u);
  EXPECT_NE(t.find("truncated"), std::string::npos);
  // Never splits a UTF-8 sequence.
  std::string multi;
  for (int i = 0; i < 600; ++i) {
    multi += "é";
  }
  auto m = MapInvokeResponse(Payload(multi), c);
  EXPECT_TRUE(IsValidUtf8(m.content[0]["text"].get<std::string>()));
}

TEST(ResultMappingTest, FunctionErrorIsErrorWithDetails) {
  auto r = MapInvokeResponse(
      Payload(
          R"({"errorMessage":"Response payload size exceeded","errorType":"Function.ResponseSizeTooLarge","stackTrace":["a","b"]})",
          "Unhandled"),
      Ctx());
  EXPECT_TRUE(r.is_error);
  std::string t = r.content[0]["text"];
  EXPECT_NE(t.find("errorType: Function.ResponseSizeTooLarge"), std::string::npos) << t;
  EXPECT_NE(t.find("errorMessage: Response payload size exceeded"), std::string::npos) << t;
  EXPECT_NE(t.find("stackTrace:"), std::string::npos) << t;
  EXPECT_EQ((*r.structured_content)["errorType"], "Function.ResponseSizeTooLarge");
}

TEST(ResultMappingTest, CompatTextsMatchReference) {
  // reference-server.md §8, the text on the wire for the documented call.
  auto r = MapInvokeResponse(
      Payload(R"({"customerId": "12345", "note": "héllo ✓", "n": [1, 2.5, null, true]})"), Ctx(true));
  std::string expected =
      "Function mcp-echo returned: {\n  \"customerId\": \"12345\",\n  \"note\": \"h\\u00e9llo \\u2713\",\n  "
      "\"n\": "
      "[\n    1,\n    2.5,\n    null,\n    true\n  ]\n}";
  EXPECT_EQ(r.content[0]["text"], expected);
  EXPECT_EQ((*r.structured_content)["result"], expected);
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(MapInvokeResponse(Payload("Non-JSON response"), Ctx(true)).content[0]["text"],
            "Function mcp-echo returned payload: b'Non-JSON response'");
  EXPECT_EQ(MapInvokeResponse(Payload(""), Ctx(true)).content[0]["text"],
            "Function mcp-echo returned payload: b''");
  EXPECT_EQ(MapInvokeResponse(Payload("\x80\x81\x82\x83"), Ctx(true)).content[0]["text"],
            "Function mcp-echo returned payload: b'\\x80\\x81\\x82\\x83'");
  auto fe = MapInvokeResponse(Payload(R"({"errorMessage":"x"})", "Unhandled"), Ctx(true));
  EXPECT_FALSE(fe.is_error);
  EXPECT_EQ(fe.content[0]["text"], "Function mcp-echo returned with error: Unhandled");
  EXPECT_EQ(MapInvokeResponse(Payload("null"), Ctx(true)).content[0]["text"],
            "Function mcp-echo returned: null");
}

std::string DeepObject(int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) {
    out += "{\"a\":";
  }
  return out + "1" + std::string(depth, '}');
}

TEST(ResultMappingTest, OverDeepResultIsAnErrorNotAValue) {
  // Issue 12: a function returning an object 100k levels deep crashed the server.
  for (bool compat : {false, true}) {
    auto r = MapInvokeResponse(Payload(DeepObject(100'000)), Ctx(compat));
    EXPECT_TRUE(r.is_error);
    EXPECT_FALSE(r.structured_content);
    ASSERT_EQ(r.content.size(), 1u);
    EXPECT_EQ(
        r.content[0]["text"],
        "Lambda function mcp-echo ran, but its result is nested deeper than 128 levels of JSON objects and "
        "arrays, which lambda-mcp does not pass on. Return a flatter result (or that part of it as a "
        "string).");
  }
  // MCP content passing through is held to the same limit.
  auto mcp = MapInvokeResponse(
      Payload(R"({"content":[{"type":"text","text":"x","deep":)" + DeepObject(200) + "}]}"), Ctx());
  EXPECT_TRUE(mcp.is_error);
}

TEST(ResultMappingTest, ResultAtTheDepthLimitPassesThrough) {
  auto r = MapInvokeResponse(Payload(DeepObject(128)), Ctx());
  EXPECT_FALSE(r.is_error);
  ASSERT_TRUE(r.structured_content);
  EXPECT_TRUE((*r.structured_content)["a"].is_object());
}

TEST(ResultMappingTest, TruncatedTextKeepsStructuredContentWhole) {
  ResultContext c = Ctx();
  c.max_text_bytes = 1024;
  std::string big = R"({"rows":")" + std::string(2000, 'x') + R"("})";
  auto r = MapInvokeResponse(Payload(big), c);
  EXPECT_NE(r.content[0]["text"].get<std::string>().find("truncated"), std::string::npos);
  ASSERT_TRUE(r.structured_content.has_value());
  EXPECT_EQ((*r.structured_content)["rows"].get<std::string>().size(), 2000u);
}

// Parity with the reference server, which returns a 1 MiB result intact: the default cap is Lambda's own.
TEST(ResultMappingTest, DefaultCapReturnsAOneMebibyteResultIntact) {
  ResultContext c = Ctx();
  c.max_text_bytes = CatalogOptions{}.max_result_bytes;
  std::string big = "\"" + std::string(1024 * 1024, 'x') + "\"";
  auto r = MapInvokeResponse(Payload(big), c);
  EXPECT_EQ(r.content[0]["text"].get<std::string>(), big);
}

TEST(ResultMappingTest, OverDeepFunctionErrorShowsThePayloadAsText) {
  ResultContext c = Ctx();
  c.max_text_bytes = 4096;
  auto r = MapInvokeResponse(Payload(DeepObject(100'000), "Unhandled"), c);
  EXPECT_TRUE(r.is_error);
  std::string t = r.content[0]["text"];
  EXPECT_NE(t.find("failed (Unhandled error)"), std::string::npos) << t.substr(0, 200);
  EXPECT_NE(t.find("truncated"), std::string::npos);
}

TEST(ResultMappingTest, PythonBytesRepr) {
  EXPECT_EQ(PythonBytesRepr("it's"), "b\"it's\"");
  EXPECT_EQ(PythonBytesRepr("a'\"b"), "b'a\\'\"b'");
  EXPECT_EQ(PythonBytesRepr("\t\n\\\x7f"), "b'\\t\\n\\\\\\x7f'");
}

TEST(ResultMappingTest, InvokeErrorsAreActionable) {
  auto nf = MapInvokeError(Error::NotFound("ResourceNotFoundException: Function not found: arn"), Ctx());
  EXPECT_TRUE(nf.is_error);
  EXPECT_NE(nf.content[0]["text"].get<std::string>().find("was not found"), std::string::npos);
  auto denied = MapInvokeError(Error::PermissionDenied("AccessDeniedException: no"), Ctx());
  EXPECT_NE(denied.content[0]["text"].get<std::string>().find("lambda:InvokeFunction"), std::string::npos);
  auto to = MapInvokeError(Error::Timeout("read timeout"), Ctx());
  EXPECT_NE(to.content[0]["text"].get<std::string>().find("13 s"), std::string::npos);
  EXPECT_NE(to.content[0]["text"].get<std::string>().find("did not retry"), std::string::npos);
  auto thr = MapInvokeError(Error::ResourceExhausted("TooManyRequestsException: Rate exceeded"), Ctx());
  EXPECT_NE(thr.content[0]["text"].get<std::string>().find("throttled by Lambda"), std::string::npos);
  auto reserved = MapInvokeError(
      Error::ResourceExhausted("TooManyRequestsException: Rate Exceeded. (reason "
                               "ReservedFunctionConcurrentInvocationLimitExceeded) (request id r)"),
      Ctx());
  EXPECT_NE(reserved.content[0]["text"].get<std::string>().find("reserved concurrency"), std::string::npos);
  auto large = MapInvokeError(
      Error::ResourceExhausted("RequestTooLargeException: Request must be smaller than 6291456 bytes"),
      Ctx());
  EXPECT_NE(large.content[0]["text"].get<std::string>().find("is too large"), std::string::npos);
  EXPECT_EQ(large.content[0]["text"].get<std::string>().find("throttled"), std::string::npos);
  EXPECT_TRUE(IsLambdaThrottle(Error::ResourceExhausted("TooManyRequestsException: Rate exceeded")));
  EXPECT_TRUE(IsLambdaThrottle(Error::ResourceExhausted("HTTP429: HTTP status 429")));
  EXPECT_FALSE(IsLambdaThrottle(Error::ResourceExhausted("RequestTooLargeException: too large")));
  EXPECT_FALSE(IsLambdaThrottle(Error::Unavailable("TooManyRequestsException: Rate exceeded")));
  auto compat =
      MapInvokeError(Error::NotFound("ResourceNotFoundException: Function not found: arn:x"), Ctx(true));
  EXPECT_EQ(
      compat.content[0]["text"],
      "Error executing tool echo: An error occurred (ResourceNotFoundException) when calling the Invoke "
      "operation: Function not found: arn:x");
}

TEST(ResultMappingTest, Base64RoundTrip) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)).value(), s);
  }
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9llo \xe2\x9c\x93"));
}

}  // namespace
}  // namespace lmcp::catalog
