#include "common/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lmcp {
namespace {

struct Vector {
  std::string bytes, standard, url;
};

// RFC 4648 section 10, the alphabet's last two symbols, and bytes that are not text.
const std::vector<Vector> kVectors = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
    {"\xfb\xff", "+/8=", "-_8"},
    {std::string("\x00\xff\x10", 3), "AP8Q", "AP8Q"},
    {"{\"custom\":{\"k\":\"v\"}}", "eyJjdXN0b20iOnsiayI6InYifX0=", "eyJjdXN0b20iOnsiayI6InYifX0"},
};

TEST(Base64, EncodesBothAlphabetsAndDecodesEither) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(Base64Encode(v.bytes), v.standard);
    EXPECT_EQ(Base64UrlEncode(v.bytes), v.url);
    for (const std::string& text : {v.standard, v.url}) {
      auto lenient = Base64Decode(text);
      auto strict = Base64UrlDecode(text);
      ASSERT_TRUE(lenient.ok()) << text;
      ASSERT_TRUE(strict.ok()) << text;
      EXPECT_EQ(*lenient, v.bytes);
      EXPECT_EQ(*strict, v.bytes);
    }
  }
}

TEST(Base64, WhiteSpaceOnlyInTheLenientDecoder) {
  EXPECT_EQ(*Base64Decode("Zm9v\r\nYmFy\n"), "foobar");
  EXPECT_EQ(*Base64Decode(" Zg = = "), "f");
  EXPECT_FALSE(Base64UrlDecode("Zm9v Zm9v").ok());
  EXPECT_FALSE(Base64UrlDecode("Zg\n").ok());
}

TEST(Base64, BadInputIsAnErrorNamingWhatAndWhere) {
  auto bad_char = Base64Decode("ab!c");
  ASSERT_FALSE(bad_char.ok());
  EXPECT_EQ(bad_char.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad_char.error().message, "invalid base64: unexpected character at offset 2");
  EXPECT_NE(Base64Decode("Zg===").error().message.find("padding"), std::string::npos);
  const std::vector<std::string> bad = {
      "\xc3\xa9",  // non-ASCII
      "a",         // one symbol left over
      "abcde",     // the same after a full quantum
      "a=bc",      // data after padding
      "Zg=",       // incomplete padding
      "Zg===",     // too much padding
      "Zm9v=",     // padding where none belongs
  };
  for (const auto& text : bad) {
    EXPECT_FALSE(Base64Decode(text).ok()) << text;
    EXPECT_FALSE(Base64UrlDecode(text).ok()) << text;
  }
}

}  // namespace
}  // namespace lmcp
