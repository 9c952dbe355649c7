#include "aws/sts_client.h"

#include "aws/xml.h"
#include "common/iso8601.h"

namespace lmcp::aws {
namespace {

AwsError Malformed(const std::string& operation, const std::string& what) {
  AwsError e = AwsError::Client("malformed " + operation + " reply: " + what);
  e.operation = operation;
  e.may_have_reached_server = true;
  return e;
}

AwsResult<AssumedRole> ParseAssumedRole(const std::string& operation, const std::string& body) {
  auto creds = XmlElement(body, "Credentials");
  if (!creds) {
    return Malformed(operation, "no <Credentials>");
  }
  AssumedRole out;
  out.credentials.access_key_id = XmlText(*creds, "AccessKeyId").value_or("");
  out.credentials.secret_access_key = XmlText(*creds, "SecretAccessKey").value_or("");
  out.credentials.session_token = XmlText(*creds, "SessionToken").value_or("");
  auto expiration = ParseIso8601(XmlText(*creds, "Expiration").value_or(""));
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty() || !expiration) {
    return Malformed(operation, "incomplete <Credentials>");
  }
  out.credentials.expiration = expiration;
  if (auto user = XmlElement(body, "AssumedRoleUser")) {
    out.assumed_role_arn = XmlText(*user, "Arn").value_or("");
    out.assumed_role_id = XmlText(*user, "AssumedRoleId").value_or("");
  }
  return out;
}

}  // namespace

AwsResult<HttpResponse> StsClient::Post(const std::string& action, const QueryParams& params, bool sign,
                                        std::stop_token stop) {
  OperationRequest op;
  op.operation = action;
  op.method = "POST";
  op.path = "/";
  op.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  QueryParams form = {{"Action", action}, {"Version", "2011-06-15"}};
  form.insert(form.end(), params.begin(), params.end());
  op.body = BuildQuery(form);
  op.sign = sign;
  op.stop = std::move(stop);
  return caller_.Call(endpoint_, Protocol::kQuery, std::move(op));
}

AwsResult<CallerIdentity> StsClient::GetCallerIdentity(std::stop_token stop) {
  auto r = Post("GetCallerIdentity", {}, true, std::move(stop));
  if (!r.ok()) {
    return r.error();
  }
  auto result = XmlElement(r->body, "GetCallerIdentityResult");
  if (!result) {
    return Malformed("GetCallerIdentity", "no <GetCallerIdentityResult>");
  }
  return CallerIdentity{XmlText(*result, "Account").value_or(""), XmlText(*result, "Arn").value_or(""),
                        XmlText(*result, "UserId").value_or("")};
}

AwsResult<AssumedRole> StsClient::AssumeRole(const AssumeRoleRequest& request, std::stop_token stop) {
  QueryParams params = {{"RoleArn", request.role_arn}, {"RoleSessionName", request.role_session_name}};
  if (request.duration_seconds) {
    params.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
  }
  if (!request.external_id.empty()) {
    params.emplace_back("ExternalId", request.external_id);
  }
  auto r = Post("AssumeRole", params, true, std::move(stop));
  if (!r.ok()) {
    return r.error();
  }
  return ParseAssumedRole("AssumeRole", r->body);
}

AwsResult<AssumedRole> StsClient::AssumeRoleWithWebIdentity(const AssumeRoleWithWebIdentityRequest& request,
                                                            std::stop_token stop) {
  QueryParams params = {{"RoleArn", request.role_arn},
                        {"RoleSessionName", request.role_session_name},
                        {"WebIdentityToken", request.web_identity_token}};
  if (request.duration_seconds) {
    params.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
  }
  auto r = Post("AssumeRoleWithWebIdentity", params, false, std::move(stop));
  if (!r.ok()) {
    return r.error();
  }
  return ParseAssumedRole("AssumeRoleWithWebIdentity", r->body);
}

}  // namespace lmcp::aws
