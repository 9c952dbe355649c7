#pragma once
// The AWS CLI's configuration sources: environment variables (through an injectable lookup), the shared
// config and credentials files, the selected profile, and from them the region and each service's endpoint
// (aws-wire.md §8.2–8.3). Values; loading reads the two files once. Thread-compatible.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/ini.h"
#include "common/result.h"

namespace lmcp::aws {

// Environment lookup, injectable for tests. nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvironment();

// Expands a leading "~" (HOME from `env`) and $VAR / ${VAR}.
std::string ExpandPath(const std::string& path, const EnvLookup& env);

class ProfileConfig {
 public:
  // Reads AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/config, ~/.aws/credentials; missing
  // files are fine) and selects `explicit_profile`, else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else
  // "default". A profile named explicitly or by the environment that is in neither file is an error
  // (kNotFound).
  static Result<ProfileConfig> Load(const EnvLookup& env, std::optional<std::string> explicit_profile = {});
  // From file contents, for tests.
  static Result<ProfileConfig> FromStrings(std::string_view config, std::string_view credentials,
                                           std::string profile, bool named);

  const std::string& profile() const { return profile_; }
  bool profile_named() const { return profile_named_; }  // chosen by name rather than the implicit default
  bool HasProfile(const std::string& name) const;

  // Sections of profile `name` in each file (nullptr when absent).
  const IniSection* ConfigSection(const std::string& name) const;
  const IniSection* CredentialsSection(const std::string& name) const;
  const IniSection* SsoSession(const std::string& name) const;
  const IniSection* ServicesSection(const std::string& name) const;
  // A key of profile `name`: credentials file first, then config file.
  std::optional<std::string> Get(const std::string& name, const std::string& key) const;
  std::optional<std::string> Get(const std::string& key) const { return Get(profile_, key); }

 private:
  IniFile config_;
  IniFile credentials_;
  std::string profile_ = "default";
  bool profile_named_ = false;
};

// AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region`. No region is an error.
Result<std::string> ResolveRegion(const EnvLookup& env, const ProfileConfig& config);

struct ServiceInfo {
  std::string service_id;    // "Lambda", "Schemas", "Resource Groups Tagging API", "STS"
  std::string signing_name;  // "lambda", "schemas", "tagging", "sts"
  std::string host_prefix;   // "lambda", "schemas", "tagging", "sts"
  std::string config_key;    // key in a [services] section: "lambda", "resource_groups_tagging_api"
};
const ServiceInfo& LambdaService();
const ServiceInfo& SchemasService();
const ServiceInfo& TaggingService();
const ServiceInfo& StsService();

struct ResolvedEndpoint {
  std::string url;      // no trailing slash
  bool custom = false;  // from an override, not the default AWS host
};

// AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's services section, the profile's endpoint_url,
// unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls is true; else the AWS host.
// `override_url` (a command-line --endpoint-url) beats everything.
ResolvedEndpoint ResolveEndpoint(const ServiceInfo& service, const std::string& region, const EnvLookup& env,
                                 const ProfileConfig& config, const std::string& override_url = "");

bool IsTrue(const std::optional<std::string>& value);

// Whether `region` looks like an AWS region name (us-east-1, eu-central-2, us-gov-west-1, cn-north-1).
bool IsRegionName(const std::string& region);

// The endpoint and region settings that cannot work, each a sentence naming its source and the fix:
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (of the four services lambda-mcp calls), the profile's
// endpoint_url, `override_url`, and `region` (as resolved). Empty when all are usable.
std::vector<std::string> EndpointProblems(const EnvLookup& env, const ProfileConfig& config,
                                          const std::string& override_url, const std::string& region);

}  // namespace lmcp::aws
