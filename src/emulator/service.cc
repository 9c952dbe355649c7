// LocalService's pipeline: route, refuse what a web page could send, check the signature, apply faults,
// then run the operation the route table names.

#include "emulator/service.h"

#include <cstdio>

#include "emulator/service_routes.h"

namespace lmcp::emulator {

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
  if (runtime_) {
    runtime_->Shutdown();
  }
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

namespace {

// The answer to a request no route matched, in the shape of the service it addresses.
ServerResponse UnknownOperation(const ServerRequest& req, const std::string& service,
                                const std::vector<std::pair<std::string, std::string>>& query,
                                const std::string& request_id) {
  if (service == "tagging") {
    return TaggingError(400, "UnknownOperationException",
                        "Unsupported operation " + HeaderValue(req.headers, "X-Amz-Target"), request_id);
  }
  if (service == "sts") {
    bool has_action = false, has_version = false;
    std::string action = QueryParam(query, "Action", &has_action);
    std::string version = QueryParam(query, "Version", &has_version);
    if (!has_action) {
      return StsError(400, "MissingAction", "Missing Action", request_id);
    }
    return StsError(400, "InvalidAction",
                    "Could not find operation " + action + " for version " +
                        (has_version ? version : "NO_VERSION_SPECIFIED"),
                    request_id);
  }
  return ServiceError(service, 404, "UnknownOperationException",
                      "Unknown operation " + req.method + " " + req.path, request_id);
}

}  // namespace

// What the configured faults do to a request that is about to run its operation.
struct LocalService::FaultEffect {
  std::optional<ServerResponse> answer;  // sent instead of the operation's answer
  Disconnect disconnect = Disconnect::kNone;
  std::optional<int> cut_body_status;  // the operation's answer, with this status and half its body
};

ServerResponse LocalService::Handle(const ServerRequest& req) {
  if (req.path.rfind("/__admin/", 0) == 0) {
    return HandleAdmin(req);
  }
  const std::string request_id = NewRequestId();
  Route route = MatchRoute(req);
  stats_.CountOperation(route.operation.empty() ? "Unknown" : route.operation);

  // A web page in a browser (its Origin, or a DNS-rebound Host name) must not reach the API.
  if (std::string why = BrowserRefusal(req, options_.bound_to_loopback, /*admin=*/false); !why.empty()) {
    stats_.CountAuthFailure();
    return ServiceError(route.service, 403, "AccessDeniedException", why, request_id);
  }
  if (std::optional<ServerResponse> refused = CheckSignature(req, route, request_id)) {
    return std::move(*refused);
  }
  if (route.operation.empty()) {
    return UnknownOperation(req, route.service, route.query, request_id);
  }

  FaultEffect fault = ApplyFaults(route, request_id);
  if (fault.answer) {
    return std::move(*fault.answer);
  }
  ServerResponse res = (this->*route.handler)(req, route, request_id);
  if (res.disconnect == Disconnect::kNone) {  // an operation's own reset (its client is gone) stays
    res.disconnect = fault.disconnect;
  }
  if (fault.cut_body_status) {
    res.status = *fault.cut_body_status;
    res.body.resize(res.body.size() / 2);
  }
  return res;
}

LocalService::FaultEffect LocalService::ApplyFaults(const Route& route, const std::string& request_id) {
  FaultEffect effect;
  FaultPlan plan = faults_.Plan(route.operation, route.function.name);
  if (plan.latency_ms > 0) {
    stats_.CountFault();
    clock_.SleepFor(std::chrono::milliseconds(plan.latency_ms));
  }
  if (!plan.terminal) {
    return effect;
  }
  stats_.CountFault();
  const FaultRule& rule = *plan.terminal;
  switch (rule.type) {
    case FaultType::kError: {
      std::string code = rule.code.empty() ? DefaultErrorCode(route.service, rule.status) : rule.code;
      std::string message = rule.message.empty() ? "Injected fault (" + code + ")" : rule.message;
      effect.answer = ServiceError(route.service, rule.status, code, message, request_id);
      break;
    }
    case FaultType::kThrottle: {
      ServerResponse r;
      std::string message = rule.message.empty() ? "Rate exceeded" : rule.message;
      if (route.service == "tagging") {
        r = TaggingError(400, rule.code.empty() ? "ThrottledException" : rule.code, message, request_id);
      } else if (route.service == "sts") {
        r = StsError(400, rule.code.empty() ? "Throttling" : rule.code, message, request_id);
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
      effect.answer = std::move(r);
      break;
    }
    case FaultType::kReset: {
      ServerResponse r;
      r.disconnect = Disconnect::kResetNoResponse;
      effect.answer = std::move(r);
      break;
    }
    case FaultType::kResetBeforeBody:
      effect.disconnect = Disconnect::kResetBeforeBody;
      break;
    case FaultType::kResetAfterBody:
      effect.disconnect = Disconnect::kResetAfterBody;
      break;
    case FaultType::kMalformed:
      if (rule.status >= 400) {
        ServerResponse r;
        r.status = rule.status;
        r.headers = {{"Content-Type", "text/html"}};
        r.body = "<html><head><title>" + std::to_string(rule.status) + "</title></head><body><h1>" +
                 std::to_string(rule.status) + " " + (rule.message.empty() ? "Bad Gateway" : rule.message) +
                 "</h1></body></html>\n";
        effect.answer = std::move(r);
      } else {
        effect.cut_body_status = rule.status;
      }
      break;
    case FaultType::kDeny:
      effect.answer = DenyAnswer(route, rule, request_id);
      break;
    case FaultType::kLatency:
      break;
  }
  return effect;
}

std::optional<ServerResponse> LocalService::DenyAnswer(const Route& route, const FaultRule& rule,
                                                       const std::string& request_id) const {
  const IamAction* iam = IamActionOf(route.operation);
  if (iam == nullptr) {
    return std::nullopt;
  }
  // The resource the action was refused on: what the request names, or "*" for actions on none.
  std::string resource = "*";
  if (!route.resource.empty()) {
    resource = route.resource;
  } else if (!route.function.name.empty()) {
    std::string qualifier = QueryParam(route.query, "Qualifier");
    qualifier = qualifier.empty() ? route.function.qualifier : qualifier;
    resource = deployment_.FunctionArn(route.function.name) + (qualifier.empty() ? "" : ":" + qualifier);
  } else if (!route.schema.empty()) {
    resource = deployment_.SchemaArn(route.registry, route.schema);
  }
  const std::string action = iam->action;
  std::string message = rule.message.empty()
                            ? "User: " + deployment_.CallerArn() +
                                  " is not authorized to perform: " + action + " on resource: " + resource +
                                  " because no identity-based policy allows the " + action + " action"
                            : rule.message;
  std::string code = rule.code.empty() ? "AccessDeniedException" : rule.code;
  if (route.service == "tagging") {
    return TaggingError(400, code, message, request_id);
  }
  if (route.service == "schemas") {
    return SchemasError(403, code, message, request_id);
  }
  return LambdaError(403, code, message, request_id);
}

}  // namespace lmcp::emulator
