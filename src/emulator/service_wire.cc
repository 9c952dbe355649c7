#include "emulator/service_wire.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>

#include "aws/function_ref.h"
#include "aws/xml.h"
#include "common/iso8601.h"

namespace lmcp::emulator {

using nlohmann::json;

std::string LambdaTime(std::chrono::system_clock::time_point t) {
  std::string text = FormatIso8601(t);  // "…:00Z"
  text.pop_back();
  return text + ".000+0000";
}

std::string QueryParam(const std::vector<std::pair<std::string, std::string>>& q, const std::string& key,
                       bool* present) {
  for (const auto& [k, v] : q) {
    if (k == key) {
      if (present) {
        *present = true;
      }
      return v;
    }
  }
  if (present) {
    *present = false;
  }
  return "";
}

ServerResponse JsonResponse(int status, const json& body, const std::string& request_id,
                            const std::string& content_type) {
  ServerResponse r;
  r.status = status;
  r.headers = {{"Content-Type", content_type}, {"x-amzn-RequestId", request_id}};
  r.body = body.dump();
  return r;
}

ServerResponse XmlResponse(int status, std::string body, const std::string& request_id) {
  ServerResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "text/xml"}, {"x-amzn-RequestId", request_id}};
  r.body = std::move(body);
  return r;
}

ServerResponse LambdaError(int status, const std::string& code, const std::string& message,
                           const std::string& request_id, json extra) {
  json body = extra;
  body["Type"] = status >= 500 ? "Service" : "User";
  bool capital = code == "ResourceNotFoundException" || code == "ServiceException";
  body[capital ? "Message" : "message"] = message;
  ServerResponse r = JsonResponse(status, body, request_id);
  r.headers.emplace_back("x-amzn-ErrorType", code);
  return r;
}

ServerResponse SchemasError(int status, const std::string& code, const std::string& message,
                            const std::string& request_id) {
  ServerResponse r = JsonResponse(status, {{"Code", code}, {"Message", message}}, request_id);
  r.headers.emplace_back("x-amzn-ErrorType", code);
  return r;
}

ServerResponse TaggingError(int status, const std::string& code, const std::string& message,
                            const std::string& request_id) {
  return JsonResponse(status, {{"__type", code}, {"Message", message}}, request_id,
                      "application/x-amz-json-1.1");
}

ServerResponse StsError(int status, const std::string& code, const std::string& message,
                        const std::string& request_id) {
  return XmlResponse(status,
                     "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>" +
                         std::string(status >= 500 ? "Receiver" : "Sender") + "</Type><Code>" +
                         aws::XmlEscape(code) + "</Code><Message>" + aws::XmlEscape(message) +
                         "</Message></Error><RequestId>" + request_id + "</RequestId></ErrorResponse>",
                     request_id);
}

// Errors not tied to an operation (auth, unknown route) take the shape of the service being addressed.
ServerResponse ServiceError(const std::string& service, int status, const std::string& code,
                            const std::string& message, const std::string& request_id) {
  if (service == "sts") {
    static constexpr std::pair<const char*, const char*> kQueryCodes[] = {
        {"InvalidSignatureException", "SignatureDoesNotMatch"},
        {"UnrecognizedClientException", "InvalidClientTokenId"},
        {"MissingAuthenticationTokenException", "MissingAuthenticationToken"},
        {"IncompleteSignatureException", "IncompleteSignature"},
        {"ExpiredTokenException", "ExpiredToken"},
        {"AccessDeniedException", "AccessDenied"},
    };
    for (const auto& [json_code, query_code] : kQueryCodes) {
      if (code == json_code) {
        return StsError(status, query_code, message, request_id);
      }
    }
    return StsError(status, code, message, request_id);
  }
  if (service == "tagging") {
    return TaggingError(status, code, message, request_id);
  }
  if (service == "schemas") {
    return SchemasError(status, code, message, request_id);
  }
  return LambdaError(status, code, message, request_id);
}

std::string DefaultErrorCode(const std::string& service, int status) {
  if (service == "schemas") {
    switch (status) {
      case 400:
        return "BadRequestException";
      case 401:
        return "UnauthorizedException";
      case 403:
        return "ForbiddenException";
      case 404:
        return "NotFoundException";
      case 429:
        return "TooManyRequestsException";
      case 503:
        return "ServiceUnavailableException";
      default:
        return "InternalServerErrorException";
    }
  }
  if (service == "tagging") {
    return status < 500 ? "InvalidParameterException" : "InternalServiceException";
  }
  if (service == "sts") {
    switch (status) {
      case 403:
        return "AccessDenied";
      case 429:
        return "Throttling";
      case 503:
        return "ServiceUnavailable";
      default:
        return status < 500 ? "InvalidParameterValue" : "InternalFailure";
    }
  }
  switch (status) {
    case 400:
      return "InvalidParameterValueException";
    case 404:
      return "ResourceNotFoundException";
    case 409:
      return "ResourceConflictException";
    case 413:
      return "RequestTooLargeException";
    case 429:
      return "TooManyRequestsException";
    case 502:
      return "ResourceNotReadyException";
    case 503:
      return "ServiceUnavailableException";
    default:
      return "ServiceException";
  }
}

// The credential scope's service from an Authorization header, for shaping auth errors.
std::string ScopeService(const std::string& authorization) {
  size_t c = authorization.find("Credential=");
  if (c == std::string::npos) {
    return "";
  }
  std::string cred = authorization.substr(c + 11, authorization.find_first_of(", ", c) - c - 11);
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t slash = cred.find('/', start);
    parts.push_back(cred.substr(start, slash - start));
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  return parts.size() == 5 ? parts[3] : "";
}

FunctionRef ParseFunctionRef(const std::string& param, const Deployment& d) {
  auto parsed = aws::ParseFunctionRef(param);
  if (!parsed.ok()) {
    return FunctionRef{param, "", true};  // nothing Lambda would accept names a function here
  }
  FunctionRef ref{parsed->name, parsed->qualifier, false};
  if (parsed->form == aws::FunctionRef::Form::kFullArn) {
    ref.foreign = parsed->region != d.region || parsed->account != d.account_id;
  } else if (parsed->form == aws::FunctionRef::Form::kPartialArn) {
    ref.foreign = parsed->account != d.account_id;
  }
  return ref;
}

std::string RevisionId(const std::string& name) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(std::hash<std::string>{}(name)&0xffffffffffffULL));
  return buf;
}

json FunctionConfiguration(const Deployment& d, const FunctionSpec& f, const std::string& version,
                           const std::string& last_modified, bool detailed) {
  std::string arn = d.FunctionArn(f.name) + (version == "$LATEST" ? "" : ":" + version);
  json c = {{"FunctionName", f.name},
            {"FunctionArn", arn},
            {"Runtime", f.runtime == "echo" ? "provided.al2023" : f.runtime},
            {"Role", "arn:aws:iam::" + d.account_id + ":role/lambda-mcp-local"},
            {"Handler", f.handler},
            {"CodeSize", f.code_size},
            {"Description", f.description},
            {"Timeout", f.timeout_seconds},
            {"MemorySize", f.memory_mb},
            {"LastModified", last_modified},
            {"CodeSha256", f.code_sha256},
            {"Version", version},
            {"TracingConfig", {{"Mode", "PassThrough"}}},
            {"RevisionId", RevisionId(f.name)},
            {"PackageType", "Zip"},
            {"Architectures", {"x86_64"}},
            {"EphemeralStorage", {{"Size", 512}}},
            {"SnapStart", {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}},
            {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + f.name}}}};
  if (!f.environment.empty()) {
    c["Environment"] = {{"Variables", f.environment}};
  }
  if (detailed) {
    c["State"] = "Active";
    c["LastUpdateStatus"] = "Successful";
  }
  return c;
}

// Resolves name + qualifier to a function and the version that runs. On failure fills `error`.
const FunctionSpec* ResolveFunction(const Deployment& d, const FunctionRef& ref,
                                    const std::string& qualifier_param, bool has_qualifier_param,
                                    std::string* version, ServerResponse* error, const std::string& rid) {
  std::string qualifier = ref.qualifier;
  if (has_qualifier_param) {
    if (!qualifier.empty() && qualifier != qualifier_param) {
      *error = LambdaError(
          400, "InvalidParameterValueException",
          "The derived qualifier from the function name does not match the specified qualifier.", rid);
      return nullptr;
    }
    qualifier = qualifier_param;
  }
  std::string arn = d.FunctionArn(ref.name) + (qualifier.empty() ? "" : ":" + qualifier);
  auto not_found = [&] {
    *error = LambdaError(404, "ResourceNotFoundException", "Function not found: " + arn, rid);
    return nullptr;
  };
  if (ref.foreign) {
    return not_found();
  }
  auto it =
      std::find_if(d.functions.begin(), d.functions.end(), [&](const auto& f) { return f.name == ref.name; });
  if (it == d.functions.end()) {
    return not_found();
  }
  if (qualifier.empty() || qualifier == "$LATEST") {
    *version = "$LATEST";
  } else if (!it->alias.empty() && (qualifier == "1" || qualifier == it->alias)) {
    *version = "1";
  } else {
    return not_found();
  }
  return &*it;
}

}  // namespace lmcp::emulator
