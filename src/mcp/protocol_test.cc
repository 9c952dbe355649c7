#include "mcp/protocol.h"

#include <gtest/gtest.h>

namespace lmcp::mcp {
namespace {

TEST(ProtocolTest, Negotiation) {
  EXPECT_EQ(NegotiateProtocolVersion("2025-06-18"), "2025-06-18");
  EXPECT_EQ(NegotiateProtocolVersion("2024-11-05"), "2024-11-05");
  EXPECT_EQ(NegotiateProtocolVersion("2024-10-07"), kLatestProtocolVersion);
  EXPECT_EQ(NegotiateProtocolVersion(""), kLatestProtocolVersion);
}

TEST(ProtocolTest, FeatureGates) {
  EXPECT_FALSE(HasAudio("2024-11-05"));
  EXPECT_TRUE(HasAudio("2025-03-26"));
  EXPECT_FALSE(HasStructuredContent("2025-03-26"));
  EXPECT_TRUE(HasStructuredContent("2025-06-18"));
  EXPECT_FALSE(HasIcons("2025-06-18"));
  EXPECT_TRUE(HasIcons("2025-11-25"));
}

TEST(ProtocolTest, CursorRoundTripAndRejectsForgeries) {
  for (size_t offset : {0ul, 1ul, 99ul, 123456ul}) {
    EXPECT_EQ(DecodeCursor(EncodeCursor(offset)), offset);
  }
  EXPECT_FALSE(DecodeCursor("").has_value());
  EXPECT_FALSE(DecodeCursor("5").has_value());
  EXPECT_FALSE(DecodeCursor("!!!").has_value());
  EXPECT_NE(EncodeCursor(5).find_first_not_of("0123456789"), std::string::npos);  // not a bare number
}

TEST(ProtocolTest, StructuredContentBecomesTextForOldClientsWithoutContent) {
  ToolResult r;
  r.structured_content = Json{{"a", 1}};
  Json old = RenderToolResult(r, "2025-03-26");
  EXPECT_FALSE(old.contains("structuredContent"));
  EXPECT_EQ(old["content"][0]["text"], R"({"a":1})");
  Json current = RenderToolResult(r, "2025-06-18");
  EXPECT_EQ(current["structuredContent"]["a"], 1);
  EXPECT_TRUE(current["content"].empty());
}

TEST(ProtocolTest, InputSchemaIsAlwaysAnObjectSchema) {
  ToolDefinition t;
  t.name = "x";
  t.input_schema = nullptr;
  EXPECT_EQ(RenderTool(t, "2025-11-25")["inputSchema"], Json::parse(R"({"type":"object"})"));
}

}  // namespace
}  // namespace lmcp::mcp
