// Credential sources that go through STS: assume role from a profile (step 2; its source credentials come
// from source_profile or credential_source) and web identity (step 3).

#include "aws/credentials_chain_internal.h"
#include "aws/sts_client.h"
#include "common/file.h"

namespace lmcp::aws {

std::string ChainResolver::DefaultSessionName() const {
  return "botocore-session-" +
         std::to_string(
             std::chrono::duration_cast<std::chrono::seconds>(opt_.clock->Now().time_since_epoch()).count());
}

// --- 2. assume role
Result<ChainResolver::Found> ChainResolver::FromAssumeRoleProfile() {
  std::set<std::string> visited;
  return AssumeRoleFor(config_.profile(), visited);
}

Result<ChainResolver::Found> ChainResolver::AssumeRoleFor(const std::string& profile,
                                                          std::set<std::string>& visited) {
  auto role_arn = config_.Get(profile, "role_arn");
  if (!role_arn) {
    return Found();
  }
  auto source_profile = config_.Get(profile, "source_profile");
  auto credential_source = config_.Get(profile, "credential_source");
  if (source_profile && credential_source) {
    return Error::InvalidArgument("profile " + profile + " has both source_profile and credential_source");
  }
  if (!source_profile && !credential_source) {
    if (config_.Get(profile, "web_identity_token_file")) {
      return Found();  // web identity handles it
    }
    return Error::InvalidArgument("profile " + profile +
                                  " has role_arn but neither source_profile nor credential_source");
  }
  if (config_.Get(profile, "mfa_serial")) {
    return Error::InvalidArgument("profile " + profile +
                                  " needs an MFA code (mfa_serial), which is not supported");
  }
  visited.insert(profile);
  auto source = credential_source ? CredentialSource(*credential_source, profile)
                                  : SourceProfileCredentials(*source_profile, profile, visited);
  if (!source.ok()) {
    return source.error();
  }
  AssumeRoleRequest req;
  req.role_arn = *role_arn;
  req.role_session_name = config_.Get(profile, "role_session_name").value_or(DefaultSessionName());
  req.external_id = config_.Get(profile, "external_id").value_or("");
  req.duration_seconds = 3600;
  if (auto d = config_.Get(profile, "duration_seconds")) {
    try {
      req.duration_seconds = std::stoi(*d);
    } catch (const std::exception&) {
      return Error::InvalidArgument("duration_seconds is not a number in profile " + profile);
    }
  }
  return Expiring(
      [source = *source, req, sts = StsEndpoint(profile), http = opt_.http, clock = opt_.clock,
       retry = retry_]() -> Result<Credentials> {
        ServiceCaller caller(*http, source.get(), *clock, *retry);
        StsClient client(caller, sts);
        auto r = client.AssumeRole(req);
        if (!r.ok()) {
          return r.error().ToError();
        }
        return r->credentials;
      },
      "assume-role " + *role_arn);
}

// credential_source = Environment | Ec2InstanceMetadata | EcsContainer.
Result<ChainResolver::ProviderPtr> ChainResolver::CredentialSource(const std::string& source,
                                                                   const std::string& profile) {
  Result<Found> s = Found();
  if (source == "Environment") {
    s = EnvironmentProvider();
  } else if (source == "Ec2InstanceMetadata") {
    s = FromImds();
  } else if (source == "EcsContainer") {
    s = FromContainer();
  } else {
    return Error::InvalidArgument("unknown credential_source " + source + " in profile " + profile);
  }
  if (!s.ok()) {
    return s.error();
  }
  if (!*s) {
    return Error::Unauthenticated("credential_source " + source + " gave no credentials");
  }
  return **s;
}

Result<ChainResolver::ProviderPtr> ChainResolver::SourceProfileCredentials(const std::string& source,
                                                                           const std::string& from,
                                                                           std::set<std::string>& visited) {
  if (!config_.HasProfile(source)) {
    return Error::NotFound("The source profile (" + source + ") of profile " + from + " could not be found");
  }
  bool self_with_keys = source == from && StaticKeys(source, true).has_value();
  if (self_with_keys) {
    return ProviderPtr(
        std::make_shared<StaticCredentialsProvider>(*StaticKeys(source, true), "profile " + source));
  }
  if (visited.count(source) != 0) {
    return Error::InvalidArgument("Infinite loop in credential configuration detected: " + source);
  }
  if (config_.Get(source, "role_arn")) {
    auto r = AssumeRoleFor(source, visited);
    if (!r.ok()) {
      return r.error();
    }
    if (*r) {
      return **r;
    }
  }
  if (auto keys = StaticKeys(source, true)) {
    return ProviderPtr(std::make_shared<StaticCredentialsProvider>(*keys, "profile " + source));
  }
  for (auto step : {&ChainResolver::ProcessFor, &ChainResolver::SsoFor, &ChainResolver::WebIdentityFor}) {
    auto r = (this->*step)(source);
    if (!r.ok()) {
      return r.error();
    }
    if (*r) {
      return **r;
    }
  }
  return Error::Unauthenticated("source profile " + source + " has no credentials");
}

// --- 3. web identity
Result<ChainResolver::Found> ChainResolver::FromWebIdentity() {
  std::string token_file = Env("AWS_WEB_IDENTITY_TOKEN_FILE");
  std::string role_arn = Env("AWS_ROLE_ARN");
  if (!token_file.empty() && !role_arn.empty()) {
    return WebIdentity(token_file, role_arn, Env("AWS_ROLE_SESSION_NAME"), config_.profile());
  }
  return WebIdentityFor(config_.profile());
}

Result<ChainResolver::Found> ChainResolver::WebIdentityFor(const std::string& profile) {
  auto token_file = config_.Get(profile, "web_identity_token_file");
  if (!token_file) {
    return Found();
  }
  auto role_arn = config_.Get(profile, "role_arn");
  if (!role_arn) {
    return Error::InvalidArgument("profile " + profile + " has web_identity_token_file but no role_arn");
  }
  return WebIdentity(*token_file, *role_arn, config_.Get(profile, "role_session_name").value_or(""), profile);
}

Result<ChainResolver::Found> ChainResolver::WebIdentity(const std::string& token_file,
                                                        const std::string& role_arn, std::string session,
                                                        const std::string& profile) {
  if (session.empty()) {
    session = DefaultSessionName();
  }
  return Expiring(
      [path = ExpandPath(token_file, env_), role_arn, session, sts = StsEndpoint(profile), http = opt_.http,
       clock = opt_.clock, retry = retry_]() -> Result<Credentials> {
        auto token = ReadWholeFile(path);  // reread on every refresh
        if (!token.ok()) {
          return Error::Unauthenticated("cannot read web identity token file " + path);
        }
        while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) {
          token->pop_back();
        }
        ServiceCaller caller(*http, nullptr, *clock, *retry);
        StsClient client(caller, sts);
        auto r = client.AssumeRoleWithWebIdentity({role_arn, session, *token, std::nullopt});
        if (!r.ok()) {
          return r.error().ToError();
        }
        return r->credentials;
      },
      "web-identity " + role_arn);
}

}  // namespace lmcp::aws
