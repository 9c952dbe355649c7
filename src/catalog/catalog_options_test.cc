#include "catalog/catalog_options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace lmcp::catalog {
namespace {

CatalogOptions LoadEnv(OptionValues env) {
  auto r = LoadCatalogOptions({.env = std::move(env)});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : CatalogOptions{};
}

TEST(CatalogOptionsTest, FunctionListIsTrimmedAndEmptiesDropped) {
  auto o = LoadEnv({{"FUNCTION_LIST", "customer-id-from-email, 2fa-verify ,,"}});
  ASSERT_EQ(o.targets[0].selection.function_list.size(), 2u);
  EXPECT_EQ(o.targets[0].selection.function_list[0].name, "customer-id-from-email");
  EXPECT_EQ(o.targets[0].selection.function_list[1].name, "2fa-verify");
}

TEST(CatalogOptionsTest, FunctionListAcceptsArnsAndQualifiers) {
  auto o = LoadEnv({{"FUNCTION_LIST",
                     "arn:aws:lambda:us-east-1:123456789012:function:mcp-echo,a:prod,"
                     "123456789012:function:b:7,arn:aws:lambda:eu-west-1:123456789012:function:c:live"}});
  ASSERT_EQ(o.targets[0].selection.function_list.size(), 4u);
  EXPECT_EQ(o.targets[0].selection.function_list[0].name, "mcp-echo");
  EXPECT_EQ(o.targets[0].selection.function_list[0].region, "us-east-1");
  EXPECT_TRUE(o.targets[0].selection.function_list[0].qualifier.empty());
  EXPECT_EQ(o.targets[0].selection.function_list[1].name, "a");
  EXPECT_EQ(o.targets[0].selection.function_list[1].qualifier, "prod");
  EXPECT_EQ(o.targets[0].selection.function_list[2].name, "b");
  EXPECT_EQ(o.targets[0].selection.function_list[2].account, "123456789012");
  EXPECT_EQ(o.targets[0].selection.function_list[2].qualifier, "7");
  EXPECT_EQ(o.targets[0].selection.function_list[3].region, "eu-west-1");
  EXPECT_EQ(o.targets[0].selection.function_list[3].qualifier, "live");
}

TEST(CatalogOptionsTest, LeastPrivilegeByDefault) {
  auto o = LoadEnv({});
  EXPECT_FALSE(o.targets[0].selection.has_selection());
  ASSERT_EQ(o.warnings.size(), 1u);
  EXPECT_NE(o.warnings[0].find("FUNCTION_ALLOW_ALL"), std::string::npos);
  auto all = LoadEnv({{"FUNCTION_ALLOW_ALL", "true"}});
  EXPECT_TRUE(all.targets[0].selection.has_selection());
  EXPECT_TRUE(all.warnings.empty());
}

TEST(CatalogOptionsTest, HalfTagFilterWarnsLikeReference) {
  auto o = LoadEnv({{"FUNCTION_TAG_KEY", "mcp"}});
  EXPECT_TRUE(o.targets[0].selection.half_tag_filter());
  ASSERT_EQ(o.warnings.size(), 1u);
  EXPECT_EQ(o.warnings[0], "Both FUNCTION_TAG_KEY and FUNCTION_TAG_VALUE must be set to filter by tag.");
}

TEST(CatalogOptionsTest, FlagsOverEnvOverFile) {
  OptionSources s;
  s.file = {{"function_prefix", "file-"}, {"FUNCTION_TAG_KEY", "k"}, {"function-tag-value", "v"}};
  s.env = {{"FUNCTION_PREFIX", "env-"}, {"FUNCTION_TAG_KEY", "ek"}};
  s.flags = {{"FUNCTION_PREFIX", "flag-"}};
  auto r = LoadCatalogOptions(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->targets[0].selection.function_prefix, "flag-");
  EXPECT_EQ(r->targets[0].selection.tag_key, "ek");
  EXPECT_EQ(r->targets[0].selection.tag_value, "v");
}

TEST(CatalogOptionsTest, EveryProblemReportedAtOnce) {
  auto r = LoadCatalogOptions({.env = {{"FUNCTION_ALLOW_ALL", "maybe"},
                                       {"LAMBDA_MCP_REFRESH_SECONDS", "soon"},
                                       {"LAMBDA_MCP_COMPAT", "python"},
                                       {"FUNCTION_LIST", "ok,bad name,a:1,a:2"},
                                       {"FUNCTION_QUALIFIER", "no/slash"}}});
  ASSERT_FALSE(r.ok());
  const std::string& m = r.error().message;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(m.find("6 problems"), std::string::npos) << m;
  for (const char* key : {"FUNCTION_ALLOW_ALL", "LAMBDA_MCP_REFRESH_SECONDS", "LAMBDA_MCP_COMPAT",
                          "\"bad name\"", "two different qualifiers", "FUNCTION_QUALIFIER"}) {
    EXPECT_NE(m.find(key), std::string::npos) << key << " missing from " << m;
  }
}

TEST(CatalogOptionsTest, CompatAndNumbers) {
  auto o = LoadEnv({{"LAMBDA_MCP_COMPAT", "Reference"},
                    {"LAMBDA_MCP_REFRESH_SECONDS", "0"},
                    {"LAMBDA_MCP_MAX_CONCURRENCY_PER_FUNCTION", "4"},
                    {"FUNCTION_PREFIX", "x"}});
  EXPECT_EQ(o.compat, CompatMode::kReference);
  EXPECT_EQ(o.refresh_interval.count(), 0);
  EXPECT_EQ(o.max_concurrency_per_function, 4);
}

}  // namespace
}  // namespace lmcp::catalog

namespace lmcp::catalog {
namespace {

// docs/config.md documents every option (it is generated from the same table; this keeps them in step).
TEST(CatalogOptionsTest, EveryOptionIsDocumented) {
  std::ifstream in(std::string(LMCP_SOURCE_DIR) + "/docs/config.md");
  ASSERT_TRUE(in.good());
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& spec : CatalogOptionSpecs()) {
    EXPECT_NE(doc.find(std::string("`") + spec.key + "`"), std::string::npos) << spec.key;
    EXPECT_NE(doc.find(std::string("`--") + spec.flag + "`"), std::string::npos) << spec.flag;
  }
}

}  // namespace
}  // namespace lmcp::catalog

namespace lmcp::catalog {
namespace {

TEST(UnknownVariableWarningsTest, NamesTheMisspeltVariableAndTheOneMeant) {
  auto w = UnknownVariableWarnings({"PATH", "FUNCTION_PREFX", "LAMBDA_MCP_MAX_RESULT_BYTE", "FUNCTION_PREFIX",
                                    "LAMBDA_MCP_STATE", "LAMBDA_MCP_ZZZZZZZZZZZZZZZZZZZZ", "AWS_REGON"});
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0],
            "FUNCTION_PREFX is not a lambda-mcp variable and is ignored; did you mean FUNCTION_PREFIX?");
  EXPECT_EQ(w[1],
            "LAMBDA_MCP_MAX_RESULT_BYTE is not a lambda-mcp variable and is ignored; did you mean "
            "LAMBDA_MCP_MAX_RESULT_BYTES?");
  EXPECT_EQ(
      w[2],
      "LAMBDA_MCP_ZZZZZZZZZZZZZZZZZZZZ is not a lambda-mcp variable and is ignored (docs/config.md lists "
      "them)");
}

}  // namespace
}  // namespace lmcp::catalog
