#include "jsonrpc/batch.h"

#include <gtest/gtest.h>

#include "jsonrpc/error_codes.h"

namespace lmcp::jsonrpc {
namespace {

const BatchPolicy kAllowed{.allowed = true, .protocol_version = "2025-03-26"};

TEST(BatchTest, AcceptsUpToTheCap) {
  EXPECT_FALSE(CheckBatch(1, kAllowed).has_value());
  EXPECT_FALSE(CheckBatch(kMaxBatchLength, kAllowed).has_value());
  EXPECT_FALSE(CheckBatchSize(1).has_value());
  EXPECT_FALSE(CheckBatchSize(kMaxBatchLength).has_value());
}

TEST(BatchTest, RefusesOneMoreThanTheCap) {
  for (const auto& error : {CheckBatch(kMaxBatchLength + 1, kAllowed), CheckBatchSize(kMaxBatchLength + 1)}) {
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, kInvalidRequest);
    EXPECT_EQ(error->message, "Invalid Request: a batch may hold at most 64 messages; this one has 65");
  }
}

TEST(BatchTest, RefusesEmptyBatches) {
  for (const auto& error : {CheckBatch(0, kAllowed), CheckBatchSize(0), CheckBatch(0, BatchPolicy{})}) {
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, kInvalidRequest);
    EXPECT_EQ(error->message, "Invalid Request: empty batch");
  }
}

TEST(BatchTest, RefusesBatchesWherePolicyHasNone) {
  auto error = CheckBatch(2, {.allowed = false, .protocol_version = "2025-11-25"});
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, kInvalidRequest);
  EXPECT_EQ(
      error->message,
      "Invalid Request: JSON-RPC batches are not supported in protocol version 2025-11-25; send one message "
      "at a time");
  EXPECT_NE(CheckBatch(2, BatchPolicy{})->message.find("(none yet)"), std::string::npos);
}

// Empty first, then the revision, then the length: an over-long batch where batches are not allowed is told
// that batches are not allowed (the stdio answer since batches were capped).
TEST(BatchTest, ChecksInOrderEmptyThenRevisionThenLength) {
  auto error = CheckBatch(kMaxBatchLength + 1, {.allowed = false, .protocol_version = "2025-06-18"});
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("not supported"), std::string::npos);
  // The size rules alone do not know the revision.
  EXPECT_FALSE(CheckBatchSize(2).has_value());
}

}  // namespace
}  // namespace lmcp::jsonrpc
