#include "app/doctor.h"

#include <algorithm>
#include <optional>

#include "aws/aws_session.h"
#include "catalog/aws_lambda_backend.h"
#include "catalog/discovery.h"
#include "common/log_text.h"

namespace lmcp::app {
namespace {

using Level = Finding::Level;

// "a, b, c and 4 more".
std::string ListOf(const std::vector<std::string>& items, std::size_t shown = 8) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < shown; ++i) {
    out += (i == 0 ? "" : ", ") + items[i];
  }
  if (items.size() > shown) {
    out += " and " + std::to_string(items.size() - shown) + " more";
  }
  return out;
}

// Where the region came from, in the order aws::ResolveRegion (and the target's own setting) looks.
std::string RegionSource(const catalog::TargetOptions& target, const aws::EnvLookup& env,
                         const std::string& profile) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (const std::string value = env(name).value_or(""); !value.empty()) {
      if (target.region.empty() || target.region == value) {
        return name;
      }
      break;
    }
  }
  if (!target.region.empty()) {
    return target.name == "default" ? "--region" : "the target's region";
  }
  return "profile " + profile;
}

// The fix for a session that cannot be built, by its cause (aws::AwsSession::Create's messages).
std::string SessionFix(const std::string& message) {
  if (message.find("config profile") != std::string::npos) {
    return "add the profile to ~/.aws/config (`aws configure --profile NAME`), or unset AWS_PROFILE";
  }
  if (message.find("no AWS region") != std::string::npos) {
    return "set AWS_REGION (e.g. us-east-1), or a region in the AWS profile";
  }
  return "correct the setting the message names";
}

// The fix for credentials that were sent and refused.
std::string RefusedCredentialsFix(const std::string& key_hint) {
  return "AWS refused the credentials: check the secret key (and session token) that go with access key " +
         key_hint + ", or use another profile";
}

// "…CDEF": enough of an access key id to tell keys apart, not the whole id.
std::string KeyHint(const aws::Credentials& c) {
  const std::string& id = c.access_key_id;
  return "..." + id.substr(id.size() - std::min<std::size_t>(4, id.size()));
}

// Who the credentials belong to, for fixes: the ARN when STS told us.
std::string Principal(const std::optional<aws::CallerIdentity>& identity) {
  return identity ? identity->arn : "the credentials lambda-mcp uses";
}

std::vector<Finding> CheckCredentials(const catalog::TargetOptions& target, aws::AwsSession& session,
                                      const aws::EnvLookup& env, bool* usable) {
  std::vector<Finding> out;
  const std::string source = session.credentials().source();
  auto creds = session.credentials().GetCredentials();
  *usable = creds.ok();
  if (!creds.ok()) {
    out.push_back(
        Finding::Fail("credentials", creds.error().message,
                      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile in "
                      "~/.aws/config (run `aws sso login` for an SSO profile), or run where an instance or "
                      "container role is available"));
    return out;
  }
  out.push_back(Finding::Ok("credentials", source + ", access key " + KeyHint(*creds)));
  // A named profile is explicit, like `aws --profile` (and the reference server's AWS_PROFILE): it skips the
  // environment's keys, which the AWS CLI alone would have used first.
  if (target.credentials.kind != catalog::CredentialOptions::Kind::kDefaultChain &&
      !target.credentials.profile.empty() && !env("AWS_ACCESS_KEY_ID").value_or("").empty()) {
    const bool from_env = target.name == "default";
    out.push_back(Finding::Note(
        "credentials",
        (from_env ? "AWS_PROFILE=" : "the target's profile ") + ForLog(target.credentials.profile) +
            " is used; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment are ignored "
            "(a named profile wins, as with `aws --profile`)",
        from_env ? "to use the environment's keys, unset AWS_PROFILE" : ""));
  }
  return out;
}

Finding CheckIdentity(aws::AwsSession& session, const std::string& key_hint,
                      std::optional<aws::CallerIdentity>* identity) {
  auto who = session.sts().GetCallerIdentity();
  if (who.ok()) {
    *identity = *who;
    return Finding::Ok("identity", who->arn + " (account " + who->account + ")");
  }
  const aws::AwsError& e = who.error();
  if (e.transport) {
    return Finding::Fail(
        "identity", "STS at " + session.sts().endpoint().url + " did not answer: " + e.ToString(),
        "set AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL) to an STS endpoint this machine reaches");
  }
  return Finding::Fail("identity", e.ToString(),
                       e.ToError().code == ErrorCode::kUnauthenticated || e.http_status == 403
                           ? RefusedCredentialsFix(key_hint)
                           : "check the STS endpoint (AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL)");
}

// ListFunctions, which also tells whether the Lambda endpoint answers. False when later checks are pointless.
bool CheckList(aws::AwsSession& session, const std::string& key_hint,
               const std::optional<aws::CallerIdentity>& identity, std::vector<Finding>& out) {
  const std::string url = session.lambda().endpoint().url;
  auto listed = session.lambda().ListAllFunctions();
  if (!listed.ok() && listed.error().transport) {
    out.push_back(
        Finding::Fail("endpoint", url + " did not answer: " + listed.error().ToString(),
                      "check the network, AWS_REGION and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_LAMBDA"));
    return false;
  }
  out.push_back(Finding::Ok("endpoint", url + " answers"));
  if (!listed.ok()) {
    const ErrorCode code = listed.error().ToError().code;
    out.push_back(Finding::Fail("list", listed.error().ToString(),
                                code == ErrorCode::kPermissionDenied
                                    ? "allow lambda:ListFunctions (Resource \"*\") for " + Principal(identity)
                                : code == ErrorCode::kUnauthenticated
                                    ? RefusedCredentialsFix(key_hint)
                                    : "see the error; lambda-mcp serve retries it"));
    return false;
  }
  out.push_back(Finding::Ok("list", "lambda:ListFunctions allowed: " + std::to_string(listed->size()) +
                                        " function" + (listed->size() == 1 ? "" : "s")));
  return true;
}

std::string DescribeSelection(const catalog::SelectionOptions& s) {
  std::vector<std::string> parts;
  if (!s.function_prefix.empty()) {
    parts.push_back("FUNCTION_PREFIX \"" + s.function_prefix + "\"");
  }
  if (!s.function_list.empty()) {
    parts.push_back("FUNCTION_LIST (" + std::to_string(s.function_list.size()) + " entries)");
  }
  if (s.tag_filter()) {
    parts.push_back("tag " + s.tag_key + "=" + s.tag_value);
  }
  if (s.allow_all && !s.name_filter()) {
    parts.push_back("FUNCTION_ALLOW_ALL");
  }
  std::string out;
  for (const auto& p : parts) {
    out += (out.empty() ? "" : " + ") + p;
  }
  return out.empty() ? "no selection" : out;
}

// What to change when the selection keeps nothing of `listed` functions.
std::string SelectionFix(const catalog::SelectionOptions& s, int listed) {
  if (!s.has_selection() || s.half_tag_filter()) {
    return "set FUNCTION_PREFIX, FUNCTION_LIST or FUNCTION_TAG_KEY+FUNCTION_TAG_VALUE "
           "(FUNCTION_ALLOW_ALL=true "
           "exposes every function)";
  }
  if (listed == 0) {
    return "check the account, the region and the endpoint: this one has no function";
  }
  if (s.tag_filter()) {
    return "tag the functions " + s.tag_key + "=" + s.tag_value +
           ", or correct FUNCTION_TAG_KEY/FUNCTION_TAG_VALUE";
  }
  return "make the name filter match names from the list below (case matters)";
}

// The selection as serve's discovery makes it; the tools it selects, or nothing when it selects none.
std::vector<catalog::ToolEntry> CheckSelection(const catalog::TargetOptions& target, const DoctorContext& c,
                                               catalog::AwsLambdaBackend& backend,
                                               std::vector<Finding>& out) {
  auto found = catalog::Discover(target, c.compat, backend, c.task_optional_over);
  if (!found.ok()) {
    out.push_back(Finding::Fail("selection", found.error().message, "see the cause above"));
    return {};
  }
  for (const auto& w : found->warnings) {
    if (w != found->nothing_selected) {
      out.push_back(Finding::Note("selection", w));
    }
  }
  if (found->tools.empty()) {
    const std::string& why = found->nothing_selected;
    out.push_back(Finding::Fail(
        "selection", DescribeSelection(target.selection) + ": " + why.substr(0, why.find(" Fix: ")),
        SelectionFix(target.selection, found->functions_listed)));
    auto all = backend.ListFunctions();
    if (all.ok() && !all->empty()) {
      std::vector<std::string> names;
      for (const auto& f : *all) {
        names.push_back(f.name);
      }
      out.push_back(Finding::Note("selection", "functions listed: " + ListOf(names)));
    }
    return {};
  }
  std::vector<std::string> names;
  for (const auto& e : found->tools) {
    names.push_back(e.definition.name);
  }
  out.push_back(Finding::Ok(
      "selection", DescribeSelection(target.selection) + " selects " + std::to_string(found->tools.size()) +
                       " of " + std::to_string(found->functions_listed) + " functions: " + ListOf(names)));
  return std::move(found->tools);
}

// lambda:InvokeFunction on each selected function, as Lambda's dry run.
Finding CheckInvoke(aws::AwsSession& session, const std::vector<catalog::ToolEntry>& tools,
                    const std::optional<aws::CallerIdentity>& identity, std::size_t max_dry_runs) {
  std::vector<std::string> denied_arns, failures;
  std::string first_denial;
  const std::size_t checked = std::min(tools.size(), max_dry_runs);
  for (std::size_t i = 0; i < checked; ++i) {
    const catalog::ToolEntry& e = tools[i];
    auto r = session.lambda().Invoke(aws::InvokeRequest{.function_name = e.function.name,
                                                        .qualifier = e.qualifier,
                                                        .invocation_type = aws::InvocationType::kDryRun});
    if (r.ok()) {
      continue;
    }
    const std::string arn = e.function.arn + (e.qualifier.empty() ? "" : ":" + e.qualifier);
    if (r.error().ToError().code == ErrorCode::kPermissionDenied) {
      denied_arns.push_back(arn);
      if (first_denial.empty()) {
        first_denial = r.error().message;
      }
    } else {
      failures.push_back(e.function.name + ": " + r.error().ToString());
    }
  }
  const std::string of = std::to_string(checked) + " function" + (checked == 1 ? "" : "s") +
                         (checked < tools.size() ? " (the first " + std::to_string(checked) + ")" : "");
  if (!denied_arns.empty()) {
    return Finding::Fail(
        "invoke",
        "lambda:InvokeFunction denied on " + std::to_string(denied_arns.size()) + " of " + of + ": " +
            first_denial,
        "allow lambda:InvokeFunction on " + ListOf(denied_arns, 4) + " for " + Principal(identity));
  }
  if (!failures.empty()) {
    return Finding::Fail(
        "invoke",
        "dry run failed on " + std::to_string(failures.size()) + " of " + of + ": " + ListOf(failures, 2),
        "see the error: a function that cannot be found or is not active cannot be called");
  }
  return Finding::Ok("invoke", "lambda:InvokeFunction allowed on all " + of + " (dry run: nothing ran)");
}

}  // namespace

std::vector<Finding> CheckTarget(const catalog::TargetOptions& target, const DoctorContext& context) {
  std::vector<Finding> out;
  aws::EnvLookup env = context.env ? context.env : aws::ProcessEnvironment();
  Clock& clock = context.clock != nullptr ? *context.clock : Clock::System();
  auto session = catalog::AwsLambdaBackend::CreateSession(target, clock, env, context.http);
  if (!session.ok()) {
    out.push_back(Finding::Fail("session", session.error().message, SessionFix(session.error().message)));
    return out;
  }
  aws::AwsSession& s = **session;
  out.push_back(Finding::Ok("region", s.region() + " (" + RegionSource(target, env, s.profile()) + ")"));
  bool usable = false;
  for (auto& f : CheckCredentials(target, s, env, &usable)) {
    out.push_back(std::move(f));
  }
  if (!usable) {
    return out;
  }
  auto creds = s.credentials().GetCredentials();
  const std::string key_hint = creds.ok() ? KeyHint(*creds) : "";
  std::optional<aws::CallerIdentity> identity;
  out.push_back(CheckIdentity(s, key_hint, &identity));
  catalog::AwsLambdaBackend backend(std::move(session).value());
  if (!CheckList(backend.session(), key_hint, identity, out)) {
    return out;
  }
  auto tools = CheckSelection(target, context, backend, out);
  if (!tools.empty()) {
    out.push_back(CheckInvoke(backend.session(), tools, identity, context.max_dry_runs));
  }
  return out;
}

std::string FormatFindings(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings) {
    const char* level = f.level == Level::kOk ? "ok  " : f.level == Level::kNote ? "note" : "FAIL";
    std::string check = f.check;
    check.resize(std::max<std::size_t>(check.size(), 12), ' ');
    out += "  " + std::string(level) + "  " + check + " " + f.detail + "\n";
    if (!f.fix.empty()) {
      out += "        " + std::string(12, ' ') + " fix: " + f.fix + "\n";
    }
  }
  return out;
}

}  // namespace lmcp::app
