#pragma once
// The AWS wire shapes LocalService's operations share (service*.cc): JSON and XML responses, each service's
// error bodies, Lambda's time formats, function references and configurations. Internal to the emulator; pure
// functions.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "emulator/http_server.h"
#include "emulator/model.h"

namespace lmcp::emulator {

std::string LambdaTime(std::chrono::system_clock::time_point t);  // 2024-05-01T12:00:00.000+0000

// The value of `key` in a parsed query; *present says whether it was there at all.
std::string QueryParam(const std::vector<std::pair<std::string, std::string>>& q, const std::string& key,
                       bool* present = nullptr);

ServerResponse JsonResponse(int status, const nlohmann::json& body, const std::string& request_id,
                            const std::string& content_type = "application/json");
// An XML reply (STS, the query protocol): text/xml with the request id header.
ServerResponse XmlResponse(int status, std::string body, const std::string& request_id);
ServerResponse LambdaError(int status, const std::string& code, const std::string& message,
                           const std::string& request_id, nlohmann::json extra = nlohmann::json::object());
ServerResponse SchemasError(int status, const std::string& code, const std::string& message,
                            const std::string& request_id);
ServerResponse TaggingError(int status, const std::string& code, const std::string& message,
                            const std::string& request_id);
// STS's <ErrorResponse>: Type Sender (4xx) or Receiver (5xx), the code and the message, XML-escaped.
ServerResponse StsError(int status, const std::string& code, const std::string& message,
                        const std::string& request_id);
// Errors not tied to an operation (auth, unknown route) take the shape of the service being addressed. For
// STS the JSON services' auth codes become the query protocol's (InvalidSignatureException →
// SignatureDoesNotMatch, UnrecognizedClientException → InvalidClientTokenId, AccessDeniedException →
// AccessDenied, ...).
ServerResponse ServiceError(const std::string& service, int status, const std::string& code,
                            const std::string& message, const std::string& request_id);
// The error code AWS uses for an injected status in `service`.
std::string DefaultErrorCode(const std::string& service, int status);
// The credential scope's service from an Authorization header: how STS requests are told apart (they post to
// any path), and what shapes the auth errors of requests no route matched.
std::string ScopeService(const std::string& authorization);

struct FunctionRef {
  std::string name;
  std::string qualifier;  // from the name ("" when none)
  bool foreign = false;   // another region or account, or not a function reference at all
};
// A function name, partial ARN or ARN (with an optional qualifier) as Lambda accepts them
// (aws/function_ref.h).
FunctionRef ParseFunctionRef(const std::string& param, const Deployment& d);

std::string RevisionId(const std::string& name);
nlohmann::json FunctionConfiguration(const Deployment& d, const FunctionSpec& f, const std::string& version,
                                     const std::string& last_modified, bool detailed);

// Resolves name + qualifier to a function and the version that runs. On failure fills `error`.
const FunctionSpec* ResolveFunction(const Deployment& d, const FunctionRef& ref,
                                    const std::string& qualifier_param, bool has_qualifier_param,
                                    std::string* version, ServerResponse* error, const std::string& rid);

}  // namespace lmcp::emulator
