#include "aws/ini.h"

#include <gtest/gtest.h>

namespace lmcp::aws {
namespace {

TEST(Ini, SectionsKeysCommentsAndSubsections) {
  IniFile f = ParseIni(
      "# comment\n"
      "[default]\n"
      "region = us-west-2\r\n"
      "Output: json\n"
      "; another comment\n"
      "[profile dev]\n"
      "services = local\n"
      "  \n"
      "[services local]\n"
      "lambda =\n"
      "  endpoint_url = http://127.0.0.1:9000\n"
      "sts =\n"
      "  endpoint_url = http://127.0.0.1:9001\n"
      "[  spaced  ]\n"
      "multi = first\n"
      "  second\n");
  ASSERT_NE(f.Find("default"), nullptr);
  EXPECT_EQ(*f.Find("default")->Find("region"), "us-west-2");
  EXPECT_EQ(*f.Find("default")->Find("output"), "json");
  EXPECT_EQ(*f.Find("profile dev")->Find("services"), "local");
  const IniSection* s = f.Find("services local");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->subsections.at("lambda").at("endpoint_url"), "http://127.0.0.1:9000");
  EXPECT_EQ(s->subsections.at("sts").at("endpoint_url"), "http://127.0.0.1:9001");
  ASSERT_NE(f.Find("spaced"), nullptr);
  EXPECT_EQ(*f.Find("spaced")->Find("multi"), "first\nsecond");
}

TEST(Ini, IgnoresJunk) {
  IniFile f = ParseIni("key_before_section = x\n[a]\nno delimiter here\nk=v\n");
  EXPECT_EQ(f.sections.size(), 1u);
  EXPECT_EQ(*f.Find("a")->Find("k"), "v");
  EXPECT_EQ(f.Find("a")->Find("no delimiter here"), nullptr);
  EXPECT_TRUE(ParseIni("").sections.empty());
}

}  // namespace
}  // namespace lmcp::aws
