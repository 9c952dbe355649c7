#include "emulator/service_routes.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "emulator/template.h"
#include "tests/support/common/fake_clock.h"

namespace lmcp::emulator {
namespace {

PathCaptures Match(std::string_view pattern, std::string_view path, bool* matched) {
  PathCaptures captures;
  *matched = MatchPathPattern(pattern, path, &captures);
  return captures;
}

TEST(MatchPathPatternTest, LiteralsMatchWholePathsOnly) {
  bool matched = false;
  EXPECT_TRUE(Match("/2015-03-31/functions", "/2015-03-31/functions", &matched).empty());
  EXPECT_TRUE(matched);
  Match("/2015-03-31/functions", "/2015-03-31/functions/", &matched);
  EXPECT_FALSE(matched);
  Match("/2015-03-31/functions/", "/2015-03-31/functions", &matched);
  EXPECT_FALSE(matched);
}

TEST(MatchPathPatternTest, SegmentCaptureHasNoSlashAndMayBeEmpty) {
  bool matched = false;
  EXPECT_EQ(Match("/f/{name}", "/f/a%3Ab", &matched), (PathCaptures{{"name", "a%3Ab"}}));
  EXPECT_TRUE(matched);
  EXPECT_EQ(Match("/f/{name}", "/f/", &matched), (PathCaptures{{"name", ""}}));
  EXPECT_TRUE(matched);
  Match("/f/{name}", "/f/a/b", &matched);
  EXPECT_FALSE(matched);
}

TEST(MatchPathPatternTest, GreedyCaptureRunsToTheTailAndMayHoldSlashes) {
  const char* invoke = "/fn/{name+}/invocations";
  bool matched = false;
  EXPECT_EQ(Match(invoke, "/fn/a/invocations/invocations", &matched),
            (PathCaptures{{"name", "a/invocations"}}));
  EXPECT_TRUE(matched);
  EXPECT_EQ(Match(invoke, "/fn/a/b/invocations", &matched), (PathCaptures{{"name", "a/b"}}));
  EXPECT_TRUE(matched);
  Match(invoke, "/fn//invocations", &matched);  // `+` is never empty
  EXPECT_FALSE(matched);
  Match(invoke, "/fn/invocations", &matched);  // the tail may not overlap the literal before the capture
  EXPECT_FALSE(matched);
  Match(invoke, "/fn/a", &matched);
  EXPECT_FALSE(matched);
  EXPECT_EQ(Match("/tags/{resource*}", "/tags/", &matched), (PathCaptures{{"resource", ""}}));
  EXPECT_TRUE(matched);
  EXPECT_EQ(Match("{path*}", "", &matched), (PathCaptures{{"path", ""}}));
  EXPECT_TRUE(matched);
}

TEST(MatchPathPatternTest, CaptureBeforeInnerLiteralEndsAtItsFirstOccurrence) {
  const char* schema = "/v1/registries/name/{registry*}/schemas/name/{schema}";
  bool matched = false;
  EXPECT_EQ(Match(schema, "/v1/registries/name/a/b/schemas/name/x", &matched),
            (PathCaptures{{"registry", "a/b"}, {"schema", "x"}}));
  EXPECT_TRUE(matched);
  EXPECT_EQ(Match(schema, "/v1/registries/name//schemas/name/", &matched),
            (PathCaptures{{"registry", ""}, {"schema", ""}}));
  EXPECT_TRUE(matched);
  // The first "/schemas/name/" ends the registry, so the schema would hold a slash.
  Match(schema, "/v1/registries/name/r/schemas/name/a/schemas/name/b", &matched);
  EXPECT_FALSE(matched);
  Match(schema, "/v1/registries/name/r", &matched);
  EXPECT_FALSE(matched);
}

// Which operation each request reaches: the route table through LocalService::Handle, counted per operation.
class RouteTableTest : public ::testing::Test {
 protected:
  RouteTableTest() {
    Deployment d;
    AddSyntheticFunctions(d, 1, "fn-", {});
    ServiceOptions options;
    options.check_signatures = false;
    service_ = std::make_unique<LocalService>(std::move(d), options, nullptr, clock_);
  }
  // The operation the request was counted under ("Unknown" when none).
  std::string OperationOf(const std::string& method, const std::string& path,
                          const std::string& target = "") {
    ServerRequest req;
    req.method = method;
    req.target = req.path = path;
    req.headers = {{"Host", "127.0.0.1"}};
    if (!target.empty()) {
      req.headers.emplace_back("X-Amz-Target", target);
    }
    nlohmann::json before = service_->stats().ToJson()["operations"];
    service_->Handle(req);
    nlohmann::json after = service_->stats().ToJson()["operations"];
    for (const auto& [name, count] : after.items()) {
      if (count != before.value(name, nlohmann::json(0))) {
        return name;
      }
    }
    return "none";
  }

  FakeClock clock_;
  std::unique_ptr<LocalService> service_;
};

TEST_F(RouteTableTest, EachOperationByMethodAndPath) {
  const std::string tagging = "ResourceGroupsTaggingAPI_20170126.GetResources";
  EXPECT_EQ(OperationOf("GET", "/2015-03-31/functions"), "ListFunctions");
  EXPECT_EQ(OperationOf("GET", "/2015-03-31/functions/"), "ListFunctions");
  EXPECT_EQ(OperationOf("GET", "/2015-03-31/functions/fn-0001"), "GetFunction");
  EXPECT_EQ(OperationOf("GET", "/2015-03-31/functions/nope"), "GetFunction");
  EXPECT_EQ(OperationOf("GET", "/2017-03-31/tags/arn%3Aaws"), "ListTags");
  EXPECT_EQ(OperationOf("GET", "/v1/registries/name/r/schemas/name/s"), "DescribeSchema");
  EXPECT_EQ(OperationOf("POST", "/", tagging), "GetResources");
  EXPECT_EQ(OperationOf("POST", "/anything", tagging), "GetResources");
}

TEST_F(RouteTableTest, OtherMethodsPathsAndTargetsAreUnknown) {
  const std::string tagging = "ResourceGroupsTaggingAPI_20170126.GetResources";
  EXPECT_EQ(OperationOf("POST", "/2015-03-31/functions"), "Unknown");
  EXPECT_EQ(OperationOf("DELETE", "/2015-03-31/functions/fn-0001"), "Unknown");
  EXPECT_EQ(OperationOf("GET", "/2015-03-31/functions/fn-0001/invocations"), "Unknown");
  EXPECT_EQ(OperationOf("POST", "/2015-03-31/functions//invocations"), "Unknown");
  EXPECT_EQ(OperationOf("GET", "/2015-03-31/functionsX"), "Unknown");
  EXPECT_EQ(OperationOf("GET", "/2017-03-31/tags"), "Unknown");
  EXPECT_EQ(OperationOf("GET", "/v1/registries/name/r/schemas/name/s/x"), "Unknown");
  EXPECT_EQ(OperationOf("GET", "/", tagging), "Unknown");
  EXPECT_EQ(OperationOf("POST", "/", "ResourceGroupsTaggingAPI_20170126.TagResources"), "Unknown");
  // A path of another service wins over the tagging target.
  EXPECT_EQ(OperationOf("POST", "/2015-03-31/functions/fn-0001", tagging), "Unknown");
}

}  // namespace
}  // namespace lmcp::emulator
