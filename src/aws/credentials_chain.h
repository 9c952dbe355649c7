#pragma once
// The AWS CLI's credential provider chain (aws-wire.md §8.1): environment, assume role from the profile,
// web identity, SSO token cache, shared credentials file, credential_process, config-file keys, container
// credentials, IMDS (v2 with v1 fallback). The first configured source wins; a source that is configured but
// fails is an error, not a fall-through. Expiring sources come back wrapped in RefreshingCredentialsProvider.
// All I/O goes through the injected environment, HttpClient, ProcessRunner and Clock.

#include <memory>
#include <optional>
#include <string>

#include "aws/aws_config.h"
#include "aws/credentials_provider.h"
#include "aws/http_client.h"
#include "aws/process_runner.h"
#include "aws/retry.h"
#include "common/clock.h"

namespace lmcp::aws {

struct CredentialsChainOptions {
  EnvLookup env;
  HttpClient* http = nullptr;  // STS, SSO portal, container endpoint, IMDS
  Clock* clock = nullptr;
  ProcessRunner run_process;               // default: RunProcess
  RetryPolicy* retry = nullptr;            // for STS calls; default: a private standard policy
  bool profile_chosen_explicitly = false;  // like --profile: skips environment keys (AWS_PROFILE does not)
};

Result<std::shared_ptr<CredentialsProvider>> ResolveCredentialsChain(const ProfileConfig& config,
                                                                     const CredentialsChainOptions& options);

}  // namespace lmcp::aws
