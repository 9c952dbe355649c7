#pragma once
// Credentials from STS AssumeRole, for a server that reaches another account with a role: signed with a
// source provider (the default chain, a profile, static keys), fetched lazily on the first GetCredentials and
// refreshed before expiry by RefreshingCredentialsProvider on the injected clock. The refresh margins shrink
// with the session's duration (at most 15 min advisory and 10 min mandatory, at most 1/2 and 1/3 of the
// duration), so a 15-minute session is not refreshed on every request. A failing AssumeRole is the error of
// each signed call that needs it (kPermissionDenied, kUnauthenticated, ...), retried on the next call.

#include <chrono>
#include <memory>
#include <string>

#include "aws/credentials_provider.h"
#include "aws/http_client.h"
#include "aws/retry.h"
#include "aws/service_caller.h"
#include "common/clock.h"
#include "common/result.h"

namespace lmcp::aws {

struct AssumeRoleOptions {
  std::string role_arn;
  std::string external_id;  // "" = none
  std::string session_name = "lambda-mcp";
  std::chrono::seconds duration{3600};  // STS accepts 900–43200 (up to the role's maximum)
};

// The margins used for a session of `duration`.
RefreshingCredentialsProvider::Margins AssumeRoleMargins(std::chrono::seconds duration);

// `source` signs the AssumeRole calls, sent to `sts` through `http` with `retry`. `http` and `clock` must
// outlive the provider; the provider keeps `source` and `retry` alive.
std::shared_ptr<RefreshingCredentialsProvider> MakeAssumeRoleProvider(
    AssumeRoleOptions options, std::shared_ptr<CredentialsProvider> source, ServiceEndpoint sts,
    HttpClient& http, Clock& clock, std::shared_ptr<RetryPolicy> retry);

}  // namespace lmcp::aws
