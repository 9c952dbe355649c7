#include "emulator/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/base64.h"
#include "common/log_text.h"
#include "emulator/service_wire.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

constexpr size_t kSyncPayloadLimit = 6 * 1024 * 1024;
constexpr size_t kEventPayloadLimit = 1024 * 1024;
constexpr size_t kResponseLimit = 6 * 1024 * 1024;
constexpr size_t kClientContextLimit = 3583;
constexpr size_t kLogTailBytes = 4096;

}  // namespace

LocalService::LocalService(Deployment deployment, ServiceOptions options,
                           std::unique_ptr<FunctionRuntime> runtime, Clock& clock)
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
      if (rest.size() > kInvocations.size() &&
          rest.compare(rest.size() - kInvocations.size(), kInvocations.size(), kInvocations) == 0 &&
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

  // A web page in a browser (its Origin, or a DNS-rebound Host name) must not reach the API.
  if (std::string why = BrowserRefusal(req, options_.bound_to_loopback, /*admin=*/false); !why.empty()) {
    stats_.CountAuthFailure();
    return ServiceError(route.service, 403, "AccessDeniedException", why, request_id);
  }

  // Authenticate.
  if (options_.check_signatures) {
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
        if (c.access_key_id == akid) return c;
      }
      return std::nullopt;
    };
    auto caller = options_.verifier(signed_request, lookup, clock_.Now());
    if (!caller.ok()) {
      stats_.CountAuthFailure();
      std::string message = caller.error().message;
      std::string code = "InvalidSignatureException";
      for (const char* known :
           {"UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
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
                            "Credential should be scoped to correct service: '" + route.service + "'. ",
                            request_id);
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
      return TaggingError(400, "UnknownOperationException",
                          "Unsupported operation " + HeaderValue(req.headers, "X-Amz-Target"), request_id);
    }
    return ServiceError(route.service, 404, "UnknownOperationException",
                        "Unknown operation " + req.method + " " + req.path, request_id);
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
          r = SchemasError(rule.status, rule.code.empty() ? "TooManyRequestsException" : rule.code, message,
                           request_id);
        } else {
          r = LambdaError(rule.status, rule.code.empty() ? "TooManyRequestsException" : rule.code, message,
                          request_id,
                          {{"Reason", "CallerRateLimitExceeded"},
                           {"retryAfterSeconds", std::to_string(rule.retry_after_seconds)}});
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

ServerResponse LocalService::Invoke(const ServerRequest& req, const Route& route, const std::string& rid) {
  std::string type = HeaderValue(req.headers, "X-Amz-Invocation-Type");
  if (type.empty()) type = "RequestResponse";
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return LambdaError(
        400, "InvalidParameterValueException",
        "1 validation error detected: Value '" + type +
            "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
            "[Event, RequestResponse, DryRun]",
        rid);
  }
  std::string log_type = HeaderValue(req.headers, "X-Amz-Log-Type");
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    return LambdaError(
        400, "InvalidParameterValueException",
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
    return LambdaError(
        413, "RequestTooLargeException",
        "Request must be smaller than " + std::to_string(limit) + " bytes for the InvokeFunction operation",
        rid);
  }
  std::string payload = req.body.empty() ? "{}" : req.body;
  if (!json::accept(payload)) {
    return LambdaError(
        400, "InvalidRequestContentException",
        "Could not parse request body into json: Could not parse payload into json: Unexpected character: "
        "was expecting a JSON value",
        rid);
  }
  std::string client_context;
  if (std::string cc = HeaderValue(req.headers, "X-Amz-Client-Context"); !cc.empty()) {
    if (cc.size() > kClientContextLimit) {
      return LambdaError(
          400, "InvalidParameterValueException",
          "Client context must be less than " + std::to_string(kClientContextLimit) + " bytes.", rid);
    }
    client_context = Base64Decode(cc).value_or("");
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
  input.invoked_arn =
      deployment_.FunctionArn(f->name) +
      (route.function.qualifier.empty() ? (has_q ? ":" + q : "") : ":" + route.function.qualifier);
  input.payload = payload;

  if (type == "Event") {
    // Queued: runs in the background once a concurrency slot is free; the client gets 202 at once.
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++events_in_flight_;
    }
    std::thread([this, f, input] {
      while (stats_.TryAcquire(f->name, f->reserved_concurrency, options_.account_concurrency) !=
             ThrottleReason::kNone) {
        if (f->reserved_concurrency && *f->reserved_concurrency == 0) break;  // never runs, as on AWS
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (!(f->reserved_concurrency && *f->reserved_concurrency == 0)) {
        stats_.InvokeStarted(f->name, "Event");
        InvokeOutput out = runtime_->Invoke(*f, input);
        stats_.Release(f->name);
        stats_.InvokeFinished(f->name, !out.function_error.empty(), out.timed_out);
        spdlog::debug("Event invocation {} of {} finished{}", ForLog(input.request_id), ForLog(f->name),
                      out.function_error.empty() ? "" : " with " + ForLog(out.function_error));
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
    const char* reason = throttle == ThrottleReason::kReserved
                             ? "ReservedFunctionConcurrentInvocationLimitExceeded"
                             : "ConcurrentInvocationLimitExceeded";
    return LambdaError(429, "TooManyRequestsException", "Rate Exceeded.", rid, {{"Reason", reason}});
  }
  stats_.InvokeStarted(f->name, "RequestResponse");
  InvokeOutput out = runtime_->Invoke(*f, input);
  stats_.Release(f->name);
  stats_.InvokeFinished(f->name, !out.function_error.empty(), out.timed_out);
  if (out.payload.size() > kResponseLimit) {
    out.function_error = "Unhandled";
    out.payload = json({{"errorMessage",
                         "Response payload size exceeded maximum allowed payload size (6291556 bytes)."},
                        {"errorType", "Function.ResponseSizeTooLarge"}})
                      .dump();
  }
  spdlog::debug("{} {} -> {}{}", ForLog(f->name), ForLog(version),
                out.function_error.empty() ? "ok" : ForLog(out.function_error),
                out.timed_out ? " (timeout)" : "");
  ServerResponse r;
  r.status = 200;
  r.headers = {
      {"Content-Type", "application/json"}, {"x-amzn-RequestId", rid}, {"X-Amz-Executed-Version", version}};
  if (!out.function_error.empty()) r.headers.emplace_back("X-Amz-Function-Error", out.function_error);
  if (log_type == "Tail") {
    std::string_view tail = out.log;
    if (tail.size() > kLogTailBytes) tail = tail.substr(tail.size() - kLogTailBytes);
    r.headers.emplace_back("X-Amz-Log-Result", Base64Encode(tail));
  }
  r.body = std::move(out.payload);
  return r;
}

}  // namespace lmcp::emulator
