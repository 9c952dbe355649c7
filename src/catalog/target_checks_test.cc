#include "catalog/target_checks.h"

#include <gtest/gtest.h>

namespace lmcp::catalog {
namespace {

TargetOptions Target(std::string name, std::string ns) {
  TargetOptions t;
  t.name = std::move(name);
  t.tool_prefix = std::move(ns);
  t.selection.allow_all = true;
  return t;
}

std::string All(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) {
    out += p + "\n";
  }
  return out;
}

TEST(ValidateTargetsTest, TheFlatSetupAndDistinctNamespacesPass) {
  EXPECT_TRUE(ValidateTargets({TargetOptions{}}).empty());
  auto prod = Target("prod", "prod_");
  prod.region = "eu-west-1";
  prod.credentials.kind = CredentialOptions::Kind::kAssumeRole;
  prod.credentials.role_arn = "arn:aws:iam::222222222222:role/lambda-mcp/reader";
  prod.credentials.external_id = "ext-id:1";
  auto gov = Target("gov", "gov_");
  gov.region = "us-gov-west-1";
  gov.credentials.kind = CredentialOptions::Kind::kAssumeRole;
  gov.credentials.role_arn = "arn:aws-us-gov:iam::333333333333:role/r";
  EXPECT_EQ(All(ValidateTargets({prod, gov, Target("dev", "dev_")})), "");
}

// Every problem is reported at once, each naming its target.
TEST(ValidateTargetsTest, EveryProblemNamesItsTarget) {
  auto bad = Target("Bad Name", "x y");
  bad.region = "Europe";
  bad.endpoint_url = "ftp://x";
  bad.credentials.kind = CredentialOptions::Kind::kAssumeRole;
  bad.credentials.role_arn = "arn:aws:iam::12345:user/u";
  bad.credentials.session_name = "a";
  bad.credentials.external_id = "x";
  bad.credentials.duration = std::chrono::seconds(60);
  bad.selection.tag_key = "team";
  bad.default_qualifier = "not valid!";
  bad.tools.push_back(ToolOverride{});
  auto problems = ValidateTargets({bad});
  EXPECT_EQ(problems.size(), 11u) << All(problems);
  for (const auto& p : problems) {
    EXPECT_TRUE(p.starts_with("target \"Bad Name\": ")) << p;
  }
  auto text = All(problems);
  for (const char* what :
       {"name must", "namespace", "region \"Europe\"", "endpoint_url", "role ARN", "session name",
        "external id", "duration 60", "tag filter", "default qualifier", "tool override"}) {
    EXPECT_NE(text.find(what), std::string::npos) << what << "\n" << text;
  }
  auto profile = Target("p", "");
  profile.credentials.kind = CredentialOptions::Kind::kProfile;
  EXPECT_NE(All(ValidateTargets({profile})).find("profile's name"), std::string::npos);
}

TEST(ValidateTargetsTest, DuplicateNamesAndOverlappingNamespaces) {
  auto problems = ValidateTargets({Target("a", "prod_"), Target("a", "prod_eu_"), Target("c", "dev_"),
                                   Target("d", "dev_"), Target("e", ""), Target("f", "x_")});
  auto text = All(problems);
  EXPECT_NE(text.find("target \"a\": the name is used by more than one target"), std::string::npos) << text;
  EXPECT_NE(text.find("targets \"a\" and \"a\": namespace \"prod_\" is a prefix of \"prod_eu_\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("targets \"c\" and \"d\": both use namespace \"dev_\""), std::string::npos) << text;
  // No namespace is a prefix of every namespace.
  EXPECT_NE(text.find("targets \"e\" and \"f\""), std::string::npos) << text;
  EXPECT_EQ(ValidateTargets({Target("g", ""), Target("h", "")}).size(), 1u);
}

}  // namespace
}  // namespace lmcp::catalog
