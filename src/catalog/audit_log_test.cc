#include "catalog/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace lmcp::catalog {
namespace {

namespace fs = std::filesystem;

class AuditKeyTest : public ::testing::Test {
 protected:
  AuditKeyTest() {
    std::string tmpl = (fs::temp_directory_path() / "lmcp-audit-key-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  ~AuditKeyTest() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    chmod(path.c_str(), mode);
    return path;
  }

  std::string dir_;
};

TEST_F(AuditKeyTest, GeneratedOnceWithMode0600AndReused) {
  std::string path = dir_ + "/state/lambda-mcp/audit.key";
  auto first = LoadAuditKey(path, /*create=*/true);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->size(), kAuditKeyBytes);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir_ + "/state/lambda-mcp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  auto second = LoadAuditKey(path, /*create=*/true);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(*second, *first);
  // A second deployment (another path) gets another key.
  auto other = LoadAuditKey(dir_ + "/other.key", /*create=*/true);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *first);
}

TEST_F(AuditKeyTest, ReadsAGivenHexKey) {
  std::string path = Write("k", std::string(64, 'A') + "\n", 0600);
  auto key = LoadAuditKey(path, /*create=*/false);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(*key, std::string(32, '\xaa'));
}

TEST_F(AuditKeyTest, RefusesGroupOrOtherPermissions) {
  for (mode_t mode : {0640, 0604, 0660, 0644}) {
    std::string path = Write("open.key", std::string(64, '1'), mode);
    chmod(path.c_str(), mode);
    auto key = LoadAuditKey(path, /*create=*/true);
    ASSERT_FALSE(key.ok()) << std::oct << mode;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(key.error().message.find("chmod 600"), std::string::npos) << key.error().message;
    EXPECT_NE(key.error().message.find(path), std::string::npos) << key.error().message;
  }
}

TEST_F(AuditKeyTest, RefusesTheWrongSize) {
  for (std::string text : {std::string(62, 'a'), std::string(66, 'a'), std::string(64, 'g'), std::string(),
                           std::string(32, 'x')}) {
    std::string path = Write("bad.key", text, 0600);
    auto key = LoadAuditKey(path, /*create=*/false);
    ASSERT_FALSE(key.ok()) << text;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(key.error().message.find("64 hex digits"), std::string::npos) << key.error().message;
  }
}

TEST_F(AuditKeyTest, AGivenKeyFileMustExist) {
  auto key = LoadAuditKey(dir_ + "/missing.key", /*create=*/false);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("missing.key"), std::string::npos);
}

TEST(AuditKeyPathTest, FollowsXdgStateHome) {
  EXPECT_EQ(DefaultAuditKeyPath("/state", "/home/u"), "/state/lambda-mcp/audit.key");
  EXPECT_EQ(DefaultAuditKeyPath("", "/home/u"), "/home/u/.local/state/lambda-mcp/audit.key");
  EXPECT_EQ(DefaultAuditKeyPath(nullptr, nullptr), "");
}

TEST(AuditSinkTest, HmacDependsOnTheKey) {
  MemoryAuditSink a(std::string(32, '\x01')), b(std::string(32, '\x02')), random_key;
  EXPECT_EQ(a.ArgumentsHmac("{}"), MemoryAuditSink(std::string(32, '\x01')).ArgumentsHmac("{}"));
  EXPECT_NE(a.ArgumentsHmac("{}"), b.ArgumentsHmac("{}"));
  EXPECT_NE(a.ArgumentsHmac("{}"), random_key.ArgumentsHmac("{}"));
  // RFC 4231 test case 2 (HMAC-SHA256, key "Jefe").
  MemoryAuditSink jefe("Jefe");
  EXPECT_EQ(jefe.ArgumentsHmac("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace lmcp::catalog
