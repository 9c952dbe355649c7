#include "aws/aws_session.h"

#include <spdlog/spdlog.h>

#include "aws/asio_http_client.h"
#include "aws/credentials_chain.h"
#include "common/log_text.h"
#include "common/strings.h"

namespace lmcp::aws {

AwsSession::~AwsSession() = default;

namespace {

// Stands in for a credential chain that found nothing: every signed call fails with the chain's error.
class UnresolvedCredentials final : public CredentialsProvider {
 public:
  explicit UnresolvedCredentials(Error error) : error_(std::move(error)) {}
  Result<Credentials> GetCredentials() override { return error_; }
  std::string source() const override { return "none"; }

 private:
  Error error_;
};

}  // namespace

Result<std::unique_ptr<AwsSession>> AwsSession::Create(AwsSessionOptions options) {
  if (!options.env) {
    options.env = ProcessEnvironment();
  }
  Clock& clock = options.clock != nullptr ? *options.clock : Clock::System();
  auto config = ProfileConfig::Load(options.env, options.profile);
  if (!config.ok()) {
    return config.error();
  }

  std::unique_ptr<AwsSession> s(new AwsSession());
  s->env_ = options.env;
  s->config_ = std::make_unique<ProfileConfig>(std::move(config).value());
  s->endpoint_url_ = options.endpoint_url;
  s->profile_ = s->config_->profile();
  if (options.region && !options.region->empty()) {
    s->region_ = *options.region;
  } else {
    auto region = ResolveRegion(options.env, *s->config_);
    if (!region.ok()) {
      return region.error();
    }
    s->region_ = *region;
  }
  if (auto problems = EndpointProblems(options.env, *s->config_, options.endpoint_url, s->region_);
      !problems.empty()) {
    return Error::InvalidArgument(Join(problems, "; "));
  }

  HttpClient* http = options.http;
  if (http == nullptr) {
    std::string ca_bundle = options.env("AWS_CA_BUNDLE").value_or("");
    if (ca_bundle.empty()) {
      ca_bundle = s->config_->Get("ca_bundle").value_or("");
    }
    s->owned_http_ = std::make_unique<AsioHttpClient>(
        AsioHttpClientOptions{.ca_bundle = ExpandPath(ca_bundle, options.env), .env = options.env});
    http = s->owned_http_.get();
  }

  auto retry =
      RetryConfigFrom(options.env("AWS_RETRY_MODE").value_or(s->config_->Get("retry_mode").value_or("")),
                      options.env("AWS_MAX_ATTEMPTS").value_or(s->config_->Get("max_attempts").value_or("")));
  if (!retry.ok()) {
    return retry.error();
  }
  s->retry_ = std::make_unique<RetryPolicy>(*retry);

  if (options.credentials) {
    s->credentials_ = options.credentials;
  } else {
    auto chain = ResolveCredentialsChain(
        *s->config_, CredentialsChainOptions{.env = options.env,
                                             .http = http,
                                             .clock = &clock,
                                             .run_process = nullptr,
                                             .retry = s->retry_.get(),
                                             .profile_chosen_explicitly = options.profile.has_value()});
    if (chain.ok()) {
      s->credentials_ = *chain;
    } else if (options.defer_credentials_error) {
      s->credentials_ = std::make_shared<UnresolvedCredentials>(chain.error());
    } else {
      return chain.error();
    }
  }
  if (options.assume_role) {
    s->credentials_ = MakeAssumeRoleProvider(*options.assume_role, s->credentials_,
                                             s->EndpointFor(StsService(), s->region_), *http, clock,
                                             std::make_shared<RetryPolicy>(*retry));
  }
  s->timer_ = std::make_unique<ClockTimer>(clock);
  s->caller_ =
      std::make_unique<ServiceCaller>(*http, s->credentials_.get(), clock, *s->retry_, s->timer_.get());

  s->lambda_ = std::make_unique<LambdaClient>(*s->caller_, s->EndpointFor(LambdaService(), s->region_));
  s->schemas_ = std::make_unique<SchemasClient>(*s->caller_, s->EndpointFor(SchemasService(), s->region_));
  s->tagging_ = std::make_unique<TaggingClient>(*s->caller_, s->EndpointFor(TaggingService(), s->region_));
  s->sts_ = std::make_unique<StsClient>(*s->caller_, s->EndpointFor(StsService(), s->region_));
  spdlog::info("AWS region {}, profile {}, credentials from {}", ForLog(s->region_), ForLog(s->profile_),
               ForLog(s->credentials_->source()));
  return s;
}

ServiceEndpoint AwsSession::EndpointFor(const ServiceInfo& service, const std::string& region) const {
  ResolvedEndpoint e = ResolveEndpoint(service, region, env_, *config_, endpoint_url_);
  // STS's global endpoint signs in us-east-1 whatever the session's region.
  std::string signing_region = (!e.custom && e.url == "https://sts.amazonaws.com") ? "us-east-1" : region;
  spdlog::debug("AWS endpoint for {} in {}: {}", service.service_id, ForLog(region), ForLog(e.url));
  return ServiceEndpoint{e.url, signing_region, service.signing_name};
}

SchemasClient AwsSession::SchemasIn(const std::string& region) const {
  return SchemasClient(*caller_, EndpointFor(SchemasService(), region));
}

}  // namespace lmcp::aws
