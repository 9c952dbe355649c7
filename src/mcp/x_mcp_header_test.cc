#include "mcp/x_mcp_header.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lmcp::mcp {
namespace {

using Json = nlohmann::json;

// The conformance suite's tool (http-custom-headers), trimmed: every annotated primitive, a number left
// unannotated, and a nested object reached through properties.
const char* kTool = R"({
  "type": "object",
  "properties": {
    "region": {"type": "string", "x-mcp-header": "Region"},
    "priority": {"type": "integer", "x-mcp-header": "Priority"},
    "verbose": {"type": "boolean", "x-mcp-header": "Verbose"},
    "method_val": {"type": "string", "x-mcp-header": "Method"},
    "float_val": {"type": "number"},
    "scope": {"type": "object", "properties": {"tenant": {"type": "string", "x-mcp-header": "Tenant"}}},
    "query": {"type": "string"}
  },
  "required": ["region", "priority", "query"]
})";

std::vector<HeaderParam> Params() {
  auto p = ParseHeaderParams(Json::parse(kTool));
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? p.value() : std::vector<HeaderParam>{};
}

std::string Reason(const Json& schema) {
  auto p = ParseHeaderParams(schema);
  return p.ok() ? std::string("(valid)") : p.error().message;
}

TEST(XMcpHeaderSchemaTest, ListsValidAnnotationsWithTheirPaths) {
  auto params = Params();
  ASSERT_EQ(params.size(), 5u);
  EXPECT_EQ(params[0], (HeaderParam{{"method_val"}, "Method", "string"}));
  EXPECT_EQ(params[1], (HeaderParam{{"priority"}, "Priority", "integer"}));
  EXPECT_EQ(params[2], (HeaderParam{{"region"}, "Region", "string"}));
  EXPECT_EQ(params[3], (HeaderParam{{"scope", "tenant"}, "Tenant", "string"}));
  EXPECT_EQ(params[4], (HeaderParam{{"verbose"}, "Verbose", "boolean"}));
  auto none = ParseHeaderParams(Json::parse(R"({"type":"object"})"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// The conformance suite's invalid tools (http-invalid-tool-headers), each with the reason a client drops it.
TEST(XMcpHeaderSchemaTest, RejectsWhatClientsMustReject) {
  struct Case {
    const char* schema;
    const char* reason;
  };
  const Case cases[] = {
      {R"({"type":"object","properties":{"value":{"type":"string","x-mcp-header":""}}})",
       "must not be empty"},
      {R"({"type":"object","properties":{"data":{"type":"object","x-mcp-header":"Data"}}})",
       "type is \"object\""},
      {R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"string"},"x-mcp-header":"Items"}}})",
       "type is \"array\""},
      {R"({"type":"object","properties":{"nil":{"type":"null","x-mcp-header":"Nil"}}})", "type is \"null\""},
      {R"({"type":"object","properties":{"score":{"type":"number","x-mcp-header":"Score"}}})",
       "type is \"number\""},
      {R"({"type":"object","properties":{"n":{"type":["string","null"],"x-mcp-header":"N"}}})",
       "string, integer"},
      {R"({"type":"object","properties":{"n":{"x-mcp-header":"N"}}})", "type is absent"},
      {R"({"type":"object","properties":{"field1":{"type":"string","x-mcp-header":"Region"},
                                          "field2":{"type":"string","x-mcp-header":"Region"}}})",
       "not unique"},
      {R"({"type":"object","properties":{"field1":{"type":"string","x-mcp-header":"MyField"},
                                          "field2":{"type":"string","x-mcp-header":"myfield"}}})",
       "not unique"},
      {R"({"type":"object","properties":{"value":{"type":"string","x-mcp-header":"My Region"}}})",
       "HTTP token"},
      {R"({"type":"object","properties":{"value":{"type":"string","x-mcp-header":"Region:Primary"}}})",
       "HTTP token"},
      {R"({"type":"object","properties":{"value":{"type":"string","x-mcp-header":"Région"}}})", "HTTP token"},
      {R"({"type":"object","properties":{"value":{"type":"string","x-mcp-header":"Reg\r\nion"}}})",
       "HTTP token"},
      {R"({"type":"object","properties":{"value":{"type":"string","x-mcp-header":7}}})", "must be a string"},
  };
  for (const auto& c : cases) {
    std::string reason = Reason(Json::parse(c.schema));
    EXPECT_NE(reason.find(c.reason), std::string::npos) << c.schema << " → " << reason;
  }
}

// Only a chain of `properties` reaches a header parameter: items, composition, conditionals, $ref targets,
// additionalProperties and patternProperties do not.
TEST(XMcpHeaderSchemaTest, RejectsAnnotationsNotStaticallyReachable) {
  const char* where[] = {
      R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"string","x-mcp-header":"A"}}}})",
      R"({"type":"object","properties":{"a":{"type":"array","prefixItems":[{"type":"string","x-mcp-header":"A"}]}}})",
      R"({"type":"object","anyOf":[{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}]})",
      R"({"type":"object","oneOf":[{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}]})",
      R"({"type":"object","allOf":[{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}]})",
      R"({"type":"object","not":{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}})",
      R"({"type":"object","if":{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}})",
      R"({"type":"object","then":{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}})",
      R"({"type":"object","$defs":{"a":{"type":"string","x-mcp-header":"A"}},"properties":{"a":{"$ref":"#/$defs/a"}}})",
      R"({"type":"object","additionalProperties":{"type":"string","x-mcp-header":"A"}})",
      R"({"type":"object","patternProperties":{"^a":{"type":"string","x-mcp-header":"A"}}})",
      R"({"type":"object","dependentSchemas":{"b":{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}}})",
      R"({"type":"object","x-vendor":{"deep":{"type":"string","x-mcp-header":"A"}}})",
      R"({"type":"object","x-mcp-header":"Root"})",
  };
  for (const char* s : where) {
    std::string reason = Reason(Json::parse(s));
    EXPECT_NE(reason.find("reached from the root through properties"), std::string::npos)
        << s << " → " << reason;
  }
}

// A property named x-mcp-header, and the word in data keywords, are not annotations.
TEST(XMcpHeaderSchemaTest, PropertyNamesAndDataAreNotAnnotations) {
  auto p = ParseHeaderParams(Json::parse(R"({"type":"object",
    "properties":{"x-mcp-header":{"type":"object"}},
    "default":{"x-mcp-header":"A"},"examples":[{"x-mcp-header":"B"}],
    "$defs":{"c":{"const":{"x-mcp-header":"C"},"enum":[{"x-mcp-header":"D"}]}}})"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->empty());
}

TEST(XMcpHeaderSchemaTest, RemovesOnlyTheInvalidAnnotations) {
  Json schema = Json::parse(R"({"type":"object","properties":{
      "a":{"type":"string","x-mcp-header":"Dup"},
      "b":{"type":"string","x-mcp-header":"dup","description":"kept"},
      "c":{"type":"number","x-mcp-header":"C"},
      "d":{"type":"integer","x-mcp-header":"D"},
      "e":{"type":"array","items":{"type":"string","x-mcp-header":"E"}}}})");
  Json before = schema;
  auto removed = RemoveInvalidHeaderParams(schema);
  ASSERT_EQ(removed.size(), 3u);
  EXPECT_NE(removed[0].find("/properties/b"), std::string::npos) << removed[0];
  EXPECT_NE(removed[1].find("/properties/c"), std::string::npos) << removed[1];
  EXPECT_NE(removed[2].find("/properties/e/items"), std::string::npos) << removed[2];
  EXPECT_EQ(schema["properties"]["a"], before["properties"]["a"]);
  EXPECT_EQ(schema["properties"]["d"], before["properties"]["d"]);
  EXPECT_FALSE(schema["properties"]["b"].contains("x-mcp-header"));
  EXPECT_EQ(schema["properties"]["b"]["description"], "kept");
  EXPECT_FALSE(schema["properties"]["e"]["items"].contains("x-mcp-header"));
  auto after = ParseHeaderParams(schema);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->size(), 2u);
  EXPECT_TRUE(RemoveInvalidHeaderParams(schema).empty());
}

TEST(XMcpHeaderValueTest, DecodesPlainAndSentinelValues) {
  // The spec's encoding table.
  EXPECT_EQ(DecodeHeaderValue("us-west1").value(), "us-west1");
  EXPECT_EQ(DecodeHeaderValue("=?base64?SGVsbG8sIOS4lueVjA==?=").value(), "Hello, 世界");
  EXPECT_EQ(DecodeHeaderValue("=?base64?IHBhZGRlZCA=?=").value(), " padded ");
  EXPECT_EQ(DecodeHeaderValue("=?base64?bGluZTEKbGluZTI=?=").value(), "line1\nline2");
  EXPECT_EQ(DecodeHeaderValue("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=").value(), "=?base64?literal?=");
  EXPECT_EQ(DecodeHeaderValue("=?base64?"
                              "?=")
                .value(),
            "");
  // Optional white space around a field value is not part of it; inside it is.
  EXPECT_EQ(DecodeHeaderValue("  a b\t").value(), "a b");
  EXPECT_EQ(DecodeHeaderValue("\t=?base64?SGVsbG8=?= ").value(), "Hello");
  // Without both markers the value is literal (conformance: ServerLiteralMissingBase64Prefix/Suffix).
  EXPECT_EQ(DecodeHeaderValue("SGVsbG8=").value(), "SGVsbG8=");
  EXPECT_EQ(DecodeHeaderValue("=?base64?SGVsbG8=").value(), "=?base64?SGVsbG8=");
  EXPECT_EQ(DecodeHeaderValue("SGVsbG8=?=").value(), "SGVsbG8=?=");
  EXPECT_EQ(DecodeHeaderValue("=?BASE64?SGVsbG8=?=").value(), "=?BASE64?SGVsbG8=?=");
}

TEST(XMcpHeaderValueTest, RejectsInvalidValues) {
  for (const char* bad : {
           "=?base64?SGVsbG8?=",      // missing padding (ServerRejectsInvalidBase64Padding)
           "=?base64?SGVs!!!bG8=?=",  // not the alphabet (ServerRejectsInvalidBase64Chars)
           "=?base64?SGVsbG8===?=",   // too much padding
           "=?base64?SGV=sbG8?=",     // padding inside
           "=?base64?SGVsbG9=?=",     // non-canonical: the unused bits are set
           "=?base64?SGVs bG8=?=",    // white space inside
           "=?base64?SGVsbG8-?=",     // URL-safe alphabet
       }) {
    EXPECT_FALSE(DecodeHeaderValue(bad).ok()) << bad;
  }
  for (std::string bad : {std::string("a\nb"), std::string("a\rb"), std::string("a\x01"),
                          std::string("caf\xc3\xa9"), std::string("a\x7f"), std::string("a\0b", 3)}) {
    auto r = DecodeHeaderValue(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("not allowed"), std::string::npos);
  }
}

Status Check(const char* arguments, const HeaderList& headers) {
  return CheckHeaderParams(Params(), Json::parse(arguments), headers);
}

std::string Why(const Status& s) { return s.ok() ? std::string("(ok)") : s.error().message; }

TEST(XMcpHeaderCallTest, AcceptsMatchingHeaders) {
  EXPECT_TRUE(
      Check(R"({"region":"us-west1","priority":42,"verbose":false,"query":"q"})",
            {{"Mcp-Param-Region", "us-west1"}, {"mcp-param-priority", "42"}, {"MCP-PARAM-VERBOSE", "false"}})
          .ok());
  // Absent and null values need no header; unannotated Mcp-Param-* headers and other headers are ignored.
  EXPECT_TRUE(
      Check(R"({"region":null,"query":"q"})", {{"Mcp-Param-Query", "q"}, {"Mcp-Method", "tools/call"}}).ok());
  EXPECT_TRUE(Check(R"({})", {}).ok());
  // Nested values; Base64 values; integers compare numerically.
  EXPECT_TRUE(Check(R"({"scope":{"tenant":"Hello"},"priority":-7})",
                    {{"Mcp-Param-Tenant", "=?base64?SGVsbG8=?="}, {"Mcp-Param-Priority", "-7"}})
                  .ok());
  EXPECT_TRUE(Check(R"({"priority":42})", {{"Mcp-Param-Priority", "42.0"}}).ok());
  EXPECT_TRUE(Check(R"({"priority":42})", {{"Mcp-Param-Priority", "4.2e1"}}).ok());
  EXPECT_TRUE(Check(R"({"priority":42.0})", {{"Mcp-Param-Priority", "42"}}).ok());
  EXPECT_TRUE(Check(R"({"priority":9007199254740991})", {{"Mcp-Param-Priority", "9007199254740991"}}).ok());
  // A header named "Method" is Mcp-Param-Method, not Mcp-Method.
  EXPECT_TRUE(Check(R"({"method_val":"x"})", {{"Mcp-Param-Method", "x"}, {"Mcp-Method", "tools/call"}}).ok());
  // The literal fallbacks the conformance suite sends.
  EXPECT_TRUE(Check(R"({"region":"SGVsbG8="})", {{"Mcp-Param-Region", "SGVsbG8="}}).ok());
  EXPECT_TRUE(Check(R"({"region":"=?base64?SGVsbG8="})", {{"Mcp-Param-Region", "=?base64?SGVsbG8="}}).ok());
}

TEST(XMcpHeaderCallTest, RejectsMismatches) {
  struct Case {
    const char* arguments;
    HeaderList headers;
    const char* reason;
  };
  const Case cases[] = {
      // ServerRejectsMissingCustomHeader: the value is in the body, the header is not.
      {R"({"region":"test-value"})", {}, "Mcp-Param-Region is missing"},
      {R"({"scope":{"tenant":"t"}})", {}, "Mcp-Param-Tenant is missing but parameter scope.tenant"},
      {R"({"verbose":false})", {}, "Mcp-Param-Verbose is missing"},
      // A header without a value behind it.
      {R"({})", {{"Mcp-Param-Region", "us-west1"}}, "present but parameter region has no value"},
      {R"({"region":null})", {{"Mcp-Param-Region", "us-west1"}}, "has no value"},
      {R"({"scope":"flat"})", {{"Mcp-Param-Tenant", "t"}}, "has no value"},
      // Values that differ.
      {R"({"region":"us-west1"})", {{"Mcp-Param-Region", "us-east1"}}, "does not match parameter region"},
      {R"({"region":"us-west1"})", {{"Mcp-Param-Region", "US-WEST1"}}, "does not match"},
      {R"({"region":"Hello"})", {{"Mcp-Param-Region", "=?base64?SGVsbG8?="}}, "not padded standard Base64"},
      {R"({"region":"Hello"})",
       {{"Mcp-Param-Region", "=?base64?SGVs!!!bG8=?="}},
       "not padded standard Base64"},
      {R"({"region":"a"})", {{"Mcp-Param-Region", "a\nb"}}, "not allowed"},
      {R"({"priority":42})", {{"Mcp-Param-Priority", "43"}}, "does not match"},
      {R"({"priority":42})", {{"Mcp-Param-Priority", "42abc"}}, "does not match"},
      {R"({"priority":42})", {{"Mcp-Param-Priority", "0x2a"}}, "does not match"},
      {R"({"priority":42})", {{"Mcp-Param-Priority", "+42"}}, "does not match"},
      {R"({"priority":42})", {{"Mcp-Param-Priority", ""}}, "does not match"},
      {R"({"priority":9007199254740992})",
       {{"Mcp-Param-Priority", "9007199254740992"}},
       "outside the integer range"},
      {R"({"verbose":true})", {{"Mcp-Param-Verbose", "True"}}, "does not match"},
      {R"({"verbose":true})", {{"Mcp-Param-Verbose", "1"}}, "does not match"},
      {R"({"region":{"a":1}})", {{"Mcp-Param-Region", "x"}}, "cannot be mirrored"},
      {R"({"region":{"a":1}})", {}, "is missing"},
      // One header twice is ambiguous.
      {R"({"region":"a"})", {{"Mcp-Param-Region", "a"}, {"mcp-param-region", "a"}}, "more than once"},
  };
  for (const auto& c : cases) {
    auto s = Check(c.arguments, c.headers);
    EXPECT_NE(Why(s).find(c.reason), std::string::npos) << c.arguments << " → " << Why(s);
    if (!s.ok()) {
      EXPECT_EQ(s.error().message.rfind("Header mismatch: ", 0), 0u) << s.error().message;
    }
  }
}

TEST(XMcpHeaderCallTest, ReasonsNeverCarryValues) {
  auto s = Check(R"({"region":"secret-value-1"})", {{"Mcp-Param-Region", "secret-value-2"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.find("secret"), std::string::npos) << s.error().message;
}

TEST(XMcpHeaderCallTest, McpNameHeader) {
  std::string plain = "get_weather";
  std::string padded = "  get_weather\t";
  std::string encoded = "=?base64?Z2V0X3dlYXRoZXI=?=";
  std::string wrong = "wrong_tool_name";
  std::string bad = "=?base64?Z2V0X3dlYXRoZXI?=";
  EXPECT_TRUE(CheckMcpNameHeader(&plain, "get_weather").ok());
  EXPECT_TRUE(CheckMcpNameHeader(&padded, "get_weather").ok());
  EXPECT_TRUE(CheckMcpNameHeader(&encoded, "get_weather").ok());
  std::string unicode = "=?base64?5aSp5rCX?=";
  EXPECT_TRUE(CheckMcpNameHeader(&unicode, "天気").ok());
  EXPECT_NE(Why(CheckMcpNameHeader(nullptr, "get_weather")).find("missing"), std::string::npos);
  EXPECT_NE(Why(CheckMcpNameHeader(&wrong, "get_weather")).find("does not match"), std::string::npos);
  EXPECT_NE(Why(CheckMcpNameHeader(&bad, "get_weather")).find("Base64"), std::string::npos);
  EXPECT_FALSE(CheckMcpNameHeader(&plain, "Get_Weather").ok());  // values are case-sensitive
}

}  // namespace
}  // namespace lmcp::mcp
