#include "common/crypto.h"

#include <gtest/gtest.h>

namespace lmcp {
namespace {

TEST(Crypto, Sha256OfEmpty) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, HmacRfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HexEncodeIsLowerCaseAndDecodesEitherCase) {
  EXPECT_EQ(HexEncode(std::string_view("\x00\xab\xff", 3)), "00abff");
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(*HexDecode("00abFF"), std::string("\x00\xab\xff", 3));
  EXPECT_EQ(*HexDecode(""), "");
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

TEST(Crypto, HmacWithKeyLongerThanBlockRfc4231Case6) {
  EXPECT_EQ(HexEncode(HmacSha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// GCM specification, test case 14: AES-256, zero key, zero IV, 16 zero bytes.
TEST(Crypto, AeadOpensTheGcmSpecVector) {
  std::string key(32, '\0');
  std::string sealed = std::string(12, '\0') + *HexDecode("cea7403d4d606b6e074ec5d3baf39d18") +
                       *HexDecode("d0d1c8a799996bf0265b98b5d48ab919");
  auto opened = AeadOpen(key, sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, std::string(16, '\0'));
}

TEST(Crypto, AeadRoundTripsAndRefusesEveryTamper) {
  std::string key(32, 'k');
  auto sealed = AeadSeal(key, "the state", "aad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 12 + 9 + 16u);
  EXPECT_EQ(*AeadOpen(key, *sealed, "aad"), "the state");
  EXPECT_NE(*AeadSeal(key, "the state", "aad"), *sealed);  // a fresh nonce each time
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    std::string bad = *sealed;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    EXPECT_FALSE(AeadOpen(key, bad, "aad").ok()) << "byte " << i;
  }
  EXPECT_FALSE(AeadOpen(std::string(32, 'x'), *sealed, "aad").ok());
  EXPECT_FALSE(AeadOpen(key, *sealed, "other").ok());
  EXPECT_FALSE(AeadOpen(key, sealed->substr(0, 27), "aad").ok());
  EXPECT_FALSE(AeadSeal("short", "x", "").ok());
  EXPECT_EQ(RandomBytes(16)->size(), 16u);
}

TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace lmcp
