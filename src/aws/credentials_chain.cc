#include "aws/credentials_chain.h"

#include <spdlog/spdlog.h>

#include "aws/credentials_chain_internal.h"
#include "common/log_text.h"

namespace lmcp::aws {

ChainResolver::ChainResolver(const ProfileConfig& config, const CredentialsChainOptions& options)
    : config_(config), opt_(options), env_(options.env) {
  if (!opt_.run_process) {
    opt_.run_process = RunProcess;
  }
  // Refresh functions outlive this object, so they share the retry policy by pointer ownership.
  retry_ = opt_.retry == nullptr ? std::make_shared<RetryPolicy>()
                                 : std::shared_ptr<RetryPolicy>(opt_.retry, [](RetryPolicy*) {});
}

Result<ChainResolver::ProviderPtr> ChainResolver::Resolve() {
  using Step = Result<Found> (ChainResolver::*)();
  const Step steps[] = {
      &ChainResolver::FromEnvironment, &ChainResolver::FromAssumeRoleProfile, &ChainResolver::FromWebIdentity,
      &ChainResolver::FromSso,         &ChainResolver::FromCredentialsFile,   &ChainResolver::FromProcess,
      &ChainResolver::FromConfigFile,  &ChainResolver::FromContainer,         &ChainResolver::FromImds};
  for (Step step : steps) {
    Result<Found> r = (this->*step)();
    if (!r.ok()) {
      return r.error();
    }
    if (r.value()) {
      spdlog::debug("AWS credentials from {}", ForLog((*r.value())->source()));
      return *r.value();
    }
  }
  return Error::Unauthenticated("Unable to locate credentials (environment, profile '" + config_.profile() +
                                "', container and instance metadata all gave none)");
}

Result<ChainResolver::Found> ChainResolver::Expiring(RefreshingCredentialsProvider::Fetch fetch,
                                                     std::string source) {
  auto provider = std::make_shared<RefreshingCredentialsProvider>(std::move(fetch), *opt_.clock, source);
  auto first = provider->GetCredentials();
  if (!first.ok()) {
    return Error{first.error().code, source + ": " + first.error().message};
  }
  return Found(provider);
}

ServiceEndpoint ChainResolver::StsEndpoint(const std::string& profile) const {
  std::string region = Env("AWS_REGION");
  if (region.empty()) {
    region = Env("AWS_DEFAULT_REGION");
  }
  if (region.empty()) {
    region = config_.Get(profile, "region").value_or("us-east-1");
  }
  ResolvedEndpoint e = ResolveEndpoint(StsService(), region, env_, config_);
  std::string signing_region = e.url == "https://sts.amazonaws.com" ? "us-east-1" : region;
  return ServiceEndpoint{e.url, signing_region, "sts"};
}

Result<std::shared_ptr<CredentialsProvider>> ResolveCredentialsChain(const ProfileConfig& config,
                                                                     const CredentialsChainOptions& options) {
  if (!options.env || options.http == nullptr || options.clock == nullptr) {
    return Error::InvalidArgument("ResolveCredentialsChain needs env, http and clock");
  }
  return ChainResolver(config, options).Resolve();
}

}  // namespace lmcp::aws
