#include "common/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lmcp {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lmcp-file-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(FileTest, ReadsBytesUnchanged) {
  std::string bytes("a\r\nb\0c\xff", 7);
  auto r = ReadWholeFile(Write("bin", bytes));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, bytes);
}

TEST_F(FileTest, EmptyFileIsEmptyString) {
  auto r = ReadWholeFile(Write("empty", ""));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
}

TEST_F(FileTest, MissingFileIsNotFoundNamingThePath) {
  std::string path = (dir_ / "missing").string();
  auto r = ReadWholeFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "cannot read " + path + ": No such file or directory");
}

}  // namespace
}  // namespace lmcp
