#include "catalog/target_checks.h"

#include <map>
#include <regex>

#include "aws/function_ref.h"

namespace lmcp::catalog {
namespace {

bool Matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

void CheckCredentials(const CredentialOptions& c, std::vector<std::string>& problems,
                      const std::string& who) {
  using Kind = CredentialOptions::Kind;
  if (c.kind == Kind::kProfile && c.profile.empty()) {
    problems.push_back(who + "credentials from a profile need the profile's name");
  }
  if (c.kind != Kind::kAssumeRole) {
    return;
  }
  if (!Matches(c.role_arn, R"(arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512})")) {
    problems.push_back(who + "role ARN \"" + c.role_arn +
                       "\" is not arn:aws:iam::<12-digit account>:role/<name>");
  }
  if (!Matches(c.session_name, R"([\w+=,.@-]{2,64})")) {
    problems.push_back(who + "role session name \"" + c.session_name +
                       "\" must be 2 to 64 letters, digits or +=,.@_-");
  }
  if (!c.external_id.empty() && !Matches(c.external_id, R"([\w+=,.@:/-]{2,1224})")) {
    problems.push_back(who + "external id must be 2 to 1224 letters, digits or +=,.@:/_-");
  }
  if (c.duration.count() < 900 || c.duration.count() > 43200) {
    problems.push_back(who + "role session duration " + std::to_string(c.duration.count()) +
                       " s is outside 900–43200 s");
  }
}

void CheckOne(const TargetOptions& t, std::vector<std::string>& problems) {
  const std::string who = "target \"" + t.name + "\": ";
  if (!Matches(t.name, "[a-z0-9_-]{1,32}")) {
    problems.push_back(who + "the name must be 1 to 32 of a-z, 0-9, _ and -");
  }
  if (!Matches(t.tool_prefix, "[A-Za-z0-9_-]{0,32}")) {
    problems.push_back(who + "namespace \"" + t.tool_prefix +
                       "\" must be up to 32 of A-Z, a-z, 0-9, _ and -");
  }
  if (!t.region.empty() && !Matches(t.region, R"([a-z]{2}(-[a-z]+)+-\d{1,2})")) {
    problems.push_back(who + "region \"" + t.region + "\" does not look like an AWS region (eu-west-1)");
  }
  if (!t.endpoint_url.empty() && !Matches(t.endpoint_url, R"(https?://[^\s/]+(/\S*)?)")) {
    problems.push_back(who + "endpoint_url \"" + t.endpoint_url + "\" is not an http(s) URL");
  }
  CheckCredentials(t.credentials, problems, who);
  if (t.selection.half_tag_filter()) {
    problems.push_back(who + "a tag filter needs both the tag key and the tag value");
  }
  if (!t.default_qualifier.empty() && !aws::IsValidQualifier(t.default_qualifier)) {
    problems.push_back(who + "default qualifier \"" + t.default_qualifier + "\" is not an alias or version");
  }
  for (const auto& o : t.tools) {
    if (o.function.empty()) {
      problems.push_back(who + "a tool override needs a function name or glob");
    }
  }
}

}  // namespace

std::vector<std::string> ValidateTargets(const std::vector<TargetOptions>& targets) {
  std::vector<std::string> problems;
  std::map<std::string, int> seen;
  for (const auto& t : targets) {
    CheckOne(t, problems);
    if (++seen[t.name] == 2) {
      problems.push_back("target \"" + t.name + "\": the name is used by more than one target");
    }
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    for (std::size_t j = i + 1; j < targets.size(); ++j) {
      const std::string& a = targets[i].tool_prefix;
      const std::string& b = targets[j].tool_prefix;
      if (a.starts_with(b) || b.starts_with(a)) {
        std::string what = a == b
                               ? (a.empty() ? "both have no namespace" : "both use namespace \"" + a + "\"")
                               : "namespace \"" + (a.size() < b.size() ? a : b) + "\" is a prefix of \"" +
                                     (a.size() < b.size() ? b : a) + "\"";
        problems.push_back("targets \"" + targets[i].name + "\" and \"" + targets[j].name + "\": " + what +
                           ", so their tool names could collide; give each target its own namespace");
      }
    }
  }
  return problems;
}

}  // namespace lmcp::catalog
