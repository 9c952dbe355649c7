// Credential sources read on this machine: environment keys (step 1), static keys in the shared credentials
// and config files (steps 5 and 7), credential_process (step 6).

#include "aws/credentials_chain_internal.h"
#include "aws/json_util.h"
#include "common/iso8601.h"
#include "common/json.h"

namespace lmcp::aws {
namespace {

Result<Credentials> ReadEnvironmentKeys(const EnvLookup& env) {
  auto get = [&](const char* name) { return env(name).value_or(""); };
  std::string key = get("AWS_ACCESS_KEY_ID"), secret = get("AWS_SECRET_ACCESS_KEY");
  if (key.empty()) {
    return Error::NotFound("AWS_ACCESS_KEY_ID not set");
  }
  if (secret.empty()) {
    return Error::InvalidArgument("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  Credentials c{key, secret, get("AWS_SECURITY_TOKEN"), std::nullopt};
  if (c.session_token.empty()) {
    c.session_token = get("AWS_SESSION_TOKEN");
  }
  if (std::string exp = get("AWS_CREDENTIAL_EXPIRATION"); !exp.empty()) {
    c.expiration = ParseIso8601(exp);
    if (!c.expiration) {
      return Error::InvalidArgument("AWS_CREDENTIAL_EXPIRATION is not ISO-8601: " + exp);
    }
  }
  return c;
}

// Runs the credential_process command once and reads its JSON (Version 1).
Result<Credentials> RunCredentialProcess(const ProcessRunner& run, const std::vector<std::string>& argv) {
  auto out = run(argv);
  if (!out.ok()) {
    return out.error();
  }
  if (out->exit_code != 0) {
    return Error::Unauthenticated("credential_process exited with " + std::to_string(out->exit_code) + ": " +
                                  out->err);
  }
  auto j = ParseJsonOrDiscarded(out->out);
  if (j.is_discarded() || !j.is_object()) {
    return Error::Unauthenticated("credential_process printed no JSON");
  }
  if (!j.contains("Version") || j["Version"] != 1) {
    return Error::Unauthenticated("credential_process: unsupported Version (expected 1)");
  }
  auto c = CredentialsFromJson(j, "SessionToken");
  if (!c) {
    return Error::Unauthenticated("credential_process: missing AccessKeyId or SecretAccessKey");
  }
  if (std::string exp = JsonString(j, "Expiration"); !exp.empty() && !c->expiration) {
    return Error::Unauthenticated("credential_process: bad Expiration " + exp);
  }
  return *c;
}

}  // namespace

// --- 1. environment
Result<ChainResolver::Found> ChainResolver::EnvironmentProvider() {
  auto c = ReadEnvironmentKeys(env_);
  if (!c.ok()) {
    return c.error().code == ErrorCode::kNotFound ? Result<Found>(Found()) : Result<Found>(c.error());
  }
  if (!c->expiration) {
    return Found(std::make_shared<StaticCredentialsProvider>(*c, "environment"));
  }
  return Expiring([env = env_] { return ReadEnvironmentKeys(env); }, "environment");
}

Result<ChainResolver::Found> ChainResolver::FromEnvironment() {
  if (opt_.profile_chosen_explicitly) {
    return Found();
  }
  return EnvironmentProvider();
}

// --- 5 and 7. static keys
std::optional<Credentials> ChainResolver::StaticKeys(const std::string& profile, bool either_file) const {
  for (const IniSection* s :
       {config_.CredentialsSection(profile), either_file ? config_.ConfigSection(profile) : nullptr}) {
    if (s == nullptr) {
      continue;
    }
    const std::string* key = s->Find("aws_access_key_id");
    const std::string* secret = s->Find("aws_secret_access_key");
    if (key == nullptr || secret == nullptr) {
      continue;
    }
    Credentials c{*key, *secret, "", std::nullopt};
    if (const std::string* t = s->Find("aws_session_token")) {
      c.session_token = *t;
    } else if (const std::string* t2 = s->Find("aws_security_token")) {
      c.session_token = *t2;
    }
    return c;
  }
  return std::nullopt;
}

Result<ChainResolver::Found> ChainResolver::FromCredentialsFile() {
  if (auto c = StaticKeys(config_.profile(), false)) {
    return Found(std::make_shared<StaticCredentialsProvider>(*c, "shared credentials file"));
  }
  return Found();
}

Result<ChainResolver::Found> ChainResolver::FromConfigFile() {
  const IniSection* s = config_.ConfigSection(config_.profile());
  if (s == nullptr || !s->Find("aws_access_key_id") || !s->Find("aws_secret_access_key")) {
    return Found();
  }
  Credentials c{*s->Find("aws_access_key_id"), *s->Find("aws_secret_access_key"), "", std::nullopt};
  if (const std::string* t = s->Find("aws_session_token")) {
    c.session_token = *t;
  }
  return Found(std::make_shared<StaticCredentialsProvider>(c, "config file"));
}

// --- 6. credential_process
Result<ChainResolver::Found> ChainResolver::FromProcess() { return ProcessFor(config_.profile()); }

Result<ChainResolver::Found> ChainResolver::ProcessFor(const std::string& profile) {
  auto command = config_.Get(profile, "credential_process");
  if (!command) {
    return Found();
  }
  auto argv = SplitCommandLine(*command);
  if (!argv.ok()) {
    return argv.error();
  }
  auto fetch = [run = opt_.run_process, argv = *argv]() { return RunCredentialProcess(run, argv); };
  auto first = fetch();
  if (!first.ok()) {
    return Error{first.error().code, "profile " + profile + ": " + first.error().message};
  }
  if (!first->expiration) {
    return Found(std::make_shared<StaticCredentialsProvider>(*first, "credential_process"));
  }
  return Found(
      std::make_shared<RefreshingCredentialsProvider>(fetch, *opt_.clock, "credential_process", *first));
}

}  // namespace lmcp::aws
