#include "transport/http_auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace lmcp::transport {
namespace {

std::string RandomToken(std::mt19937_64& rng, size_t length, std::string_view alphabet) {
  std::string out;
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  for (size_t i = 0; i < length; ++i) {
    out += alphabet[pick(rng)];
  }
  return out;
}

TEST(TokenStrengthTest, RandomTokensPass) {
  std::mt19937_64 rng(12);
  constexpr std::string_view kHex = "0123456789abcdef";
  constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < 2000; ++i) {
    std::string hex64 = RandomToken(rng, 64, kHex);  // openssl rand -hex 32
    EXPECT_GE(EstimateTokenBits(hex64), 200) << hex64;
    std::string hex32 = RandomToken(rng, 32, kHex);  // 16 random bytes: at the line, still passes
    EXPECT_GE(EstimateTokenBits(hex32), kMinTokenBits) << hex32;
    std::string b64 = RandomToken(rng, 43, kBase64Url);  // openssl rand -base64 32, url-safe
    EXPECT_GE(EstimateTokenBits(b64), 200) << b64;
  }
}

TEST(TokenStrengthTest, ObviouslyWeakTokensFail) {
  for (const char* weak :
       {"password12345678", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "abcdefghijklmnopqrstuvwxyz0123456789", "abababababababababababababababababababab",
        "0123456789012345678901234567890123456789", "my-secret-token-1", "changeme-changeme-changeme",
        "s3cr3t-t0k3n-2026", "Password!Password!Password!", "ab12ab12ab12ab12ab12ab12ab12ab12"}) {
    EXPECT_LT(EstimateTokenBits(weak), kMinTokenBits) << weak;
  }
  EXPECT_EQ(EstimateTokenBits(""), 0);
}

TEST(StaticTokenTest, ComparesTheWholeToken) {
  StaticTokenAuthenticator auth("4f6c0e2a9d1b8c7e5a3f2d1c0b9a8e7d");
  EXPECT_EQ(auth.Authenticate("Bearer 4f6c0e2a9d1b8c7e5a3f2d1c0b9a8e7d")->name, "token:static");
  EXPECT_EQ(auth.Authenticate("Bearer 4f6c0e2a9d1b8c7e5a3f2d1c0b9a8e7").error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth.Authenticate("").error().code, ErrorCode::kUnauthenticated);
}

class NamedTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lmcp-named-tokens-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& token) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << token << "\n";
    return path;
  }

  std::filesystem::path dir_;
};

constexpr const char* kAlice = "4f6c0e2a9d1b8c7e5a3f2d1c0b9a8e7d4f6c0e2a9d1b8c7e";
constexpr const char* kBob = "9a8e7d5a3f2d1c0b4f6c0e2a9d1b8c7e0b9a8e7d5a3f2d1c";

TEST_F(NamedTokensTest, EachTokenNamesItsPrincipal) {
  auto auth = NamedTokensAuthenticator::Load({{"alice", Write("a", kAlice)}, {"bob", Write("b", kBob)}},
                                             /*loopback=*/false);
  ASSERT_TRUE(auth.ok()) << auth.error().message;
  auto alice = (*auth)->Authenticate(std::string("Bearer ") + kAlice);
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->name, "token:alice");
  EXPECT_TRUE(alice->scopes.empty());
  EXPECT_TRUE(alice->claims.empty());
  EXPECT_EQ((*auth)->Authenticate(std::string("Bearer ") + kBob)->name, "token:bob");
  EXPECT_EQ((*auth)->Authenticate(std::string("Bearer ") + kBob + "x").error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ((*auth)->Authenticate("").error().code, ErrorCode::kUnauthenticated);
}

TEST_F(NamedTokensTest, ReportsEveryProblemAtOnceWithoutTheTokens) {
  auto auth = NamedTokensAuthenticator::Load({{"alice", Write("a", kAlice)},
                                              {"alice", Write("b", kBob)},
                                              {"copy", Write("c", kAlice)},
                                              {"bad name", Write("d", kBob + std::string("0"))},
                                              {"weak", Write("e", "password12345678")},
                                              {"missing", (dir_ / "nope").string()}},
                                             /*loopback=*/false);
  ASSERT_FALSE(auth.ok());
  const std::string& m = auth.error().message;
  EXPECT_NE(m.find("token alice: the name is used twice"), std::string::npos) << m;
  EXPECT_NE(m.find("token copy: the same token as alice"), std::string::npos) << m;
  EXPECT_NE(m.find("token bad name: the name must be"), std::string::npos) << m;
  EXPECT_NE(m.find("token weak: the bearer token from"), std::string::npos) << m;
  EXPECT_NE(m.find("token missing: cannot read token file"), std::string::npos) << m;
  EXPECT_EQ(m.find(kAlice), std::string::npos);
  EXPECT_EQ(m.find("password12345678"), std::string::npos);
  // On loopback a weak token is only a warning.
  EXPECT_TRUE(NamedTokensAuthenticator::Load({{"weak", Write("e", "password12345678")}}, true).ok());
  EXPECT_FALSE(NamedTokensAuthenticator::Load({}, true).ok());
}

}  // namespace
}  // namespace lmcp::transport
