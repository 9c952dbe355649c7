// libFuzzer target: the AWS config/credentials file parser, and profile/region/endpoint resolution over
// what it parsed. The input is split on a NUL byte into the config and the credentials file.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "aws/aws_config.h"
#include "aws/ini.h"

namespace aws = lmcp::aws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t split = text.find('\0');
  std::string_view config = text.substr(0, split);
  std::string_view credentials =
      split == std::string_view::npos ? std::string_view() : text.substr(split + 1);
  aws::IniFile ini = aws::ParseIni(config);
  for (const auto& [name, section] : ini.sections) {
    (void)section.Find("region");
  }
  (void)aws::ParseIni(credentials);
  auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  const std::pair<const char*, bool> kProfiles[] = {{"default", false}, {"dev", true}};
  for (const auto& [profile, named] : kProfiles) {
    auto loaded = aws::ProfileConfig::FromStrings(config, credentials, profile, named);
    if (!loaded.ok()) {
      continue;
    }
    (void)loaded->Get("aws_access_key_id");
    auto region = aws::ResolveRegion(env, *loaded);
    std::string r = region.ok() ? *region : "us-east-1";
    (void)aws::ResolveEndpoint(aws::LambdaService(), r, env, *loaded);
    (void)aws::ResolveEndpoint(aws::TaggingService(), r, env, *loaded);
  }
  return 0;
}
