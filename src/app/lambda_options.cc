#include "app/lambda_options.h"

#include <algorithm>
#include <cstdlib>

#include "common/strings.h"

namespace lmcp::app {

void AddLambdaFlags(CLI::App& command, LambdaFlags& flags) {
  command.add_option("--config", flags.config_file,
                     "YAML or JSON file with any of the options below (keys as the environment variables); "
                     "flags beat environment beat file. Default: $LAMBDA_MCP_CONFIG");
  for (const auto& spec : catalog::CatalogOptionSpecs()) {
    std::string& value = flags.values[spec.key];
    std::string help = std::string(spec.help) + " [env " + spec.key + "]";
    CLI::Option* opt;
    // Help shows the real default; for a bool, a bare flag means true ("true" is what CLI11 stores then).
    std::string shown = std::string(spec.default_value).empty() ? "" : "=" + std::string(spec.default_value);
    if (std::string(spec.type) == "bool") {
      opt = command.add_option("--" + std::string(spec.flag), value, help)
                ->expected(0, 1)
                ->default_str("true")
                ->option_text("[BOOL]" + shown);
    } else {
      opt = command.add_option("--" + std::string(spec.flag), value, help)->option_text("TEXT" + shown);
    }
    opt->group("Lambda functions");
    flags.options[spec.key] = opt;
  }
}

Result<GatewayConfig> LoadConfigFile(const LambdaFlags& flags) {
  std::string file = flags.config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("LAMBDA_MCP_CONFIG")) {
      file = env;
    }
  }
  if (file.empty()) {
    return GatewayConfig{};
  }
  return LoadGatewayConfig(file);
}

Result<catalog::CatalogOptions> LoadLambdaOptions(const LambdaFlags& flags, const GatewayConfig& file) {
  const bool file_targets = !file.targets.empty();
  catalog::OptionSources sources;
  sources.file = file.flat;
  sources.env = catalog::CatalogEnvironment();
  std::vector<std::string> ignored;
  for (const auto& [key, opt] : flags.options) {
    if (opt->count() == 0) {
      continue;
    }
    const auto& target_keys = TargetOptionKeys();
    if (file_targets && std::find(target_keys.begin(), target_keys.end(), key) != target_keys.end()) {
      return Error::InvalidArgument("--" + std::string(opt->get_name(false, true)).substr(2) +
                                    ": the config file lists targets, so set this per target there");
    }
    const std::string& v = flags.values.at(key);
    std::string type;
    for (const auto& spec : catalog::CatalogOptionSpecs()) {
      if (key == spec.key) {
        type = spec.type;
      }
    }
    sources.flags[key] = (type == "bool" && v.empty()) ? "true" : v;
  }
  if (file_targets) {
    for (const auto& key : TargetOptionKeys()) {
      // AWS_PROFILE and AWS_REGION stay what the AWS CLI makes of them: each target's defaults.
      if (sources.env.erase(key) > 0 && key.starts_with("FUNCTION_")) {
        ignored.push_back(key);
      }
    }
  }
  auto options = catalog::LoadCatalogOptions(sources);
  if (!options.ok()) {
    return options;
  }
  const auto unknown = catalog::UnknownVariableWarnings(catalog::EnvironmentNames());
  if (file.has_guardrails) {
    options->guardrails = file.guardrails;
  }
  if (file_targets) {
    options->targets = file.targets;
    options->warnings.clear();  // about the env-only target, which the file's targets replace
    if (!ignored.empty()) {
      options->warnings.push_back(
          "The config file lists targets, so these environment variables are ignored: " +
          Join(ignored, ", "));
    }
  }
  options->warnings.insert(options->warnings.end(), unknown.begin(), unknown.end());
  return options;
}

}  // namespace lmcp::app
