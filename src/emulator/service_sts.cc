// STS's GetCallerIdentity (query protocol, XML replies): every validly signed request acts as one IAM user
// of the endpoint's account, kLocalUserName (model.h).

#include <string>

#include "aws/xml.h"
#include "common/crypto.h"
#include "emulator/service.h"
#include "emulator/service_routes.h"

namespace lmcp::emulator {
namespace {

constexpr char kStsVersion[] = "2011-06-15";

// An IAM user id as AWS forms them, "AIDA" and 17 characters of [A-Z2-7], here derived from the user's ARN
// so that it stays the same across runs.
std::string UserId(const std::string& user_arn) {
  constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  Digest digest = Sha256(user_arn);
  std::string id = "AIDA";
  for (size_t i = 0; i < 17; ++i) {
    id += kBase32[digest[i] % 32];
  }
  return id;
}

}  // namespace

ServerResponse LocalService::GetCallerIdentity(const ServerRequest&, const Route& route,
                                               const std::string& rid) {
  bool has_version = false;
  std::string version = QueryParam(route.query, "Version", &has_version);
  if (version != kStsVersion) {
    return StsError(400, "InvalidAction",
                    "Could not find operation GetCallerIdentity for version " +
                        (has_version ? version : std::string("NO_VERSION_SPECIFIED")),
                    rid);
  }
  const std::string arn = deployment_.CallerArn();
  return XmlResponse(200,
                     std::string("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/") +
                         kStsVersion + "/\"><GetCallerIdentityResult><Arn>" + aws::XmlEscape(arn) +
                         "</Arn><UserId>" + UserId(arn) + "</UserId><Account>" +
                         aws::XmlEscape(deployment_.account_id) +
                         "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>" + rid +
                         "</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
                     rid);
}

}  // namespace lmcp::emulator
