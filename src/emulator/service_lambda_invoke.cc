// Lambda's Invoke: RequestResponse (runs now, within the concurrency limits, or 429; a client that hangs up
// first aborts the handler, counted `aborted`), Event (queued in the background, 202 at once) and DryRun
// (checks only, 204).

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "common/base64.h"
#include "common/log_text.h"
#include "emulator/service.h"
#include "emulator/service_routes.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

constexpr size_t kSyncPayloadLimit = 6 * 1024 * 1024;
constexpr size_t kEventPayloadLimit = 1024 * 1024;
constexpr size_t kResponseLimit = 6 * 1024 * 1024;
constexpr size_t kClientContextLimit = 3583;
constexpr size_t kLogTailBytes = 4096;

// The invocation and log types, checked as Lambda does before it looks at the function.
std::optional<ServerResponse> CheckInvocationHeaders(const std::string& type, const std::string& log_type,
                                                     const std::string& rid) {
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return LambdaError(
        400, "InvalidParameterValueException",
        "1 validation error detected: Value '" + type +
            "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
            "[Event, RequestResponse, DryRun]",
        rid);
  }
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    return LambdaError(
        400, "InvalidParameterValueException",
        "1 validation error detected: Value '" + log_type +
            "' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]",
        rid);
  }
  return std::nullopt;
}

// The payload ("{}" when empty) and the decoded client context, or Lambda's refusal of either.
std::optional<ServerResponse> ReadInvokeBody(const ServerRequest& req, const std::string& type,
                                             const std::string& rid, std::string* payload,
                                             std::string* client_context) {
  size_t limit = type == "Event" ? kEventPayloadLimit : kSyncPayloadLimit;
  if (req.body.size() > limit) {
    return LambdaError(
        413, "RequestTooLargeException",
        "Request must be smaller than " + std::to_string(limit) + " bytes for the InvokeFunction operation",
        rid);
  }
  *payload = req.body.empty() ? "{}" : req.body;
  if (!json::accept(*payload)) {
    return LambdaError(
        400, "InvalidRequestContentException",
        "Could not parse request body into json: Could not parse payload into json: Unexpected character: "
        "was expecting a JSON value",
        rid);
  }
  if (std::string cc = HeaderValue(req.headers, "X-Amz-Client-Context"); !cc.empty()) {
    if (cc.size() > kClientContextLimit) {
      return LambdaError(
          400, "InvalidParameterValueException",
          "Client context must be less than " + std::to_string(kClientContextLimit) + " bytes.", rid);
    }
    *client_context = Base64Decode(cc).value_or("");
    if (client_context->empty() || !json::accept(*client_context)) {
      return LambdaError(400, "InvalidRequestContentException",
                         "Client context must be a valid Base64-encoded JSON object.", rid);
    }
  }
  return std::nullopt;
}

ServerResponse StatusOnly(int status, const std::string& rid) {
  ServerResponse r;
  r.status = status;
  r.headers = {{"x-amzn-RequestId", rid}};
  return r;
}

}  // namespace

ServerResponse LocalService::Invoke(const ServerRequest& req, const Route& route, const std::string& rid) {
  std::string type = HeaderValue(req.headers, "X-Amz-Invocation-Type");
  if (type.empty()) {
    type = "RequestResponse";
  }
  std::string log_type = HeaderValue(req.headers, "X-Amz-Log-Type");
  if (auto refused = CheckInvocationHeaders(type, log_type, rid)) {
    return std::move(*refused);
  }
  std::string version;
  ServerResponse error;
  const FunctionSpec* f = RoutedFunction(route, &version, &error, rid);
  if (!f) {
    return error;
  }
  InvokeInput input;
  std::string client_context;
  if (auto refused = ReadInvokeBody(req, type, rid, &input.payload, &client_context)) {
    return std::move(*refused);
  }
  if (type == "DryRun") {
    return StatusOnly(204, rid);
  }
  input.request_id = rid;
  input.version = version;
  input.trace_id = HeaderValue(req.headers, "X-Amzn-Trace-Id");  // Lambda passes it on, Event too
  bool has_q = false;
  std::string q = QueryParam(route.query, "Qualifier", &has_q);
  input.invoked_arn =
      deployment_.FunctionArn(f->name) +
      (route.function.qualifier.empty() ? (has_q ? ":" + q : "") : ":" + route.function.qualifier);
  if (type == "Event") {
    return QueueEvent(*f, std::move(input), rid);
  }
  input.client_context = std::move(client_context);
  input.client_fd = req.peer_fd;
  return InvokeNow(*f, std::move(input), log_type, rid);
}

// Runs in the background once a concurrency slot is free; the client gets 202 at once.
ServerResponse LocalService::QueueEvent(const FunctionSpec& function, InvokeInput input,
                                        const std::string& rid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++events_in_flight_;
  }
  const FunctionSpec* f = &function;
  std::thread([this, f, input = std::move(input)] {
    while (stats_.TryAcquire(f->name, f->reserved_concurrency, options_.account_concurrency) !=
           ThrottleReason::kNone) {
      if (f->reserved_concurrency && *f->reserved_concurrency == 0) {
        break;  // never runs, as on AWS
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!(f->reserved_concurrency && *f->reserved_concurrency == 0)) {
      stats_.InvokeStarted(f->name, "Event", input.payload);
      InvokeOutput out = runtime_->Invoke(*f, input);
      stats_.Release(f->name);
      stats_.InvokeFinished(f->name, !out.function_error.empty(), out.timed_out);
      spdlog::debug("Event invocation {} of {} finished{}", ForLog(input.request_id), ForLog(f->name),
                    out.function_error.empty() ? "" : " with " + ForLog(out.function_error));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (--events_in_flight_ == 0) {
      events_cv_.notify_all();
    }
  }).detach();
  return StatusOnly(202, rid);
}

ServerResponse LocalService::InvokeNow(const FunctionSpec& f, InvokeInput input, const std::string& log_type,
                                       const std::string& rid) {
  ThrottleReason throttle = stats_.TryAcquire(f.name, f.reserved_concurrency, options_.account_concurrency);
  if (throttle != ThrottleReason::kNone) {
    stats_.CountThrottle(f.name);
    const char* reason = throttle == ThrottleReason::kReserved
                             ? "ReservedFunctionConcurrentInvocationLimitExceeded"
                             : "ConcurrentInvocationLimitExceeded";
    return LambdaError(429, "TooManyRequestsException", "Rate Exceeded.", rid, {{"Reason", reason}});
  }
  stats_.InvokeStarted(f.name, "RequestResponse", input.payload);
  InvokeOutput out = runtime_->Invoke(f, input);
  stats_.Release(f.name);
  if (out.aborted) {
    stats_.InvokeAborted(f.name);
    spdlog::debug("{} {} aborted: the client went away", ForLog(f.name), ForLog(input.version));
    ServerResponse gone = StatusOnly(500, rid);
    gone.disconnect = Disconnect::kResetNoResponse;  // nobody is there to read an answer
    return gone;
  }
  stats_.InvokeFinished(f.name, !out.function_error.empty(), out.timed_out);
  if (out.payload.size() > kResponseLimit) {
    out.function_error = "Unhandled";
    out.payload = json({{"errorMessage",
                         "Response payload size exceeded maximum allowed payload size (6291556 bytes)."},
                        {"errorType", "Function.ResponseSizeTooLarge"}})
                      .dump();
  }
  spdlog::debug("{} {} -> {}{}", ForLog(f.name), ForLog(input.version),
                out.function_error.empty() ? "ok" : ForLog(out.function_error),
                out.timed_out ? " (timeout)" : "");
  ServerResponse r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/json"},
               {"x-amzn-RequestId", rid},
               {"X-Amz-Executed-Version", input.version}};
  if (!out.function_error.empty()) {
    r.headers.emplace_back("X-Amz-Function-Error", out.function_error);
  }
  if (log_type == "Tail") {
    std::string_view tail = out.log;
    if (tail.size() > kLogTailBytes) {
      tail = tail.substr(tail.size() - kLogTailBytes);
    }
    r.headers.emplace_back("X-Amz-Log-Result", Base64Encode(tail));
  }
  r.body = std::move(out.payload);
  return r;
}

}  // namespace lmcp::emulator
