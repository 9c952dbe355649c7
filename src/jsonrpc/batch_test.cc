#include "jsonrpc/batch.h"

#include <gtest/gtest.h>

#include "jsonrpc/error_codes.h"

namespace lmcp::jsonrpc {
namespace {

Json Pings(std::size_t n) {
  Json batch = Json::array();
  for (std::size_t i = 0; i < n; ++i) {
    batch.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "ping"}});
  }
  return batch;
}

TEST(BatchTest, OnlyRevision2025_03_26HasBatches) {
  EXPECT_TRUE(AllowsBatches("2025-03-26"));
  EXPECT_FALSE(AllowsBatches("2024-11-05"));
  EXPECT_FALSE(AllowsBatches("2025-06-18"));
  EXPECT_FALSE(AllowsBatches("2025-11-25"));
  EXPECT_FALSE(AllowsBatches(""));
}

TEST(BatchTest, AcceptsUpToTheCap) {
  EXPECT_FALSE(CheckBatch(Pings(1), "2025-03-26").has_value());
  EXPECT_FALSE(CheckBatch(Pings(kMaxBatchLength), "2025-03-26").has_value());
}

TEST(BatchTest, RefusesOneMoreThanTheCap) {
  auto error = CheckBatch(Pings(kMaxBatchLength + 1), "2025-03-26");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, kInvalidRequest);
  EXPECT_EQ(error->message, "Invalid Request: a batch may hold at most 64 messages; this one has 65");
}

TEST(BatchTest, RefusesEmptyBatches) {
  auto error = CheckBatch(Json::array(), "2025-03-26");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, kInvalidRequest);
  EXPECT_NE(error->message.find("empty batch"), std::string::npos);
}

TEST(BatchTest, RefusesBatchesWhereTheVersionHasNone) {
  for (const char* version : {"2025-11-25", "2025-06-18", "2024-11-05", ""}) {
    auto error = CheckBatch(Pings(2), version);
    ASSERT_TRUE(error.has_value()) << version;
    EXPECT_EQ(error->code, kInvalidRequest);
    EXPECT_NE(error->message.find("batches are not supported"), std::string::npos);
  }
  EXPECT_NE(CheckBatch(Pings(2), "")->message.find("(none yet)"), std::string::npos);
}

}  // namespace
}  // namespace lmcp::jsonrpc
