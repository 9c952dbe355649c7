#include "aws/assume_role.h"

#include <algorithm>

#include "aws/sts_client.h"

namespace lmcp::aws {

RefreshingCredentialsProvider::Margins AssumeRoleMargins(std::chrono::seconds duration) {
  using std::chrono::seconds;
  return {.advisory = std::min<seconds>(RefreshingCredentialsProvider::kAdvisoryRefresh, duration / 2),
          .mandatory = std::min<seconds>(RefreshingCredentialsProvider::kMandatoryRefresh, duration / 3)};
}

std::shared_ptr<RefreshingCredentialsProvider> MakeAssumeRoleProvider(
    AssumeRoleOptions options, std::shared_ptr<CredentialsProvider> source, ServiceEndpoint sts,
    HttpClient& http, Clock& clock, std::shared_ptr<RetryPolicy> retry) {
  const std::string description = "assume-role " + options.role_arn + " (source: " + source->source() + ")";
  const auto margins = AssumeRoleMargins(options.duration);
  AssumeRoleRequest request{.role_arn = options.role_arn,
                            .role_session_name = options.session_name,
                            .duration_seconds = static_cast<int>(options.duration.count()),
                            .external_id = options.external_id};
  auto fetch = [request = std::move(request), source = std::move(source), sts = std::move(sts), &http, &clock,
                retry = std::move(retry)]() -> Result<Credentials> {
    ServiceCaller caller(http, source.get(), clock, *retry);
    StsClient client(caller, sts);
    auto r = client.AssumeRole(request);
    if (!r.ok()) {
      Error e = r.error().ToError();
      e.message = "sts:AssumeRole " + request.role_arn + ": " + e.message;
      return e;
    }
    return r->credentials;
  };
  return std::make_shared<RefreshingCredentialsProvider>(std::move(fetch), clock, description, std::nullopt,
                                                         margins);
}

}  // namespace lmcp::aws
