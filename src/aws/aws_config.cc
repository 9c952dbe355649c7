#include "aws/aws_config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "aws/url.h"
#include "common/file.h"
#include "common/strings.h"

namespace lmcp::aws {
namespace {

std::string EnvOr(const EnvLookup& env, const std::string& name, const std::string& fallback) {
  auto v = env(name);
  return v && !v->empty() ? *v : fallback;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

bool IsTrue(const std::optional<std::string>& value) {
  if (!value) {
    return false;
  }
  std::string v = AsciiLower(*value);
  return v == "true" || v == "1" || v == "yes";
}

std::string ExpandPath(const std::string& path, const EnvLookup& env) {
  std::string p = path;
  if (p == "~" || p.starts_with("~/")) {
    p = EnvOr(env, "HOME", "") + p.substr(1);
  }
  std::string out;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '$' || i + 1 >= p.size()) {
      out += p[i];
      continue;
    }
    std::size_t start = i + 1;
    bool braces = p[start] == '{';
    if (braces) {
      ++start;
    }
    std::size_t end = start;
    while (end < p.size() && (std::isalnum(static_cast<unsigned char>(p[end])) || p[end] == '_')) {
      ++end;
    }
    if (end == start || (braces && (end >= p.size() || p[end] != '}'))) {
      out += p[i];
      continue;
    }
    out += env(p.substr(start, end - start)).value_or("");
    i = braces ? end : end - 1;
  }
  return out;
}

Result<ProfileConfig> ProfileConfig::Load(const EnvLookup& env, std::optional<std::string> explicit_profile) {
  std::string config_path = ExpandPath(EnvOr(env, "AWS_CONFIG_FILE", "~/.aws/config"), env);
  std::string creds_path = ExpandPath(EnvOr(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"), env);
  std::string profile = "default";
  bool named = false;
  if (explicit_profile) {
    profile = *explicit_profile;
    named = true;
  } else if (auto p = env("AWS_DEFAULT_PROFILE")) {  // botocore reads the legacy name first
    profile = *p;
    named = true;
  } else if (auto q = env("AWS_PROFILE")) {
    profile = *q;
    named = true;
  }
  return FromStrings(ReadWholeFile(config_path).value_or(""), ReadWholeFile(creds_path).value_or(""), profile,
                     named);
}

Result<ProfileConfig> ProfileConfig::FromStrings(std::string_view config, std::string_view credentials,
                                                 std::string profile, bool named) {
  ProfileConfig c;
  c.config_ = ParseIni(config);
  c.credentials_ = ParseIni(credentials);
  c.profile_ = std::move(profile);
  c.profile_named_ = named;
  if (named && !c.HasProfile(c.profile_)) {
    return Error::NotFound("The config profile (" + c.profile_ + ") could not be found");
  }
  return c;
}

bool ProfileConfig::HasProfile(const std::string& name) const {
  return ConfigSection(name) != nullptr || CredentialsSection(name) != nullptr;
}

const IniSection* ProfileConfig::ConfigSection(const std::string& name) const {
  if (const IniSection* s = config_.Find("profile " + name)) {
    return s;
  }
  if (name == "default") {
    return config_.Find("default");
  }
  return nullptr;
}

const IniSection* ProfileConfig::CredentialsSection(const std::string& name) const {
  return credentials_.Find(name);
}

const IniSection* ProfileConfig::SsoSession(const std::string& name) const {
  return config_.Find("sso-session " + name);
}

const IniSection* ProfileConfig::ServicesSection(const std::string& name) const {
  return config_.Find("services " + name);
}

std::optional<std::string> ProfileConfig::Get(const std::string& name, const std::string& key) const {
  if (const IniSection* s = CredentialsSection(name)) {
    if (const std::string* v = s->Find(key)) {
      return *v;
    }
  }
  if (const IniSection* s = ConfigSection(name)) {
    if (const std::string* v = s->Find(key)) {
      return *v;
    }
  }
  return std::nullopt;
}

Result<std::string> ResolveRegion(const EnvLookup& env, const ProfileConfig& config) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (auto v = env(name); v && !v->empty()) {
      return *v;
    }
  }
  if (auto v = config.Get("region"); v && !v->empty()) {
    return *v;
  }
  return Error::InvalidArgument(
      "no AWS region: set AWS_REGION or AWS_DEFAULT_REGION, or `region` in the profile (" + config.profile() +
      ")");
}

const ServiceInfo& LambdaService() {
  static const ServiceInfo kInfo{"Lambda", "lambda", "lambda", "lambda"};
  return kInfo;
}
const ServiceInfo& SchemasService() {
  static const ServiceInfo kInfo{"Schemas", "schemas", "schemas", "schemas"};
  return kInfo;
}
const ServiceInfo& TaggingService() {
  static const ServiceInfo kInfo{"Resource Groups Tagging API", "tagging", "tagging",
                                 "resource_groups_tagging_api"};
  return kInfo;
}
const ServiceInfo& StsService() {
  static const ServiceInfo kInfo{"STS", "sts", "sts", "sts"};
  return kInfo;
}

namespace {

// AWS_ENDPOINT_URL_<SERVICE>: the service id upper-cased, spaces and dashes as underscores.
std::string EndpointVariable(const ServiceInfo& service) {
  std::string suffix = service.service_id;
  std::transform(suffix.begin(), suffix.end(), suffix.begin(), [](unsigned char c) {
    return (c == ' ' || c == '-') ? '_' : static_cast<char>(std::toupper(c));
  });
  return "AWS_ENDPOINT_URL_" + suffix;
}

}  // namespace

ResolvedEndpoint ResolveEndpoint(const ServiceInfo& service, const std::string& region, const EnvLookup& env,
                                 const ProfileConfig& config, const std::string& override_url) {
  if (!override_url.empty()) {
    return {TrimSlash(override_url), true};
  }
  bool ignore = IsTrue(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"));
  if (!env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    ignore = IsTrue(config.Get("ignore_configured_endpoint_urls"));
  }
  if (!ignore) {
    if (auto v = env(EndpointVariable(service)); v && !v->empty()) {
      return {TrimSlash(*v), true};
    }
    if (auto v = env("AWS_ENDPOINT_URL"); v && !v->empty()) {
      return {TrimSlash(*v), true};
    }
    if (auto services = config.Get("services")) {
      if (const IniSection* s = config.ServicesSection(*services)) {
        auto sub = s->subsections.find(service.config_key);
        if (sub != s->subsections.end()) {
          auto url = sub->second.find("endpoint_url");
          if (url != sub->second.end() && !url->second.empty()) {
            return {TrimSlash(url->second), true};
          }
        }
      }
    }
    if (auto v = config.Get("endpoint_url"); v && !v->empty()) {
      return {TrimSlash(*v), true};
    }
  }
  std::string suffix = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  if (&service == &StsService() && env("AWS_STS_REGIONAL_ENDPOINTS").value_or("regional") == "legacy") {
    return {"https://sts." + suffix, false};
  }
  return {"https://" + service.host_prefix + "." + region + "." + suffix, false};
}

bool IsRegionName(const std::string& region) {
  static const std::regex kRegion("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
  return std::regex_match(region, kRegion);
}

std::vector<std::string> EndpointProblems(const EnvLookup& env, const ProfileConfig& config,
                                          const std::string& override_url, const std::string& region) {
  std::vector<std::string> problems;
  auto check = [&](const std::string& source, const std::string& url) {
    if (url.empty()) {
      return;
    }
    auto parsed = ParseUrl(url);
    if (!parsed.ok()) {
      bool no_scheme = url.find("://") == std::string::npos;
      problems.push_back(source + " \"" + url + "\" is not an endpoint URL: " +
                         (no_scheme
                              ? "it needs http:// or https:// (e.g. http://" + url + ")"
                              : parsed.error().message + " (expected http://HOST[:PORT] or https://HOST)"));
    }
  };
  check("--endpoint-url", override_url);
  std::vector<std::string> names = {"AWS_ENDPOINT_URL"};
  for (const ServiceInfo* service : {&LambdaService(), &SchemasService(), &TaggingService(), &StsService()}) {
    names.push_back(EndpointVariable(*service));
  }
  for (const auto& name : names) {
    check(name, env(name).value_or(""));
  }
  check("endpoint_url of profile " + config.profile(), config.Get("endpoint_url").value_or(""));
  if (!region.empty() && !IsRegionName(region)) {
    problems.push_back("AWS region \"" + region +
                       "\" is not a region name like us-east-1 (check AWS_REGION, AWS_DEFAULT_REGION or the "
                       "profile's region)");
  }
  return problems;
}

}  // namespace lmcp::aws
