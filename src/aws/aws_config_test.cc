#include "aws/aws_config.h"

#include <gtest/gtest.h>

#include "tests/support/aws/test_util.h"

namespace lmcp::aws {
namespace {

using testing::MapEnv;
using testing::ScratchDir;

constexpr char kConfig[] =
    "[default]\nregion = eu-west-1\n"
    "[profile dev]\nregion = ap-south-1\nservices = local\n"
    "[profile direct]\nendpoint_url = http://direct:1\n"
    "[profile ignoring]\nendpoint_url = http://direct:1\nignore_configured_endpoint_urls = true\n"
    "[services local]\nlambda =\n  endpoint_url = http://127.0.0.1:9000/\n"
    "resource_groups_tagging_api =\n  endpoint_url = http://127.0.0.1:9002\n";

TEST(ProfileConfig, LoadsFilesFromEnvironmentPaths) {
  ScratchDir dir;
  std::string config = dir.Write("config", kConfig);
  std::string creds = dir.Write("credentials", "[dev]\naws_access_key_id = AK\nregion = us-east-2\n");
  auto c = ProfileConfig::Load(
      MapEnv({{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", creds}, {"AWS_PROFILE", "dev"}}));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->profile(), "dev");
  EXPECT_EQ(*c->Get("aws_access_key_id"), "AK");
  EXPECT_EQ(*c->Get("region"), "us-east-2");  // credentials file wins
}

TEST(ProfileConfig, MissingFilesAreNotAnError) {
  auto c = ProfileConfig::Load(
      MapEnv({{"AWS_CONFIG_FILE", "/nonexistent/c"}, {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/k"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->profile(), "default");
  EXPECT_FALSE(c->HasProfile("default"));
}

TEST(ProfileConfig, MissingNamedProfileIsAClearError) {
  auto c = ProfileConfig::Load(MapEnv({{"AWS_CONFIG_FILE", "/nonexistent/c"},
                                       {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/k"},
                                       {"AWS_PROFILE", "prod"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(c.error().message, "The config profile (prod) could not be found");
  auto empty = ProfileConfig::Load(MapEnv({{"AWS_CONFIG_FILE", "/nonexistent/c"}, {"AWS_PROFILE", ""}}));
  EXPECT_FALSE(empty.ok());
  auto explicit_missing = ProfileConfig::Load(MapEnv({{"AWS_CONFIG_FILE", "/nonexistent/c"}}), "x");
  EXPECT_FALSE(explicit_missing.ok());
}

TEST(ProfileConfig, DefaultProfileSectionForms) {
  auto a = ProfileConfig::FromStrings("[profile default]\nregion = r1\n", "", "default", false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a->Get("region"), "r1");
  auto b = ProfileConfig::FromStrings("[default]\nregion = r2\n", "", "default", true);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b->Get("region"), "r2");
  auto named_plain = ProfileConfig::FromStrings("[dev]\nregion = r3\n", "", "dev", true);
  EXPECT_FALSE(named_plain.ok());  // config-file profiles other than default need "profile "
}

TEST(ProfileConfig, LegacyDefaultProfileVariableIsReadFirst) {
  ScratchDir dir;
  std::string config = dir.Write("config", kConfig);
  auto c = ProfileConfig::Load(
      MapEnv({{"AWS_CONFIG_FILE", config}, {"AWS_DEFAULT_PROFILE", "dev"}, {"AWS_PROFILE", "direct"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->profile(), "dev");
}

TEST(ExpandPath, TildeAndVariables) {
  auto env = MapEnv({{"HOME", "/home/u"}, {"X", "y"}});
  EXPECT_EQ(ExpandPath("~/.aws/config", env), "/home/u/.aws/config");
  EXPECT_EQ(ExpandPath("/a/$X/${X}/$NOPE/$", env), "/a/y/y//$");
}

TEST(Region, EnvironmentThenProfile) {
  auto config = *ProfileConfig::FromStrings(kConfig, "", "default", false);
  EXPECT_EQ(*ResolveRegion(MapEnv({{"AWS_REGION", "a"}, {"AWS_DEFAULT_REGION", "b"}}), config), "a");
  EXPECT_EQ(*ResolveRegion(MapEnv({{"AWS_DEFAULT_REGION", "b"}}), config), "b");
  EXPECT_EQ(*ResolveRegion(MapEnv({}), config), "eu-west-1");
  auto none = *ProfileConfig::FromStrings("", "", "default", false);
  auto r = ResolveRegion(MapEnv({}), none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Endpoint, DefaultHosts) {
  auto config = *ProfileConfig::FromStrings("", "", "default", false);
  auto env = MapEnv({});
  EXPECT_EQ(ResolveEndpoint(LambdaService(), "us-east-1", env, config).url,
            "https://lambda.us-east-1.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(TaggingService(), "eu-west-1", env, config).url,
            "https://tagging.eu-west-1.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(SchemasService(), "cn-north-1", env, config).url,
            "https://schemas.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(ResolveEndpoint(StsService(), "eu-west-1", env, config).url,
            "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(
      ResolveEndpoint(StsService(), "eu-west-1", MapEnv({{"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}}), config)
          .url,
      "https://sts.amazonaws.com");
  EXPECT_FALSE(ResolveEndpoint(LambdaService(), "us-east-1", env, config).custom);
}

TEST(Endpoint, OverridesInOrder) {
  auto dev = *ProfileConfig::FromStrings(kConfig, "", "dev", true);
  auto both = MapEnv({{"AWS_ENDPOINT_URL_LAMBDA", "http://svc:1/"}, {"AWS_ENDPOINT_URL", "http://all:2"}});
  EXPECT_EQ(ResolveEndpoint(LambdaService(), "r", both, dev).url, "http://svc:1");
  EXPECT_EQ(ResolveEndpoint(SchemasService(), "r", both, dev).url, "http://all:2");
  auto tagging_env = MapEnv({{"AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API", "http://tag:3"}});
  EXPECT_EQ(ResolveEndpoint(TaggingService(), "r", tagging_env, dev).url, "http://tag:3");
  EXPECT_EQ(ResolveEndpoint(LambdaService(), "r", MapEnv({}), dev).url, "http://127.0.0.1:9000");
  EXPECT_EQ(ResolveEndpoint(TaggingService(), "r", MapEnv({}), dev).url, "http://127.0.0.1:9002");
  EXPECT_EQ(ResolveEndpoint(SchemasService(), "r", MapEnv({}), dev).url, "https://schemas.r.amazonaws.com");
  auto direct = *ProfileConfig::FromStrings(kConfig, "", "direct", true);
  EXPECT_EQ(ResolveEndpoint(StsService(), "r", MapEnv({}), direct).url, "http://direct:1");
  EXPECT_EQ(ResolveEndpoint(StsService(), "r", both, direct, "http://cli:4").url, "http://cli:4");
}

TEST(Endpoint, IgnoreConfiguredEndpointUrls) {
  auto dev = *ProfileConfig::FromStrings(kConfig, "", "dev", true);
  auto env = MapEnv({{"AWS_ENDPOINT_URL", "http://all:2"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
  EXPECT_EQ(ResolveEndpoint(LambdaService(), "us-east-1", env, dev).url,
            "https://lambda.us-east-1.amazonaws.com");
  auto ignoring = *ProfileConfig::FromStrings(kConfig, "", "ignoring", true);
  EXPECT_EQ(
      ResolveEndpoint(LambdaService(), "r", MapEnv({{"AWS_ENDPOINT_URL", "http://all:2"}}), ignoring).url,
      "https://lambda.r.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(LambdaService(), "r",
                            MapEnv({{"AWS_ENDPOINT_URL", "http://all:2"},
                                    {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}}),
                            ignoring)
                .url,
            "http://all:2");
}

TEST(EndpointProblemsTest, RegionNames) {
  for (const char* ok : {"us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-4"}) {
    EXPECT_TRUE(IsRegionName(ok)) << ok;
  }
  for (const char* bad : {"us-east1", "US-EAST-1", "us_east_1", "useast", "https://lambda.us-east-1", ""}) {
    EXPECT_FALSE(IsRegionName(bad)) << bad;
  }
}

// Each misconfiguration, and what it says: the source, the value, and the fix.
TEST(EndpointProblemsTest, EachBadSettingIsNamedWithItsFix) {
  auto config = ProfileConfig::FromStrings("[profile p]\nendpoint_url = lambda.local\n", "", "p", true);
  ASSERT_TRUE(config.ok());
  auto env = MapEnv({{"AWS_ENDPOINT_URL", "localhost:4566"},
                     {"AWS_ENDPOINT_URL_LAMBDA", "ftp://127.0.0.1:21"},
                     {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:99999"}});
  auto problems = EndpointProblems(env, *config, "127.0.0.1:7300", "us-east1");
  ASSERT_EQ(problems.size(), 6u);
  EXPECT_EQ(problems[0],
            "--endpoint-url \"127.0.0.1:7300\" is not an endpoint URL: it needs http:// or https:// (e.g. "
            "http://127.0.0.1:7300)");
  EXPECT_EQ(problems[1],
            "AWS_ENDPOINT_URL \"localhost:4566\" is not an endpoint URL: it needs http:// or https:// (e.g. "
            "http://localhost:4566)");
  EXPECT_EQ(
      problems[2],
      "AWS_ENDPOINT_URL_LAMBDA \"ftp://127.0.0.1:21\" is not an endpoint URL: unsupported URL scheme: ftp "
      "(expected http://HOST[:PORT] or https://HOST)");
  EXPECT_NE(
      problems[3].find("AWS_ENDPOINT_URL_STS \"http://127.0.0.1:99999\" is not an endpoint URL: bad port"),
      std::string::npos)
      << problems[3];
  EXPECT_EQ(problems[4],
            "endpoint_url of profile p \"lambda.local\" is not an endpoint URL: it needs http:// or https:// "
            "(e.g. http://lambda.local)");
  EXPECT_EQ(
      problems[5],
      "AWS region \"us-east1\" is not a region name like us-east-1 (check AWS_REGION, AWS_DEFAULT_REGION "
      "or the profile's region)");
}

TEST(EndpointProblemsTest, GoodSettingsHaveNone) {
  auto config = ProfileConfig::FromStrings("", "", "default", false);
  ASSERT_TRUE(config.ok());
  auto env =
      MapEnv({{"AWS_ENDPOINT_URL", "http://127.0.0.1:7300/"}, {"AWS_ENDPOINT_URL_LAMBDA", "https://x.y"}});
  EXPECT_TRUE(EndpointProblems(env, *config, "", "eu-west-1").empty());
}

}  // namespace
}  // namespace lmcp::aws
