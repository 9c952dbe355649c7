#include "mcp/protocol.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string>
#include <vector>

#include "jsonrpc/error_codes.h"

namespace lmcp::mcp {
namespace {

TEST(ProtocolTest, Negotiation) {
  EXPECT_EQ(NegotiateProtocolVersion("2025-06-18"), "2025-06-18");
  EXPECT_EQ(NegotiateProtocolVersion("2024-11-05"), "2024-11-05");
  EXPECT_EQ(NegotiateProtocolVersion("2024-10-07"), kLatestProtocolVersion);
  EXPECT_EQ(NegotiateProtocolVersion(""), kLatestProtocolVersion);
  // The stateless era is never negotiated through initialize.
  EXPECT_EQ(NegotiateProtocolVersion("2026-07-28"), kLatestProtocolVersion);
}

TEST(ProtocolTest, StatelessEra) {
  EXPECT_TRUE(IsStateless("2026-07-28"));
  for (const char* version : {"2025-11-25", "2024-11-05", "", "2099-01-01"}) {
    EXPECT_FALSE(IsStateless(version)) << version;
  }
  EXPECT_EQ(StatelessProtocolVersions(), std::vector<std::string>{"2026-07-28"});
}

TEST(ProtocolTest, FeatureGates) {
  EXPECT_FALSE(HasAudio("2024-11-05"));
  EXPECT_TRUE(HasAudio("2025-03-26"));
  EXPECT_FALSE(HasStructuredContent("2025-03-26"));
  EXPECT_TRUE(HasStructuredContent("2025-06-18"));
  EXPECT_FALSE(HasIcons("2025-06-18"));
  EXPECT_TRUE(HasIcons("2025-11-25"));
}

// Every gate for every revision, as the spec's changelogs have them.
TEST(ProtocolTest, RevisionTable) {
  struct Row {
    const char* version;
    bool batches, audio, annotations, progress_message, structured, resource_links, icons;
  };
  const Row rows[] = {
      {"2026-07-28", false, true, true, true, true, true, true},
      {"2025-11-25", false, true, true, true, true, true, true},
      {"2025-06-18", false, true, true, true, true, true, false},
      {"2025-03-26", true, true, true, true, false, false, false},
      {"2024-11-05", false, false, false, false, false, false, false},
  };
  ASSERT_EQ(SupportedProtocolVersions().size(), std::size(rows));
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    const Row& r = rows[i];
    EXPECT_EQ(SupportedProtocolVersions()[i], r.version);  // newest first
    EXPECT_TRUE(IsSupportedProtocolVersion(r.version));
    ASSERT_NE(FindRevision(r.version), nullptr);
    EXPECT_EQ(FindRevision(r.version)->version, r.version);
    EXPECT_EQ(AllowsBatches(r.version), r.batches) << r.version;
    EXPECT_EQ(HasAudio(r.version), r.audio) << r.version;
    EXPECT_EQ(HasToolAnnotations(r.version), r.annotations) << r.version;
    EXPECT_EQ(HasProgressMessage(r.version), r.progress_message) << r.version;
    EXPECT_EQ(HasStructuredContent(r.version), r.structured) << r.version;
    EXPECT_EQ(HasResourceLinks(r.version), r.resource_links) << r.version;
    EXPECT_EQ(HasIcons(r.version), r.icons) << r.version;
  }
  EXPECT_EQ(kLatestProtocolVersion, "2025-11-25");
}

// Before initialize, and for a string no revision has, no feature is on (no date arithmetic on strings).
TEST(ProtocolTest, UnknownVersionsHaveNoFeatures) {
  for (const char* version : {"", "2024-10-07", "2026-07-29", "2099-01-01", "garbage"}) {
    EXPECT_EQ(FindRevision(version), nullptr) << version;
    EXPECT_FALSE(IsSupportedProtocolVersion(version));
    EXPECT_FALSE(AllowsBatches(version));
    EXPECT_FALSE(HasAudio(version));
    EXPECT_FALSE(HasStructuredContent(version));
    EXPECT_FALSE(HasIcons(version));
  }
}

TEST(ProtocolTest, BatchesOnlyIn2025_03_26) {
  EXPECT_TRUE(AllowsBatches("2025-03-26"));
  EXPECT_FALSE(AllowsBatches("2024-11-05"));
  EXPECT_FALSE(AllowsBatches("2025-06-18"));
  EXPECT_FALSE(AllowsBatches("2025-11-25"));
  EXPECT_FALSE(AllowsBatches(""));
}

TEST(ProtocolTest, BatchPolicyPerVersion) {
  EXPECT_FALSE(jsonrpc::CheckBatch(2, BatchPolicyFor("2025-03-26")).has_value());
  for (const char* version : {"2025-11-25", "2025-06-18", "2024-11-05"}) {
    auto error = jsonrpc::CheckBatch(2, BatchPolicyFor(version));
    ASSERT_TRUE(error.has_value()) << version;
    EXPECT_EQ(error->code, jsonrpc::kInvalidRequest);
    EXPECT_NE(error->message.find(std::string("protocol version ") + version), std::string::npos);
  }
  EXPECT_NE(jsonrpc::CheckBatch(2, BatchPolicyFor(""))->message.find("(none yet)"), std::string::npos);
}

TEST(ProtocolTest, InitializeRequest) {
  EXPECT_TRUE(IsInitializeRequest(Json::parse(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})")));
  EXPECT_FALSE(IsInitializeRequest(Json::parse(R"({"jsonrpc":"2.0","method":"initialize"})")));
  EXPECT_FALSE(IsInitializeRequest(Json::parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")));
  EXPECT_FALSE(IsInitializeRequest(Json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})")));
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
