// LocalService's SigV4 check: the request is re-assembled as the client signed it and handed to the
// verifier with the configured credentials; a caller signed for another service or region is refused too.

#include "emulator/service_auth.h"

#include <cstring>

#include "emulator/service_routes.h"

namespace lmcp::emulator {

SignatureRefusal RefusalFor(std::string message) {
  SignatureRefusal refusal;
  refusal.code = "InvalidSignatureException";
  for (const char* known :
       {"UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
        "ExpiredTokenException", "AccessDeniedException", "MissingAuthenticationTokenException"}) {
    size_t pos = message.find(known);
    if (pos != std::string::npos) {
      refusal.code = known;
      size_t colon = message.find(':', pos);
      if (colon != std::string::npos && colon == pos + std::strlen(known)) {
        message = message.substr(colon + 1);
        message.erase(0, message.find_first_not_of(' '));
      }
      break;
    }
  }
  if (refusal.code == "UnrecognizedClientException" && message.find("token") == std::string::npos) {
    message = "The security token included in the request is invalid.";
  }
  refusal.status = refusal.code == "IncompleteSignatureException" ? 400 : 403;
  refusal.message = std::move(message);
  return refusal;
}

std::optional<ServerResponse> LocalService::CheckSignature(const ServerRequest& req, const Route& route,
                                                           const std::string& request_id) {
  if (!options_.check_signatures) {
    return std::nullopt;
  }
  const std::string authorization = HeaderValue(req.headers, "Authorization");
  bool presigned = req.query.find("X-Amz-Signature=") != std::string::npos;
  if (authorization.empty() && !presigned) {
    stats_.CountAuthFailure();
    return ServiceError(route.service, 403, "MissingAuthenticationTokenException",
                        "Missing Authentication Token", request_id);
  }
  aws::HttpRequest signed_request;
  signed_request.method = req.method;
  std::string host = HeaderValue(req.headers, "Host");
  signed_request.url = "http://" + (host.empty() ? std::string("localhost") : host) + req.target;
  signed_request.headers = req.headers;
  signed_request.body = req.body;
  auto lookup = [this](const std::string& akid) -> std::optional<aws::Credentials> {
    for (const auto& c : options_.credentials) {
      if (c.access_key_id == akid) {
        return c;
      }
    }
    return std::nullopt;
  };
  auto caller = options_.verifier(signed_request, lookup, clock_.Now());
  if (!caller.ok()) {
    stats_.CountAuthFailure();
    SignatureRefusal refusal = RefusalFor(caller.error().message);
    return ServiceError(route.service, refusal.status, refusal.code, refusal.message, request_id);
  }
  if (route.operation.empty()) {
    return std::nullopt;  // answered as an unknown operation, whatever the scope
  }
  if (caller->service != route.service) {
    stats_.CountAuthFailure();
    return ServiceError(route.service, 403, "InvalidSignatureException",
                        "Credential should be scoped to correct service: '" + route.service + "'. ",
                        request_id);
  }
  if (caller->region != deployment_.region) {
    stats_.CountAuthFailure();
    return ServiceError(route.service, 403, "InvalidSignatureException",
                        "Credential should be scoped to a valid region. ", request_id);
  }
  return std::nullopt;
}

}  // namespace lmcp::emulator
