#include "emulator/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "aws/crypto.h"
#include "common/json.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

constexpr size_t kSyncPayloadLimit = 6 * 1024 * 1024;
constexpr size_t kEventPayloadLimit = 1024 * 1024;
constexpr size_t kResponseLimit = 6 * 1024 * 1024;
constexpr size_t kClientContextLimit = 3583;
constexpr size_t kLogTailBytes = 4096;
constexpr int kListFunctionsPage = 50;
constexpr int kGetResourcesPage = 100;


std::string LambdaTime(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000+0000", &tm);
  return buf;
}

std::string IsoTime(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string QueryParam(const std::vector<std::pair<std::string, std::string>>& q, const std::string& key,
                       bool* present = nullptr) {
  for (const auto& [k, v] : q) {
    if (k == key) {
      if (present) *present = true;
      return v;
    }
  }
  if (present) *present = false;
  return "";
}

ServerResponse JsonResponse(int status, const json& body, const std::string& request_id,
                            const std::string& content_type = "application/json") {
  ServerResponse r;
  r.status = status;
  r.headers = {{"Content-Type", content_type}, {"x-amzn-RequestId", request_id}};
  r.body = body.dump();
  return r;
}

ServerResponse LambdaError(int status, const std::string& code, const std::string& message,
                           const std::string& request_id, json extra = json::object()) {
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
  return JsonResponse(status, {{"__type", code}, {"Message", message}}, request_id, "application/x-amz-json-1.1");
}

// Errors not tied to an operation (auth, unknown route) take the shape of the service being addressed.
ServerResponse ServiceError(const std::string& service, int status, const std::string& code,
                            const std::string& message, const std::string& request_id) {
  if (service == "tagging") return TaggingError(status, code, message, request_id);
  if (service == "schemas") return SchemasError(status, code, message, request_id);
  return LambdaError(status, code, message, request_id);
}

std::string DefaultErrorCode(const std::string& service, int status) {
  if (service == "schemas") {
    switch (status) {
      case 400: return "BadRequestException";
      case 401: return "UnauthorizedException";
      case 403: return "ForbiddenException";
      case 404: return "NotFoundException";
      case 429: return "TooManyRequestsException";
      case 503: return "ServiceUnavailableException";
      default: return "InternalServerErrorException";
    }
  }
  if (service == "tagging") return status < 500 ? "InvalidParameterException" : "InternalServiceException";
  switch (status) {
    case 400: return "InvalidParameterValueException";
    case 404: return "ResourceNotFoundException";
    case 409: return "ResourceConflictException";
    case 413: return "RequestTooLargeException";
    case 429: return "TooManyRequestsException";
    case 502: return "ResourceNotReadyException";
    case 503: return "ServiceUnavailableException";
    default: return "ServiceException";
  }
}

// The credential scope's service from an Authorization header, for shaping auth errors.
std::string ScopeService(const std::string& authorization) {
  size_t c = authorization.find("Credential=");
  if (c == std::string::npos) return "";
  std::string cred = authorization.substr(c + 11, authorization.find_first_of(", ", c) - c - 11);
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t slash = cred.find('/', start);
    parts.push_back(cred.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts.size() == 5 ? parts[3] : "";
}

struct FunctionRef {
  std::string name;
  std::string qualifier;  // from the name ("" when none)
  bool foreign = false;   // another region or account
};

FunctionRef ParseFunctionRef(const std::string& param, const Deployment& d) {
  FunctionRef ref;
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t colon = param.find(':', start);
    parts.push_back(param.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() >= 7 && parts[0] == "arn") {
    ref.foreign = parts[2] != "lambda" || parts[3] != d.region || parts[4] != d.account_id || parts[5] != "function";
    ref.name = parts[6];
    if (parts.size() >= 8) ref.qualifier = parts[7];
  } else if (parts.size() >= 3 && parts[1] == "function") {
    ref.foreign = parts[0] != d.account_id;
    ref.name = parts[2];
    if (parts.size() >= 4) ref.qualifier = parts[3];
  } else {
    ref.name = parts[0];
    if (parts.size() >= 2) ref.qualifier = parts[1];
  }
  return ref;
}

std::string RevisionId(const std::string& name) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(std::hash<std::string>{}(name) & 0xffffffffffffULL));
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
  if (!f.environment.empty()) c["Environment"] = {{"Variables", f.environment}};
  if (detailed) {
    c["State"] = "Active";
    c["LastUpdateStatus"] = "Successful";
  }
  return c;
}

}  // namespace

struct LocalService::Route {
  std::string service;    // lambda, schemas, tagging; "" when unknown
  std::string operation;  // "" when unknown
  std::string function_param;
  FunctionRef function;
  std::string resource;  // ListTags
  std::string registry, schema;
  std::vector<std::pair<std::string, std::string>> query;
};

LocalService::LocalService(Deployment deployment, ServiceOptions options, std::unique_ptr<FunctionRuntime> runtime,
                           Clock& clock)
    : deployment_(std::move(deployment)),
      options_(std::move(options)),
      runtime_(std::move(runtime)),
      clock_(clock),
      rng_(std::random_device{}()),
      last_modified_(LambdaTime(clock.Now())) {}

LocalService::~LocalService() {
  WaitForEventInvocations();
  if (runtime_) runtime_->Shutdown();
}

void LocalService::WaitForEventInvocations() {
  std::unique_lock<std::mutex> lock(mu_);
  events_cv_.wait(lock, [this] { return events_in_flight_ == 0; });
}

std::string LocalService::NewRequestId() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t a = rng_(), b = rng_();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

ServerResponse LocalService::Handle(const ServerRequest& req) {
  if (req.path.rfind("/__admin/", 0) == 0) return HandleAdmin(req);
  const std::string request_id = NewRequestId();

  // Route.
  Route route;
  route.query = ParseQuery(req.query);
  const std::string& p = req.path;
  const std::string kFunctions = "/2015-03-31/functions";
  if (p.rfind(kFunctions, 0) == 0) {
    route.service = "lambda";
    std::string rest = p.substr(kFunctions.size());
    if ((rest.empty() || rest == "/") && req.method == "GET") {
      route.operation = "ListFunctions";
    } else if (rest.size() > 1 && rest[0] == '/') {
      rest = rest.substr(1);
      const std::string kInvocations = "/invocations";
      if (rest.size() > kInvocations.size() && rest.compare(rest.size() - kInvocations.size(), kInvocations.size(), kInvocations) == 0 &&
          req.method == "POST") {
        route.operation = "Invoke";
        rest.resize(rest.size() - kInvocations.size());
      } else if (rest.find('/') == std::string::npos && req.method == "GET") {
        route.operation = "GetFunction";
      }
      route.function_param = PercentDecode(rest);
      route.function = ParseFunctionRef(route.function_param, deployment_);
    }
  } else if (p.rfind("/2017-03-31/tags/", 0) == 0) {
    route.service = "lambda";
    if (req.method == "GET") route.operation = "ListTags";
    route.resource = PercentDecode(p.substr(17));
    route.function = ParseFunctionRef(route.resource, deployment_);
  } else if (p.rfind("/v1/registries/", 0) == 0) {
    route.service = "schemas";
    const std::string kPrefix = "/v1/registries/name/", kMid = "/schemas/name/";
    size_t mid = p.find(kMid);
    if (p.rfind(kPrefix, 0) == 0 && mid != std::string::npos && req.method == "GET" &&
        p.find('/', mid + kMid.size()) == std::string::npos) {
      route.operation = "DescribeSchema";
      route.registry = PercentDecode(p.substr(kPrefix.size(), mid - kPrefix.size()));
      route.schema = PercentDecode(p.substr(mid + kMid.size()));
    }
  } else if (std::string target = HeaderValue(req.headers, "X-Amz-Target");
             target.rfind("ResourceGroupsTaggingAPI_20170126.", 0) == 0) {
    route.service = "tagging";
    if (target == "ResourceGroupsTaggingAPI_20170126.GetResources" && req.method == "POST") {
      route.operation = "GetResources";
    }
  }
  const std::string authorization = HeaderValue(req.headers, "Authorization");
  if (route.service.empty()) route.service = ScopeService(authorization);
  if (route.service.empty()) route.service = "lambda";
  stats_.CountOperation(route.operation.empty() ? "Unknown" : route.operation);

  // Authenticate.
  if (options_.check_signatures) {
    bool presigned = req.query.find("X-Amz-Signature=") != std::string::npos;
    if (authorization.empty() && !presigned) {
      stats_.CountAuthFailure();
      return ServiceError(route.service, 403, "MissingAuthenticationTokenException", "Missing Authentication Token",
                          request_id);
    }
    aws::HttpRequest signed_request;
    signed_request.method = req.method;
    std::string host = HeaderValue(req.headers, "Host");
    signed_request.url = "http://" + (host.empty() ? std::string("localhost") : host) + req.target;
    signed_request.headers = req.headers;
    signed_request.body = req.body;
    auto lookup = [this](const std::string& akid) -> std::optional<aws::Credentials> {
      for (const auto& c : options_.credentials) {
        if (c.access_key_id == akid) return c;
      }
      return std::nullopt;
    };
    auto caller = options_.verifier(signed_request, lookup, clock_.Now());
    if (!caller.ok()) {
      stats_.CountAuthFailure();
      std::string message = caller.error().message;
      std::string code = "InvalidSignatureException";
      for (const char* known : {"UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
                                "ExpiredTokenException", "AccessDeniedException", "MissingAuthenticationTokenException"}) {
        size_t pos = message.find(known);
        if (pos != std::string::npos) {
          code = known;
          size_t colon = message.find(':', pos);
          if (colon != std::string::npos && colon == pos + std::strlen(known)) {
            message = message.substr(colon + 1);
            message.erase(0, message.find_first_not_of(' '));
          }
          break;
        }
      }
      if (code == "UnrecognizedClientException" && message.find("token") == std::string::npos) {
        message = "The security token included in the request is invalid.";
      }
      int status = code == "IncompleteSignatureException" ? 400 : 403;
      return ServiceError(route.service, status, code, message, request_id);
    }
    if (!route.operation.empty()) {
      if (caller->service != route.service) {
        stats_.CountAuthFailure();
        return ServiceError(route.service, 403, "InvalidSignatureException",
                            "Credential should be scoped to correct service: '" + route.service + "'. ", request_id);
      }
      if (caller->region != deployment_.region) {
        stats_.CountAuthFailure();
        return ServiceError(route.service, 403, "InvalidSignatureException",
                            "Credential should be scoped to a valid region. ", request_id);
      }
    }
  }

  if (route.operation.empty()) {
    if (route.service == "tagging") {
      return TaggingError(400, "UnknownOperationException", "Unsupported operation " +
                                                                 HeaderValue(req.headers, "X-Amz-Target"), request_id);
    }
    return ServiceError(route.service, 404, "UnknownOperationException", "Unknown operation " + req.method + " " + req.path,
                        request_id);
  }

  // Faults.
  FaultPlan plan = faults_.Plan(route.operation, route.function.name);
  if (plan.latency_ms > 0) {
    stats_.CountFault();
    clock_.SleepFor(std::chrono::milliseconds(plan.latency_ms));
  }
  Disconnect disconnect = Disconnect::kNone;
  bool cut_body = false;
  if (plan.terminal) {
    stats_.CountFault();
    const FaultRule& rule = *plan.terminal;
    switch (rule.type) {
      case FaultType::kError: {
        std::string code = rule.code.empty() ? DefaultErrorCode(route.service, rule.status) : rule.code;
        std::string message = rule.message.empty() ? "Injected fault (" + code + ")" : rule.message;
        return ServiceError(route.service, rule.status, code, message, request_id);
      }
      case FaultType::kThrottle: {
        ServerResponse r;
        std::string message = rule.message.empty() ? "Rate exceeded" : rule.message;
        if (route.service == "tagging") {
          r = TaggingError(400, rule.code.empty() ? "ThrottledException" : rule.code, message, request_id);
        } else if (route.service == "schemas") {
          r = SchemasError(rule.status, rule.code.empty() ? "TooManyRequestsException" : rule.code, message, request_id);
        } else {
          r = LambdaError(rule.status, rule.code.empty() ? "TooManyRequestsException" : rule.code, message, request_id,
                          {{"Reason", "CallerRateLimitExceeded"}, {"retryAfterSeconds", std::to_string(rule.retry_after_seconds)}});
        }
        r.headers.emplace_back("Retry-After", std::to_string(rule.retry_after_seconds));
        return r;
      }
      case FaultType::kReset: {
        ServerResponse r;
        r.disconnect = Disconnect::kResetNoResponse;
        return r;
      }
      case FaultType::kResetBeforeBody:
        disconnect = Disconnect::kResetBeforeBody;
        break;
      case FaultType::kResetAfterBody:
        disconnect = Disconnect::kResetAfterBody;
        break;
      case FaultType::kMalformed:
        if (rule.status >= 400) {
          ServerResponse r;
          r.status = rule.status;
          r.headers = {{"Content-Type", "text/html"}};
          r.body = "<html><head><title>" + std::to_string(rule.status) + "</title></head><body><h1>" +
                   std::to_string(rule.status) + " " + (rule.message.empty() ? "Bad Gateway" : rule.message) +
                   "</h1></body></html>\n";
          return r;
        }
        cut_body = true;
        break;
      case FaultType::kLatency:
        break;
    }
  }

  ServerResponse res;
  if (route.operation == "ListFunctions") {
    res = ListFunctions(req, request_id);
  } else if (route.operation == "GetFunction") {
    res = GetFunction(route, request_id);
  } else if (route.operation == "ListTags") {
    res = ListTags(route, request_id);
  } else if (route.operation == "Invoke") {
    res = Invoke(req, route, request_id);
  } else if (route.operation == "DescribeSchema") {
    res = DescribeSchema(route, request_id);
  } else {
    res = GetResources(req, request_id);
  }
  res.disconnect = disconnect;
  if (cut_body) {
    res.status = plan.terminal->status;
    res.body.resize(res.body.size() / 2);
  }
  return res;
}

ServerResponse LocalService::ListFunctions(const ServerRequest& req, const std::string& rid) {
  auto q = ParseQuery(req.query);
  bool has_max = false, has_version = false, has_master = false;
  std::string max_items = QueryParam(q, "MaxItems", &has_max);
  std::string fv = QueryParam(q, "FunctionVersion", &has_version);
  QueryParam(q, "MasterRegion", &has_master);
  if (has_version && fv != "ALL") {
    return LambdaError(400, "InvalidParameterValueException",
                       "1 validation error detected: Value '" + fv +
                           "' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]",
                       rid);
  }
  if (has_master && !has_version) {
    return LambdaError(400, "InvalidParameterValueException", "MasterRegion requires FunctionVersion to be set to ALL.", rid);
  }
  int page = kListFunctionsPage;
  if (has_max) {
    int n = 0;
    try {
      size_t used = 0;
      n = std::stoi(max_items, &used);
      if (used != max_items.size()) n = 0;
    } catch (const std::exception&) {
      n = 0;
    }
    if (n < 1 || n > 10000) {
      return LambdaError(400, "InvalidParameterValueException",
                         "1 validation error detected: Value '" + max_items +
                             "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000",
                         rid);
    }
    page = std::min(n, kListFunctionsPage);
  }
  // Items in order: each function's $LATEST, then its published version when listing ALL.
  std::vector<std::pair<const FunctionSpec*, std::string>> items;
  for (const auto& f : deployment_.functions) {
    items.emplace_back(&f, "$LATEST");
    if (has_version && !f.alias.empty()) items.emplace_back(&f, "1");
  }
  auto key = [](const FunctionSpec* f, const std::string& v) { return f->name + ":" + v; };
  size_t start = 0;
  bool has_marker = false;
  std::string marker = QueryParam(q, "Marker", &has_marker);
  if (has_marker && !marker.empty()) {
    std::string decoded = aws::Base64Decode(marker).value_or("");
    if (decoded.rfind("lmcp1|", 0) != 0) {
      return LambdaError(400, "InvalidParameterValueException", "Invalid Marker: " + marker, rid);
    }
    std::string k = decoded.substr(6);
    while (start < items.size() && key(items[start].first, items[start].second) < k) ++start;
  }
  json functions = json::array();
  size_t end = std::min(items.size(), start + static_cast<size_t>(page));
  for (size_t i = start; i < end; ++i) {
    functions.push_back(FunctionConfiguration(deployment_, *items[i].first, items[i].second, last_modified_, false));
  }
  json body = {{"Functions", functions}};
  if (end < items.size()) body["NextMarker"] = aws::Base64Encode("lmcp1|" + key(items[end].first, items[end].second));
  return JsonResponse(200, body, rid);
}

namespace {

// Resolves name + qualifier to a function and the version that runs. On failure fills `error`.
const FunctionSpec* ResolveFunction(const Deployment& d, const FunctionRef& ref, const std::string& qualifier_param,
                                    bool has_qualifier_param, std::string* version, ServerResponse* error,
                                    const std::string& rid) {
  std::string qualifier = ref.qualifier;
  if (has_qualifier_param) {
    if (!qualifier.empty() && qualifier != qualifier_param) {
      *error = LambdaError(400, "InvalidParameterValueException",
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
  if (ref.foreign) return not_found();
  auto it = std::find_if(d.functions.begin(), d.functions.end(), [&](const auto& f) { return f.name == ref.name; });
  if (it == d.functions.end()) return not_found();
  if (qualifier.empty() || qualifier == "$LATEST") {
    *version = "$LATEST";
  } else if (!it->alias.empty() && (qualifier == "1" || qualifier == it->alias)) {
    *version = "1";
  } else {
    return not_found();
  }
  return &*it;
}

}  // namespace

ServerResponse LocalService::GetFunction(const Route& route, const std::string& rid) {
  bool has_q = false;
  std::string q = QueryParam(route.query, "Qualifier", &has_q);
  std::string version;
  ServerResponse error;
  const FunctionSpec* f = ResolveFunction(deployment_, route.function, q, has_q, &version, &error, rid);
  if (!f) return error;
  json body = {{"Configuration", FunctionConfiguration(deployment_, *f, version, last_modified_, true)},
               {"Code",
                {{"RepositoryType", "S3"},
                 {"Location", "http://" + options_.host_for_urls + ":" + std::to_string(options_.port_for_urls) +
                                  "/__admin/code/" + f->name}}},
               {"Tags", f->tags}};
  if (f->reserved_concurrency) body["Concurrency"] = {{"ReservedConcurrentExecutions", *f->reserved_concurrency}};
  return JsonResponse(200, body, rid);
}

ServerResponse LocalService::ListTags(const Route& route, const std::string& rid) {
  if (route.resource.rfind("arn:", 0) != 0) {
    return LambdaError(400, "ValidationException",
                       "1 validation error detected: Value '" + route.resource +
                           "' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                           "arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                       rid);
  }
  if (!route.function.qualifier.empty()) {
    return LambdaError(400, "InvalidParameterValueException",
                       "Tags on function aliases and versions are not supported. Please specify a function ARN.", rid);
  }
  std::string version;
  ServerResponse error;
  const FunctionSpec* f = ResolveFunction(deployment_, route.function, "", false, &version, &error, rid);
  if (!f) return error;
  return JsonResponse(200, {{"Tags", f->tags}}, rid);
}

ServerResponse LocalService::Invoke(const ServerRequest& req, const Route& route, const std::string& rid) {
  std::string type = HeaderValue(req.headers, "X-Amz-Invocation-Type");
  if (type.empty()) type = "RequestResponse";
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return LambdaError(400, "InvalidParameterValueException",
                       "1 validation error detected: Value '" + type +
                           "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
                           "[Event, RequestResponse, DryRun]",
                       rid);
  }
  std::string log_type = HeaderValue(req.headers, "X-Amz-Log-Type");
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    return LambdaError(400, "InvalidParameterValueException",
                       "1 validation error detected: Value '" + log_type +
                           "' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]",
                       rid);
  }
  bool has_q = false;
  std::string q = QueryParam(route.query, "Qualifier", &has_q);
  std::string version;
  ServerResponse error;
  const FunctionSpec* f = ResolveFunction(deployment_, route.function, q, has_q, &version, &error, rid);
  if (!f) return error;

  size_t limit = type == "Event" ? kEventPayloadLimit : kSyncPayloadLimit;
  if (req.body.size() > limit) {
    return LambdaError(413, "RequestTooLargeException",
                       "Request must be smaller than " + std::to_string(limit) + " bytes for the InvokeFunction operation",
                       rid);
  }
  std::string payload = req.body.empty() ? "{}" : req.body;
  if (!json::accept(payload)) {
    return LambdaError(400, "InvalidRequestContentException",
                       "Could not parse request body into json: Could not parse payload into json: Unexpected character: "
                       "was expecting a JSON value",
                       rid);
  }
  std::string client_context;
  if (std::string cc = HeaderValue(req.headers, "X-Amz-Client-Context"); !cc.empty()) {
    if (cc.size() > kClientContextLimit) {
      return LambdaError(400, "InvalidParameterValueException",
                         "Client context must be less than " + std::to_string(kClientContextLimit) + " bytes.", rid);
    }
    client_context = aws::Base64Decode(cc).value_or("");
    if (client_context.empty() || !json::accept(client_context)) {
      return LambdaError(400, "InvalidRequestContentException",
                         "Client context must be a valid Base64-encoded JSON object.", rid);
    }
  }
  if (type == "DryRun") {
    ServerResponse r;
    r.status = 204;
    r.headers = {{"x-amzn-RequestId", rid}};
    return r;
  }

  InvokeInput input;
  input.request_id = rid;
  input.version = version;
  input.invoked_arn = deployment_.FunctionArn(f->name) +
                      (route.function.qualifier.empty() ? (has_q ? ":" + q : "") : ":" + route.function.qualifier);
  input.payload = payload;

  if (type == "Event") {
    // Queued: runs in the background once a concurrency slot is free; the client gets 202 at once.
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++events_in_flight_;
    }
    std::thread([this, f, input] {
      while (stats_.TryAcquire(f->name, f->reserved_concurrency, options_.account_concurrency) != ThrottleReason::kNone) {
        if (f->reserved_concurrency && *f->reserved_concurrency == 0) break;  // never runs, as on AWS
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (!(f->reserved_concurrency && *f->reserved_concurrency == 0)) {
        stats_.InvokeStarted(f->name, "Event");
        InvokeOutput out = runtime_->Invoke(*f, input);
        stats_.Release(f->name);
        stats_.InvokeFinished(f->name, !out.function_error.empty(), out.timed_out);
        spdlog::debug("Event invocation {} of {} finished{}", input.request_id, f->name,
                      out.function_error.empty() ? "" : " with " + out.function_error);
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (--events_in_flight_ == 0) events_cv_.notify_all();
    }).detach();
    ServerResponse r;
    r.status = 202;
    r.headers = {{"x-amzn-RequestId", rid}};
    return r;
  }

  input.client_context = client_context;
  ThrottleReason throttle = stats_.TryAcquire(f->name, f->reserved_concurrency, options_.account_concurrency);
  if (throttle != ThrottleReason::kNone) {
    stats_.CountThrottle(f->name);
    const char* reason = throttle == ThrottleReason::kReserved ? "ReservedFunctionConcurrentInvocationLimitExceeded"
                                                               : "ConcurrentInvocationLimitExceeded";
    return LambdaError(429, "TooManyRequestsException", "Rate Exceeded.", rid, {{"Reason", reason}});
  }
  stats_.InvokeStarted(f->name, "RequestResponse");
  InvokeOutput out = runtime_->Invoke(*f, input);
  stats_.Release(f->name);
  stats_.InvokeFinished(f->name, !out.function_error.empty(), out.timed_out);
  if (out.payload.size() > kResponseLimit) {
    out.function_error = "Unhandled";
    out.payload = json({{"errorMessage", "Response payload size exceeded maximum allowed payload size (6291556 bytes)."},
                        {"errorType", "Function.ResponseSizeTooLarge"}})
                      .dump();
  }
  spdlog::debug("{} {} -> {}{}", f->name, version, out.function_error.empty() ? "ok" : out.function_error,
                out.timed_out ? " (timeout)" : "");
  ServerResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/json"}, {"x-amzn-RequestId", rid}, {"X-Amz-Executed-Version", version}};
  if (!out.function_error.empty()) r.headers.emplace_back("X-Amz-Function-Error", out.function_error);
  if (log_type == "Tail") {
    std::string_view tail = out.log;
    if (tail.size() > kLogTailBytes) tail = tail.substr(tail.size() - kLogTailBytes);
    r.headers.emplace_back("X-Amz-Log-Result", aws::Base64Encode(tail));
  }
  r.body = std::move(out.payload);
  return r;
}

ServerResponse LocalService::DescribeSchema(const Route& route, const std::string& rid) {
  bool registry_known = std::any_of(deployment_.registries.begin(), deployment_.registries.end(),
                                    [&](const auto& r) { return r.name == route.registry; }) ||
                        std::any_of(deployment_.schemas.begin(), deployment_.schemas.end(),
                                    [&](const auto& s) { return s.registry == route.registry; });
  if (!registry_known) {
    return SchemasError(404, "NotFoundException", "Registry with name " + route.registry + " does not exist.", rid);
  }
  auto it = std::find_if(deployment_.schemas.begin(), deployment_.schemas.end(),
                         [&](const auto& s) { return s.registry == route.registry && s.name == route.schema; });
  if (it == deployment_.schemas.end()) {
    return SchemasError(404, "NotFoundException", "Schema with name " + route.schema + " does not exist.", rid);
  }
  bool has_version = false;
  std::string version = QueryParam(route.query, "schemaVersion", &has_version);
  if (has_version && version != "1") {
    return SchemasError(404, "NotFoundException", "Schema version " + version + " does not exist.", rid);
  }
  std::string when = IsoTime(clock_.Now());
  json body = {{"Content", it->content},
               {"LastModified", when},
               {"SchemaArn", deployment_.SchemaArn(it->registry, it->name)},
               {"SchemaName", it->name},
               {"SchemaVersion", "1"},
               {"tags", it->tags},
               {"Type", it->type},
               {"VersionCreatedDate", when}};
  if (!it->description.empty()) body["Description"] = it->description;
  return JsonResponse(200, body, rid);
}

ServerResponse LocalService::GetResources(const ServerRequest& req, const std::string& rid) {
  json in = ParseJsonOrDiscarded(req.body.empty() ? std::string_view("{}") : std::string_view(req.body));
  if (!in.is_object()) return TaggingError(400, "InvalidParameterException", "The request body is not valid JSON.", rid);
  auto bad = [&](const std::string& m) { return TaggingError(400, "InvalidParameterException", m, rid); };
  int per_page = kGetResourcesPage;
  if (in.contains("ResourcesPerPage")) {
    if (!in["ResourcesPerPage"].is_number_integer()) return bad("ResourcesPerPage must be an integer.");
    per_page = in["ResourcesPerPage"].get<int>();
    if (per_page < 1 || per_page > 100) return bad("ResourcesPerPage must be between 1 and 100.");
  }
  json tag_filters = in.value("TagFilters", json::array());
  json type_filters = in.value("ResourceTypeFilters", json::array());
  json arn_list = in.value("ResourceARNList", json::array());
  if (!tag_filters.is_array() || !type_filters.is_array() || !arn_list.is_array()) {
    return bad("TagFilters, ResourceTypeFilters and ResourceARNList must be lists.");
  }
  if (tag_filters.size() > 50) return bad("TagFilters can have at most 50 items.");
  if (arn_list.size() > 100) return bad("ResourceARNList can have at most 100 items.");
  if (!arn_list.empty() && (!tag_filters.empty() || !type_filters.empty())) {
    return bad("ResourceARNList can't be used with TagFilters or ResourceTypeFilters.");
  }
  for (const auto& tf : tag_filters) {
    if (!tf.is_object() || !tf.contains("Key") || !tf["Key"].is_string()) return bad("Each TagFilter needs a Key.");
    if (tf.contains("Values") && (!tf["Values"].is_array() || tf["Values"].size() > 20)) {
      return bad("TagFilter Values must be a list of at most 20 values.");
    }
  }
  struct Resource {
    std::string arn, type;
    const std::map<std::string, std::string>* tags;
  };
  std::vector<Resource> all;
  for (const auto& f : deployment_.functions) {
    if (!f.tags.empty()) all.push_back({deployment_.FunctionArn(f.name), "lambda:function", &f.tags});
  }
  for (const auto& r : deployment_.registries) {
    if (!r.tags.empty()) all.push_back({deployment_.RegistryArn(r.name), "schemas:registry", &r.tags});
  }
  for (const auto& s : deployment_.schemas) {
    if (!s.tags.empty()) all.push_back({deployment_.SchemaArn(s.registry, s.name), "schemas:schema", &s.tags});
  }
  std::vector<const Resource*> matched;
  for (const auto& r : all) {
    if (!type_filters.empty()) {
      bool ok = false;
      for (const auto& t : type_filters) {
        std::string tf = t.is_string() ? t.get<std::string>() : "";
        if (tf == r.type || tf == r.type.substr(0, r.type.find(':'))) ok = true;
      }
      if (!ok) continue;
    }
    if (!arn_list.empty() &&
        std::none_of(arn_list.begin(), arn_list.end(), [&](const json& a) { return a.is_string() && a.get<std::string>() == r.arn; })) {
      continue;
    }
    bool ok = true;
    for (const auto& tf : tag_filters) {
      auto tag = r.tags->find(tf["Key"].get<std::string>());
      if (tag == r.tags->end()) {
        ok = false;
        break;
      }
      json values = tf.value("Values", json::array());
      if (!values.empty() && std::none_of(values.begin(), values.end(),
                                          [&](const json& v) { return v.is_string() && v.get<std::string>() == tag->second; })) {
        ok = false;
        break;
      }
    }
    if (ok) matched.push_back(&r);
  }
  size_t start = 0;
  std::string token = in.value("PaginationToken", "");
  if (!token.empty()) {
    std::string decoded = aws::Base64Decode(token).value_or("");
    if (decoded.rfind("lmcp1|", 0) != 0) return bad("Invalid PaginationToken.");
    try {
      start = std::stoul(decoded.substr(6));
    } catch (const std::exception&) {
      return bad("Invalid PaginationToken.");
    }
    if (start > matched.size()) return bad("Invalid PaginationToken.");
  }
  size_t end = std::min(matched.size(), start + static_cast<size_t>(per_page));
  json list = json::array();
  for (size_t i = start; i < end; ++i) {
    json tags = json::array();
    for (const auto& [k, v] : *matched[i]->tags) tags.push_back({{"Key", k}, {"Value", v}});
    list.push_back({{"ResourceARN", matched[i]->arn}, {"Tags", tags}});
  }
  json body = {{"PaginationToken", end < matched.size() ? aws::Base64Encode("lmcp1|" + std::to_string(end)) : ""},
               {"ResourceTagMappingList", list}};
  return JsonResponse(200, body, rid, "application/x-amz-json-1.1");
}

ServerResponse LocalService::HandleAdmin(const ServerRequest& req) {
  auto reply = [](int status, const json& body) {
    ServerResponse r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump();
    return r;
  };
  const std::string& p = req.path;
  if (p == "/__admin/health") {
    return reply(200, {{"status", "ok"}, {"functions", deployment_.functions.size()}});
  }
  if (p == "/__admin/stats") {
    if (req.method == "GET") return reply(200, stats_.ToJson());
    if (req.method == "DELETE" || req.method == "POST") {
      stats_.Reset();
      return reply(200, stats_.ToJson());
    }
  }
  if (p == "/__admin/faults") {
    if (req.method == "GET") return reply(200, faults_.ToJson());
    if (req.method == "DELETE") {
      faults_.Clear();
      return reply(200, faults_.ToJson());
    }
    if (req.method == "PUT" || req.method == "POST") {
      auto rules = ParseFaultDocument(req.body);
      if (!rules.ok()) return reply(400, {{"error", rules.error().message}});
      if (req.method == "PUT") {
        faults_.Replace(std::move(*rules));
      } else {
        faults_.Add(std::move(*rules));
      }
      return reply(200, faults_.ToJson());
    }
  }
  if (p == "/__admin/functions" && req.method == "GET") {
    json fns = json::array();
    for (const auto& f : deployment_.functions) {
      fns.push_back({{"name", f.name}, {"runtime", f.runtime}, {"handler", f.handler}, {"alias", f.alias},
                     {"timeout", f.timeout_seconds}, {"tags", f.tags}});
    }
    return reply(200, {{"functions", fns}, {"warnings", deployment_.warnings}});
  }
  return reply(404, {{"error", "unknown admin path " + req.method + " " + p},
                     {"paths", {"GET /__admin/health", "GET|DELETE /__admin/stats", "GET|PUT|POST|DELETE /__admin/faults",
                                "GET /__admin/functions"}}});
}

}  // namespace lmcp::emulator
