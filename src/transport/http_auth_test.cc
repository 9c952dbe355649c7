#include "transport/http_auth.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(*auth.Authenticate("Bearer 4f6c0e2a9d1b8c7e5a3f2d1c0b9a8e7d"), "token:static");
  EXPECT_EQ(auth.Authenticate("Bearer 4f6c0e2a9d1b8c7e5a3f2d1c0b9a8e7").error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(auth.Authenticate("").error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace lmcp::transport
