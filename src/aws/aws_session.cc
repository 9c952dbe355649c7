#include "aws/aws_session.h"

#include <spdlog/spdlog.h>

#include "aws/credentials_chain.h"
#include "aws/curl_http_client.h"
#include "common/log_text.h"

namespace lmcp::aws {

AwsSession::~AwsSession() = default;

Result<std::unique_ptr<AwsSession>> AwsSession::Create(AwsSessionOptions options) {
  if (!options.env) options.env = ProcessEnvironment();
  Clock& clock = options.clock != nullptr ? *options.clock : Clock::System();
  auto config = ProfileConfig::Load(options.env, options.profile);
  if (!config.ok()) return config.error();

  std::unique_ptr<AwsSession> s(new AwsSession());
  s->profile_ = config->profile();
  if (options.region && !options.region->empty()) {
    s->region_ = *options.region;
  } else {
    auto region = ResolveRegion(options.env, *config);
    if (!region.ok()) return region.error();
    s->region_ = *region;
  }

  HttpClient* http = options.http;
  if (http == nullptr) {
    std::string ca_bundle = options.env("AWS_CA_BUNDLE").value_or("");
    if (ca_bundle.empty()) ca_bundle = config->Get("ca_bundle").value_or("");
    s->owned_http_ = std::make_unique<CurlHttpClient>(
        CurlHttpClientOptions{.ca_bundle = ExpandPath(ca_bundle, options.env)});
    http = s->owned_http_.get();
  }

  auto retry =
      RetryConfigFrom(options.env("AWS_RETRY_MODE").value_or(config->Get("retry_mode").value_or("")),
                      options.env("AWS_MAX_ATTEMPTS").value_or(config->Get("max_attempts").value_or("")));
  if (!retry.ok()) return retry.error();
  s->retry_ = std::make_unique<RetryPolicy>(*retry);

  if (options.credentials) {
    s->credentials_ = options.credentials;
  } else {
    auto chain = ResolveCredentialsChain(
        *config, CredentialsChainOptions{.env = options.env,
                                         .http = http,
                                         .clock = &clock,
                                         .run_process = nullptr,
                                         .retry = s->retry_.get(),
                                         .profile_chosen_explicitly = options.profile.has_value()});
    if (!chain.ok()) return chain.error();
    s->credentials_ = *chain;
  }
  s->caller_ = std::make_unique<ServiceCaller>(*http, s->credentials_.get(), clock, *s->retry_);

  auto endpoint = [&](const ServiceInfo& info) {
    ResolvedEndpoint e = ResolveEndpoint(info, s->region_, options.env, *config, options.endpoint_url);
    std::string signing_region =
        (!e.custom && e.url == "https://sts.amazonaws.com") ? "us-east-1" : s->region_;
    spdlog::debug("AWS endpoint for {}: {}", info.service_id, ForLog(e.url));
    return ServiceEndpoint{e.url, signing_region, info.signing_name};
  };
  s->lambda_ = std::make_unique<LambdaClient>(*s->caller_, endpoint(LambdaService()));
  s->schemas_ = std::make_unique<SchemasClient>(*s->caller_, endpoint(SchemasService()));
  s->tagging_ = std::make_unique<TaggingClient>(*s->caller_, endpoint(TaggingService()));
  s->sts_ = std::make_unique<StsClient>(*s->caller_, endpoint(StsService()));
  spdlog::info("AWS region {}, profile {}, credentials from {}", ForLog(s->region_), ForLog(s->profile_),
               ForLog(s->credentials_->source()));
  return s;
}

}  // namespace lmcp::aws
