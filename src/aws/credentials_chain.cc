#include "aws/credentials_chain.h"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <set>

#include "aws/imds.h"
#include "aws/json_util.h"
#include "aws/service_caller.h"
#include "aws/sts_client.h"
#include "aws/url.h"
#include "common/crypto.h"
#include "common/file.h"
#include "common/iso8601.h"
#include "common/json.h"
#include "common/log_text.h"

namespace lmcp::aws {
namespace {

using ProviderPtr = std::shared_ptr<CredentialsProvider>;
using Found = std::optional<ProviderPtr>;

std::string Sha1Hex(std::string_view s) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

class Chain {
 public:
  Chain(const ProfileConfig& config, const CredentialsChainOptions& options)
      : config_(config), opt_(options), env_(options.env) {
    if (!opt_.run_process) opt_.run_process = RunProcess;
    // Refresh functions outlive this object, so they share the retry policy by pointer ownership.
    retry_ = opt_.retry == nullptr ? std::make_shared<RetryPolicy>()
                                   : std::shared_ptr<RetryPolicy>(opt_.retry, [](RetryPolicy*) {});
  }

  Result<ProviderPtr> Resolve() {
    using Step = Result<Found> (Chain::*)();
    const Step steps[] = {&Chain::FromEnvironment, &Chain::FromAssumeRoleProfile, &Chain::FromWebIdentity,
                          &Chain::FromSso,         &Chain::FromCredentialsFile,   &Chain::FromProcess,
                          &Chain::FromConfigFile,  &Chain::FromContainer,         &Chain::FromImds};
    for (Step step : steps) {
      Result<Found> r = (this->*step)();
      if (!r.ok()) return r.error();
      if (r.value()) {
        spdlog::debug("AWS credentials from {}", ForLog((*r.value())->source()));
        return *r.value();
      }
    }
    return Error::Unauthenticated("Unable to locate credentials (environment, profile '" + config_.profile() +
                                  "', container and instance metadata all gave none)");
  }

 private:
  std::string Env(const std::string& name) const { return env_(name).value_or(""); }

  // Validates by fetching once, so a configured-but-failing source is reported at start-up.
  Result<Found> Expiring(RefreshingCredentialsProvider::Fetch fetch, std::string source) {
    auto provider = std::make_shared<RefreshingCredentialsProvider>(std::move(fetch), *opt_.clock, source);
    auto first = provider->GetCredentials();
    if (!first.ok()) return Error{first.error().code, source + ": " + first.error().message};
    return Found(provider);
  }

  // --- 1. environment
  static Result<Credentials> ReadEnvironmentKeys(const EnvLookup& env_) {
    auto Env = [&](const char* name) { return env_(name).value_or(""); };
    std::string key = Env("AWS_ACCESS_KEY_ID"), secret = Env("AWS_SECRET_ACCESS_KEY");
    if (key.empty()) return Error::NotFound("AWS_ACCESS_KEY_ID not set");
    if (secret.empty())
      return Error::InvalidArgument("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    Credentials c{key, secret, Env("AWS_SECURITY_TOKEN"), std::nullopt};
    if (c.session_token.empty()) c.session_token = Env("AWS_SESSION_TOKEN");
    if (std::string exp = Env("AWS_CREDENTIAL_EXPIRATION"); !exp.empty()) {
      c.expiration = ParseIso8601(exp);
      if (!c.expiration) return Error::InvalidArgument("AWS_CREDENTIAL_EXPIRATION is not ISO-8601: " + exp);
    }
    return c;
  }

  Result<Found> EnvironmentProvider() {
    auto c = ReadEnvironmentKeys(env_);
    if (!c.ok())
      return c.error().code == ErrorCode::kNotFound ? Result<Found>(Found()) : Result<Found>(c.error());
    if (!c->expiration) return Found(std::make_shared<StaticCredentialsProvider>(*c, "environment"));
    return Expiring([env = env_] { return ReadEnvironmentKeys(env); }, "environment");
  }

  Result<Found> FromEnvironment() {
    if (opt_.profile_chosen_explicitly) return Found();
    return EnvironmentProvider();
  }

  // --- 2. assume role
  Result<Found> FromAssumeRoleProfile() {
    std::set<std::string> visited;
    return AssumeRoleFor(config_.profile(), visited);
  }

  Result<Found> AssumeRoleFor(const std::string& profile, std::set<std::string>& visited) {
    auto role_arn = config_.Get(profile, "role_arn");
    if (!role_arn) return Found();
    auto source_profile = config_.Get(profile, "source_profile");
    auto credential_source = config_.Get(profile, "credential_source");
    if (source_profile && credential_source) {
      return Error::InvalidArgument("profile " + profile + " has both source_profile and credential_source");
    }
    if (!source_profile && !credential_source) {
      if (config_.Get(profile, "web_identity_token_file")) return Found();  // web identity handles it
      return Error::InvalidArgument("profile " + profile +
                                    " has role_arn but neither source_profile nor credential_source");
    }
    if (config_.Get(profile, "mfa_serial")) {
      return Error::InvalidArgument("profile " + profile +
                                    " needs an MFA code (mfa_serial), which is not supported");
    }
    visited.insert(profile);
    ProviderPtr source;
    if (credential_source) {
      Result<Found> s = Found();
      if (*credential_source == "Environment") {
        s = EnvironmentProvider();
      } else if (*credential_source == "Ec2InstanceMetadata") {
        s = FromImds();
      } else if (*credential_source == "EcsContainer") {
        s = FromContainer();
      } else {
        return Error::InvalidArgument("unknown credential_source " + *credential_source + " in profile " +
                                      profile);
      }
      if (!s.ok()) return s.error();
      if (!*s)
        return Error::Unauthenticated("credential_source " + *credential_source + " gave no credentials");
      source = **s;
    } else {
      auto s = SourceProfileCredentials(*source_profile, profile, visited);
      if (!s.ok()) return s.error();
      source = *s;
    }
    AssumeRoleRequest req;
    req.role_arn = *role_arn;
    req.role_session_name =
        config_.Get(profile, "role_session_name")
            .value_or("botocore-session-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                               opt_.clock->Now().time_since_epoch())
                                                               .count()));
    req.external_id = config_.Get(profile, "external_id").value_or("");
    req.duration_seconds = 3600;
    if (auto d = config_.Get(profile, "duration_seconds")) {
      try {
        req.duration_seconds = std::stoi(*d);
      } catch (const std::exception&) {
        return Error::InvalidArgument("duration_seconds is not a number in profile " + profile);
      }
    }
    ServiceEndpoint sts = StsEndpoint(profile);
    HttpClient* http = opt_.http;
    Clock* clock = opt_.clock;
    std::shared_ptr<RetryPolicy> retry = retry_;
    return Expiring(
        [=]() -> Result<Credentials> {
          ServiceCaller caller(*http, source.get(), *clock, *retry);
          StsClient client(caller, sts);
          auto r = client.AssumeRole(req);
          if (!r.ok()) return r.error().ToError();
          return r->credentials;
        },
        "assume-role " + *role_arn);
  }

  Result<ProviderPtr> SourceProfileCredentials(const std::string& source, const std::string& from,
                                               std::set<std::string>& visited) {
    if (!config_.HasProfile(source)) {
      return Error::NotFound("The source profile (" + source + ") of profile " + from +
                             " could not be found");
    }
    bool self_with_keys = source == from && StaticKeys(source, true).has_value();
    if (self_with_keys)
      return ProviderPtr(
          std::make_shared<StaticCredentialsProvider>(*StaticKeys(source, true), "profile " + source));
    if (visited.count(source) != 0) {
      return Error::InvalidArgument("Infinite loop in credential configuration detected: " + source);
    }
    if (config_.Get(source, "role_arn")) {
      auto r = AssumeRoleFor(source, visited);
      if (!r.ok()) return r.error();
      if (*r) return **r;
    }
    if (auto keys = StaticKeys(source, true)) {
      return ProviderPtr(std::make_shared<StaticCredentialsProvider>(*keys, "profile " + source));
    }
    for (auto step : {&Chain::ProcessFor, &Chain::SsoFor, &Chain::WebIdentityFor}) {
      auto r = (this->*step)(source);
      if (!r.ok()) return r.error();
      if (*r) return **r;
    }
    return Error::Unauthenticated("source profile " + source + " has no credentials");
  }

  ServiceEndpoint StsEndpoint(const std::string& profile) const {
    std::string region = Env("AWS_REGION");
    if (region.empty()) region = Env("AWS_DEFAULT_REGION");
    if (region.empty()) region = config_.Get(profile, "region").value_or("us-east-1");
    ResolvedEndpoint e = ResolveEndpoint(StsService(), region, env_, config_);
    std::string signing_region = e.url == "https://sts.amazonaws.com" ? "us-east-1" : region;
    return ServiceEndpoint{e.url, signing_region, "sts"};
  }

  // --- 3. web identity
  Result<Found> FromWebIdentity() {
    std::string token_file = Env("AWS_WEB_IDENTITY_TOKEN_FILE");
    std::string role_arn = Env("AWS_ROLE_ARN");
    if (!token_file.empty() && !role_arn.empty()) {
      return WebIdentity(token_file, role_arn, Env("AWS_ROLE_SESSION_NAME"), config_.profile());
    }
    return WebIdentityFor(config_.profile());
  }

  Result<Found> WebIdentityFor(const std::string& profile) {
    auto token_file = config_.Get(profile, "web_identity_token_file");
    if (!token_file) return Found();
    auto role_arn = config_.Get(profile, "role_arn");
    if (!role_arn)
      return Error::InvalidArgument("profile " + profile + " has web_identity_token_file but no role_arn");
    return WebIdentity(*token_file, *role_arn, config_.Get(profile, "role_session_name").value_or(""),
                       profile);
  }

  Result<Found> WebIdentity(const std::string& token_file, const std::string& role_arn, std::string session,
                            const std::string& profile) {
    if (session.empty()) {
      session =
          "botocore-session-" +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(opt_.clock->Now().time_since_epoch()).count());
    }
    std::string path = ExpandPath(token_file, env_);
    ServiceEndpoint sts = StsEndpoint(profile);
    HttpClient* http = opt_.http;
    Clock* clock = opt_.clock;
    std::shared_ptr<RetryPolicy> retry = retry_;
    return Expiring(
        [=]() -> Result<Credentials> {
          auto token = ReadWholeFile(path);  // reread on every refresh
          if (!token) return Error::Unauthenticated("cannot read web identity token file " + path);
          while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
          ServiceCaller caller(*http, nullptr, *clock, *retry);
          StsClient client(caller, sts);
          auto r = client.AssumeRoleWithWebIdentity({role_arn, session, *token, std::nullopt});
          if (!r.ok()) return r.error().ToError();
          return r->credentials;
        },
        "web-identity " + role_arn);
  }

  // --- 4. SSO
  Result<Found> FromSso() { return SsoFor(config_.profile()); }

  Result<Found> SsoFor(const std::string& profile) {
    auto session_name = config_.Get(profile, "sso_session");
    std::string start_url, sso_region, cache_key;
    if (session_name) {
      const IniSection* s = config_.SsoSession(*session_name);
      if (s == nullptr)
        return Error::NotFound("sso-session " + *session_name + " not found in the config file");
      start_url = s->Find("sso_start_url") ? *s->Find("sso_start_url") : "";
      sso_region = s->Find("sso_region") ? *s->Find("sso_region") : "";
      cache_key = Sha1Hex(*session_name);
    } else if (auto url = config_.Get(profile, "sso_start_url")) {
      start_url = *url;
      sso_region = config_.Get(profile, "sso_region").value_or("");
      cache_key = Sha1Hex(start_url);
    } else {
      return Found();
    }
    std::string account = config_.Get(profile, "sso_account_id").value_or("");
    std::string role = config_.Get(profile, "sso_role_name").value_or("");
    if (start_url.empty() || sso_region.empty() || account.empty() || role.empty()) {
      return Error::InvalidArgument("profile " + profile +
                                    " SSO configuration needs sso_start_url, sso_region, sso_account_id and "
                                    "sso_role_name");
    }
    std::string cache_file = ExpandPath("~/.aws/sso/cache/" + cache_key + ".json", env_);
    HttpClient* http = opt_.http;
    Clock* clock = opt_.clock;
    std::shared_ptr<RetryPolicy> retry = retry_;
    return Expiring(
        [=]() -> Result<Credentials> {
          auto text = ReadWholeFile(cache_file);
          if (!text) return Error::Unauthenticated("no SSO token in " + cache_file + "; run `aws sso login`");
          auto j = ParseJsonOrDiscarded(*text);
          if (j.is_discarded() || !j.is_object())
            return Error::Unauthenticated("malformed SSO token cache " + cache_file);
          std::string token = JsonString(j, "accessToken");
          auto expires = ParseIso8601(JsonString(j, "expiresAt"));
          if (token.empty() || !expires || *expires <= clock->Now()) {
            return Error::Unauthenticated(
                "The SSO session associated with this profile has expired or is "
                "otherwise invalid; run `aws sso login`");
          }
          ServiceCaller caller(*http, nullptr, *clock, *retry);
          OperationRequest op;
          op.operation = "GetRoleCredentials";
          op.path = "/federation/credentials";
          op.query = {{"role_name", role}, {"account_id", account}};
          op.headers = {{"x-amz-sso_bearer_token", token}};
          op.sign = false;
          auto r =
              caller.Call({"https://portal.sso." + sso_region + ".amazonaws.com", sso_region, "awsssoportal"},
                          Protocol::kRestJson, op);
          if (!r.ok()) return r.error().ToError();
          auto body = ParseJsonOrDiscarded(r->body);
          if (body.is_discarded() || !body.contains("roleCredentials")) {
            return Error::Unauthenticated("malformed SSO GetRoleCredentials reply");
          }
          const auto& rc = body["roleCredentials"];
          Credentials c{JsonString(rc, "accessKeyId"), JsonString(rc, "secretAccessKey"),
                        JsonString(rc, "sessionToken"), std::nullopt};
          if (rc.contains("expiration") && rc["expiration"].is_number()) {
            c.expiration = std::chrono::system_clock::time_point(
                std::chrono::milliseconds(rc["expiration"].get<long long>()));
          }
          if (c.access_key_id.empty() || c.secret_access_key.empty()) {
            return Error::Unauthenticated("SSO GetRoleCredentials reply without keys");
          }
          return c;
        },
        "sso " + profile);
  }

  // --- 5 and 7. static keys
  std::optional<Credentials> StaticKeys(const std::string& profile, bool either_file) const {
    for (const IniSection* s :
         {config_.CredentialsSection(profile), either_file ? config_.ConfigSection(profile) : nullptr}) {
      if (s == nullptr) continue;
      const std::string* key = s->Find("aws_access_key_id");
      const std::string* secret = s->Find("aws_secret_access_key");
      if (key == nullptr || secret == nullptr) continue;
      Credentials c{*key, *secret, "", std::nullopt};
      if (const std::string* t = s->Find("aws_session_token"))
        c.session_token = *t;
      else if (const std::string* t2 = s->Find("aws_security_token"))
        c.session_token = *t2;
      return c;
    }
    return std::nullopt;
  }

  Result<Found> FromCredentialsFile() {
    if (auto c = StaticKeys(config_.profile(), false)) {
      return Found(std::make_shared<StaticCredentialsProvider>(*c, "shared credentials file"));
    }
    return Found();
  }

  Result<Found> FromConfigFile() {
    const IniSection* s = config_.ConfigSection(config_.profile());
    if (s == nullptr || !s->Find("aws_access_key_id") || !s->Find("aws_secret_access_key")) return Found();
    Credentials c{*s->Find("aws_access_key_id"), *s->Find("aws_secret_access_key"), "", std::nullopt};
    if (const std::string* t = s->Find("aws_session_token")) c.session_token = *t;
    return Found(std::make_shared<StaticCredentialsProvider>(c, "config file"));
  }

  // --- 6. credential_process
  Result<Found> FromProcess() { return ProcessFor(config_.profile()); }

  Result<Found> ProcessFor(const std::string& profile) {
    auto command = config_.Get(profile, "credential_process");
    if (!command) return Found();
    auto argv = SplitCommandLine(*command);
    if (!argv.ok()) return argv.error();
    ProcessRunner run = opt_.run_process;
    auto fetch = [run, argv = *argv]() -> Result<Credentials> {
      auto out = run(argv);
      if (!out.ok()) return out.error();
      if (out->exit_code != 0) {
        return Error::Unauthenticated("credential_process exited with " + std::to_string(out->exit_code) +
                                      ": " + out->err);
      }
      auto j = ParseJsonOrDiscarded(out->out);
      if (j.is_discarded() || !j.is_object())
        return Error::Unauthenticated("credential_process printed no JSON");
      if (!j.contains("Version") || j["Version"] != 1) {
        return Error::Unauthenticated("credential_process: unsupported Version (expected 1)");
      }
      Credentials c{JsonString(j, "AccessKeyId"), JsonString(j, "SecretAccessKey"), JsonString(j, "SessionToken"),
                    std::nullopt};
      if (c.access_key_id.empty() || c.secret_access_key.empty()) {
        return Error::Unauthenticated("credential_process: missing AccessKeyId or SecretAccessKey");
      }
      if (std::string exp = JsonString(j, "Expiration"); !exp.empty()) {
        c.expiration = ParseIso8601(exp);
        if (!c.expiration) return Error::Unauthenticated("credential_process: bad Expiration " + exp);
      }
      return c;
    };
    auto first = fetch();
    if (!first.ok()) return Error{first.error().code, "profile " + profile + ": " + first.error().message};
    if (!first->expiration)
      return Found(std::make_shared<StaticCredentialsProvider>(*first, "credential_process"));
    return Found(
        std::make_shared<RefreshingCredentialsProvider>(fetch, *opt_.clock, "credential_process", *first));
  }

  // --- 8. container
  Result<Found> FromContainer() {
    std::string relative = Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    std::string full = Env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    std::string url;
    if (!relative.empty()) {
      url = "http://169.254.170.2" + relative;
    } else if (!full.empty()) {
      auto parsed = ParseUrl(full);
      if (!parsed.ok()) return Error::InvalidArgument("bad AWS_CONTAINER_CREDENTIALS_FULL_URI: " + full);
      const std::string& h = parsed->host;
      bool allowed = parsed->scheme == "https" || h == "localhost" || h.starts_with("127.") || h == "[::1]" ||
                     h == "169.254.170.2" || h == "169.254.170.23" || h == "[fd00:ec2::23]";
      if (!allowed) {
        return Error::InvalidArgument(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/ECS address: " + full);
      }
      url = full;
    } else {
      return Found();
    }
    std::string token_file = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    std::string token_env = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    HttpClient* http = opt_.http;
    return Expiring(
        [=]() -> Result<Credentials> {
          std::string token = token_env;
          if (!token_file.empty()) {
            auto t = ReadWholeFile(token_file);
            if (!t)
              return Error::Unauthenticated("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " +
                                            token_file);
            token = *t;
            while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
          }
          if (token.find_first_of("\r\n") != std::string::npos) {
            return Error::InvalidArgument("container authorization token contains CR or LF");
          }
          HttpRequest req{.method = "GET", .url = url};
          req.connect_timeout = std::chrono::seconds(2);
          req.read_timeout = std::chrono::seconds(2);
          req.headers = {{"Accept", "application/json"}};
          if (!token.empty()) req.headers.emplace_back("Authorization", token);
          std::string last_error;
          for (int attempt = 0; attempt < 3; ++attempt) {
            HttpResult r = http->Send(req);
            if (!r.ok()) {
              last_error = r.error().message;
              continue;
            }
            if (r->status >= 500) {
              last_error = "HTTP " + std::to_string(r->status);
              continue;
            }
            if (r->status != 200) {
              return Error::Unauthenticated("container credentials endpoint answered " +
                                            std::to_string(r->status));
            }
            auto j = ParseJsonOrDiscarded(r->body);
            if (j.is_discarded() || !j.is_object())
              return Error::Unauthenticated("container credentials: bad JSON");
            Credentials c{JsonString(j, "AccessKeyId"), JsonString(j, "SecretAccessKey"), JsonString(j, "Token"),
                          std::nullopt};
            if (c.access_key_id.empty() || c.secret_access_key.empty()) {
              return Error::Unauthenticated("container credentials: missing keys");
            }
            if (std::string exp = JsonString(j, "Expiration"); !exp.empty()) c.expiration = ParseIso8601(exp);
            return c;
          }
          return Error::Unavailable("container credentials endpoint unreachable: " + last_error);
        },
        "container");
  }

  // --- 9. IMDS
  Result<Found> FromImds() {
    if (IsTrue(env_("AWS_EC2_METADATA_DISABLED"))) return Found();
    ImdsSettings s;
    s.base = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (s.base.empty()) {
      std::string mode = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
      s.base = mode == "IPv6" || mode == "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
    }
    while (!s.base.empty() && s.base.back() == '/') s.base.pop_back();
    try {
      if (std::string t = Env("AWS_METADATA_SERVICE_TIMEOUT"); !t.empty()) {
        s.timeout = std::chrono::milliseconds(static_cast<long>(std::stod(t) * 1000));
      }
      if (std::string n = Env("AWS_METADATA_SERVICE_NUM_ATTEMPTS"); !n.empty())
        s.attempts = std::max(1, std::stoi(n));
    } catch (const std::exception&) {
      return Error::InvalidArgument("AWS_METADATA_SERVICE_TIMEOUT / _NUM_ATTEMPTS must be numbers");
    }
    s.v1_disabled = IsTrue(env_("AWS_EC2_METADATA_V1_DISABLED"));
    auto first = FetchImds(*opt_.http, s);
    if (!first.ok()) return first.error();
    if (!*first) return Found();
    HttpClient* http = opt_.http;
    return Found(std::make_shared<RefreshingCredentialsProvider>(
        [http, s]() -> Result<Credentials> {
          auto r = FetchImds(*http, s);
          if (!r.ok()) return r.error();
          if (!*r) return Error::Unavailable("instance metadata no longer reachable");
          return **r;
        },
        *opt_.clock, "instance metadata", **first));
  }

  const ProfileConfig& config_;
  CredentialsChainOptions opt_;
  EnvLookup env_;
  std::shared_ptr<RetryPolicy> retry_;
};

}  // namespace

Result<std::shared_ptr<CredentialsProvider>> ResolveCredentialsChain(const ProfileConfig& config,
                                                                     const CredentialsChainOptions& options) {
  if (!options.env || options.http == nullptr || options.clock == nullptr) {
    return Error::InvalidArgument("ResolveCredentialsChain needs env, http and clock");
  }
  return Chain(config, options).Resolve();
}

}  // namespace lmcp::aws
