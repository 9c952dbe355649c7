#pragma once
// The credential chain's resolver, shared by the files that implement it (not part of the aws/ API; use
// ResolveCredentialsChain in credentials_chain.h). One source family per file:
//   credentials_chain.cc      the order of the sources, shared plumbing (STS endpoint, validated refresh)
//   credentials_local.cc      environment keys, static keys in the shared files, credential_process
//   credentials_sts.cc        assume role from a profile (source_profile / credential_source), web identity
//   credentials_sso.cc        IAM Identity Center (SSO) token cache → GetRoleCredentials
//   credentials_container.cc  ECS/EKS container endpoint, IMDS glue (the client is imds.h)
// Every source returns Found() when it is not configured, an error when it is configured but fails.

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "aws/credentials_chain.h"
#include "aws/credentials_provider.h"
#include "aws/service_caller.h"

namespace lmcp::aws {

class ChainResolver {
 public:
  using ProviderPtr = std::shared_ptr<CredentialsProvider>;
  using Found = std::optional<ProviderPtr>;

  ChainResolver(const ProfileConfig& config, const CredentialsChainOptions& options);

  // The first configured source, in the order of credentials_chain.h.
  Result<ProviderPtr> Resolve();

 private:
  std::string Env(const std::string& name) const { return env_(name).value_or(""); }
  // Validates by fetching once, so a configured-but-failing source is reported at start-up.
  Result<Found> Expiring(RefreshingCredentialsProvider::Fetch fetch, std::string source);
  ServiceEndpoint StsEndpoint(const std::string& profile) const;

  // credentials_local.cc
  Result<Found> EnvironmentProvider();
  Result<Found> FromEnvironment();
  std::optional<Credentials> StaticKeys(const std::string& profile, bool either_file) const;
  Result<Found> FromCredentialsFile();
  Result<Found> FromConfigFile();
  Result<Found> FromProcess();
  Result<Found> ProcessFor(const std::string& profile);

  // credentials_sts.cc
  Result<Found> FromAssumeRoleProfile();
  Result<Found> AssumeRoleFor(const std::string& profile, std::set<std::string>& visited);
  Result<ProviderPtr> CredentialSource(const std::string& source, const std::string& profile);
  Result<ProviderPtr> SourceProfileCredentials(const std::string& source, const std::string& from,
                                               std::set<std::string>& visited);
  Result<Found> FromWebIdentity();
  Result<Found> WebIdentityFor(const std::string& profile);
  Result<Found> WebIdentity(const std::string& token_file, const std::string& role_arn, std::string session,
                            const std::string& profile);
  std::string DefaultSessionName() const;

  // credentials_sso.cc
  Result<Found> FromSso();
  Result<Found> SsoFor(const std::string& profile);

  // credentials_container.cc
  Result<Found> FromContainer();
  Result<Found> FromImds();

  const ProfileConfig& config_;
  CredentialsChainOptions opt_;
  EnvLookup env_;
  std::shared_ptr<RetryPolicy> retry_;
};

}  // namespace lmcp::aws
