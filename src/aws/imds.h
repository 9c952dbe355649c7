#pragma once
// The EC2 instance metadata service (IMDSv2 with a v1 fallback) as a credential source: step 9 of the
// credential chain. Thread-safe as the HttpClient is.

#include <chrono>
#include <optional>
#include <string>

#include "aws/http_client.h"
#include "aws/sigv4.h"
#include "common/result.h"

namespace lmcp::aws {

struct ImdsSettings {
  std::string base;
  std::chrono::milliseconds timeout{1000};
  int attempts = 1;
  bool v1_disabled = false;
};

// The role's credentials. nullopt when IMDS is unreachable or has no role (the chain falls through); an
// error when it answers wrongly.
Result<std::optional<Credentials>> FetchImds(HttpClient& http, const ImdsSettings& s);

}  // namespace lmcp::aws
