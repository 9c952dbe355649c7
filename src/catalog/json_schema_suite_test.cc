// The official JSON Schema Test Suite (draft2020-12, the required tests; vendored under
// tests/data/json-schema-test-suite) through ArgumentValidator: a 2020-12 schema is either validated exactly
// as the suite says, or refused by Create. A wrong verdict fails; so does refusing more than the table
// allows.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "catalog/input_schema.h"

namespace lmcp::catalog {
namespace {

const std::string kDir = std::string(LMCP_SOURCE_DIR) + "/tests/data/json-schema-test-suite/draft2020-12";

// Groups each file may refuse, and why (see schema_dialect.h). Any other file must be validated in full.
const std::map<std::string, int> kRefusedAllowed = {
    {"refRemote", 15},              // other documents are never fetched
    {"ref", 14},                    // 12 embedded $id resources, 1 $ref to the metaschema, 1 empty token
    {"defs", 1},                    // a $ref to the metaschema
    {"anchor", 3},                  // embedded $id resources
    {"dynamicRef", 17},             // embedded $id resources (dynamic scopes)
    {"vocabulary", 2},              // custom metaschemas
    {"unevaluatedProperties", 22},  // next to applicators
    {"unevaluatedItems", 16},       // next to applicators or contains
    {"not", 1},                     // unevaluatedProperties next to applicators
    {"minContains", 6},             // minContains/maxContains
    {"maxContains", 4},
    {"pattern", 1},               // \p{...}: std::regex has no Unicode properties
    {"patternProperties", 1},     // \p{...}
    {"properties", 1},            // "f.o": bytes and code points could differ on a non-ASCII name
    {"additionalProperties", 1},  // "^á": likewise
};

struct FileResult {
  int groups = 0;
  int refused = 0;
  int tests = 0;
  std::vector<std::string> wrong;
  std::vector<std::string> refusals;
};

FileResult RunFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  Json groups = Json::parse(in);
  FileResult r;
  for (const auto& g : groups) {
    ++r.groups;
    std::string group = g["description"].get<std::string>();
    auto v = ArgumentValidator::Create(g["schema"]);
    if (!v.ok()) {
      ++r.refused;
      r.refusals.push_back(group + ": " + v.error().message);
      continue;
    }
    for (const auto& t : g["tests"]) {
      ++r.tests;
      auto problems = (*v)->Validate(t["data"]);
      bool valid = problems.empty();
      if (valid != t["valid"].get<bool>()) {
        r.wrong.push_back(group + " / " + t["description"].get<std::string>() + ": expected " +
                          (t["valid"].get<bool>() ? "valid" : "invalid") +
                          (problems.empty() ? std::string() : " (" + problems[0] + ")"));
      }
    }
  }
  return r;
}

TEST(JsonSchemaSuiteTest, Draft2020_12VerdictsAreRightOrRefused) {
  ASSERT_TRUE(std::filesystem::is_directory(kDir)) << kDir;
  int files = 0, groups = 0, refused = 0, tests = 0;
  std::ostringstream summary;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    ++files;
    std::string name = entry.path().stem().string();
    FileResult r = RunFile(entry.path());
    groups += r.groups;
    refused += r.refused;
    tests += r.tests;
    for (const auto& w : r.wrong) {
      ADD_FAILURE() << name << ": wrong verdict: " << w;
    }
    auto allowed = kRefusedAllowed.find(name);
    int may_refuse = allowed == kRefusedAllowed.end() ? 0 : allowed->second;
    EXPECT_LE(r.refused, may_refuse) << name;
    if (r.refused > 0) {
      summary << name << ": refused " << r.refused << "/" << r.groups << "\n";
      for (const auto& why : r.refusals) {
        summary << "  " << why << "\n";
      }
    }
  }
  EXPECT_GE(files, 46);
  EXPECT_GE(groups - refused, 278);  // validated: every schema the table does not excuse
  std::cout << files << " files, " << groups << " schemas (" << refused << " refused), " << tests
            << " instances checked\n"
            << summary.str();
}

}  // namespace
}  // namespace lmcp::catalog
