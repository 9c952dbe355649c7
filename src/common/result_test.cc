#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace lmcp {
namespace {

Result<int> Half(int x) {
  if (x % 2) {
    return Error::InvalidArgument("odd");
  }
  return x / 2;
}

TEST(ResultTest, HoldsValueOrError) {
  auto r = Half(4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
  auto e = Half(3);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.error().ToString(), "InvalidArgument: odd");
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, StatusOkAndError) {
  Status ok = Ok();
  EXPECT_TRUE(ok.ok());
  Status bad = Error::Timeout("slow");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kTimeout);
}

}  // namespace
}  // namespace lmcp
