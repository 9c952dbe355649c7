#include "common/log_text.h"

#include <gtest/gtest.h>

#include <string>

namespace lmcp {
namespace {

TEST(ForLogTest, KeepsPrintableAscii) {
  EXPECT_EQ(ForLog("alice@example.com /mcp?x=1"), "alice@example.com /mcp?x=1");
}

TEST(ForLogTest, EscapesNewlineAndCarriageReturn) {
  EXPECT_EQ(ForLog("alice\n2026-01-01 [info] forged line\r"), "alice\\x0A2026-01-01 [info] forged line\\x0D");
}

TEST(ForLogTest, EscapesEscNulTabAndDel) {
  EXPECT_EQ(ForLog("\x1b[31mred"), "\\x1B[31mred");
  EXPECT_EQ(ForLog(std::string_view("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(ForLog("a\tb\x7f"), "a\\x09b\\x7F");
}

TEST(ForLogTest, BackslashIsDoubledSoEscapesCannotBeForged) { EXPECT_EQ(ForLog("\\x0A"), "\\\\x0A"); }

TEST(ForLogTest, KeepsValidMultiByteUtf8) {
  EXPECT_EQ(ForLog("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(ForLogTest, EscapesInvalidUtf8ByteByByte) {
  EXPECT_EQ(ForLog("a\xff"
                   "b"),
            "a\\xFFb");
  EXPECT_EQ(ForLog("\xc3"), "\\xC3");                             // truncated sequence
  EXPECT_EQ(ForLog("\xc0\xaf"), "\\xC0\\xAF");                    // overlong '/'
  EXPECT_EQ(ForLog("\xed\xa0\x80"), "\\xED\\xA0\\x80");           // UTF-16 surrogate
  EXPECT_EQ(ForLog("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(ForLog("\xe2\x82"
                   "A"),
            "\\xE2\\x82A");  // resynchronises on the next byte
}

TEST(ForLogTest, EscapesC1ControlsLineSeparatorsAndBidiOverrides) {
  EXPECT_EQ(ForLog("\xc2\x9b"
                   "2J"),
            "\\xC2\\x9B2J");  // U+009B CSI
  EXPECT_EQ(ForLog("a\xe2\x80\xa8"
                   "b"),
            "a\\xE2\\x80\\xA8b");  // U+2028
  EXPECT_EQ(ForLog("\xe2\x80\xae"
                   "txt"),
            "\\xE2\\x80\\xAEtxt");  // U+202E
}

TEST(ForLogTest, TruncatesWithEllipsis) {
  std::string long_text(500, 'a');
  std::string out = ForLog(long_text);
  EXPECT_EQ(out, std::string(200, 'a') + "…");
  EXPECT_EQ(ForLog("abcdef", 3), "abc…");
  EXPECT_EQ(ForLog("abc", 3), "abc");
  EXPECT_EQ(ForLog(long_text, 0), long_text);  // 0: no limit
}

TEST(ForLogTest, NeverCutsInsideAnEscapeOrACharacter) {
  EXPECT_EQ(ForLog("ab\n", 4), "ab…");  // "\x0A" would not fit
  EXPECT_EQ(ForLog("a\xe2\x82\xac", 3), "a…");
}

TEST(ForLogTest, LinesAreSplitAndEachEscaped) {
  auto lines = ForLogLines("invalid configuration (2 problems):\r\n  FUNCTION_LIST: \"a\x1b\"\n\n  x\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "invalid configuration (2 problems):");
  EXPECT_EQ(lines[1], "  FUNCTION_LIST: \"a\\x1B\"");
  EXPECT_EQ(lines[2], "  x");
  EXPECT_TRUE(ForLogLines("").empty());
}

}  // namespace
}  // namespace lmcp
