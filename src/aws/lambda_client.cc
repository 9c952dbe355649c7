#include "aws/lambda_client.h"

#include <set>

#include "aws/json_util.h"
#include "aws/url.h"
#include "common/base64.h"

namespace lmcp::aws {
namespace {

AwsError LocalError(const std::string& operation, const std::string& code, std::string message) {
  AwsError e = AwsError::Client(std::move(message));
  e.code = code;
  e.operation = operation;
  return e;
}

}  // namespace

FunctionConfiguration FunctionConfiguration::FromJson(const nlohmann::json& j) {
  FunctionConfiguration f;
  f.function_name = JsonString(j, "FunctionName");
  f.function_arn = JsonString(j, "FunctionArn");
  f.description = JsonString(j, "Description");
  f.runtime = JsonString(j, "Runtime");
  f.handler = JsonString(j, "Handler");
  f.version = JsonString(j, "Version");
  f.last_modified = JsonString(j, "LastModified");
  f.state = JsonString(j, "State");
  f.package_type = JsonString(j, "PackageType");
  f.timeout_seconds = JsonInt(j, "Timeout");
  f.memory_size_mb = JsonInt(j, "MemorySize");
  f.raw = j;
  return f;
}

AwsResult<ListFunctionsPage> LambdaClient::ListFunctions(const ListFunctionsRequest& request,
                                                         std::stop_token stop) {
  OperationRequest op;
  op.operation = "ListFunctions";
  op.path = "/2015-03-31/functions/";
  if (!request.master_region.empty()) {
    op.query.emplace_back("MasterRegion", request.master_region);
  }
  if (request.all_versions) {
    op.query.emplace_back("FunctionVersion", "ALL");
  }
  if (!request.marker.empty()) {
    op.query.emplace_back("Marker", request.marker);
  }
  if (request.max_items) {
    op.query.emplace_back("MaxItems", std::to_string(*request.max_items));
  }
  op.stop = std::move(stop);
  auto j = caller_.CallJson(endpoint_, Protocol::kRestJson, std::move(op));
  if (!j.ok()) {
    return j.error();
  }
  ListFunctionsPage page;
  if (auto it = j->find("Functions"); it != j->end() && it->is_array()) {
    for (const auto& f : *it) {
      page.functions.push_back(FunctionConfiguration::FromJson(f));
    }
  }
  page.next_marker = JsonString(*j, "NextMarker");
  return page;
}

AwsResult<std::vector<FunctionConfiguration>> LambdaClient::ListAllFunctions(ListFunctionsRequest request,
                                                                             std::stop_token stop) {
  std::vector<FunctionConfiguration> all;
  std::set<std::string> seen_markers;
  while (true) {
    auto page = ListFunctions(request, stop);
    if (!page.ok()) {
      return page.error();
    }
    for (auto& f : page->functions) {
      all.push_back(std::move(f));
    }
    if (page->next_marker.empty()) {
      return all;
    }
    if (!seen_markers.insert(page->next_marker).second) {
      AwsError e = LocalError("ListFunctions", "", "the service repeated NextMarker " + page->next_marker);
      e.http_status = 200;  // a reply arrived and cannot be followed: the service's fault, not ours
      e.may_have_reached_server = true;
      return e;
    }
    request.marker = page->next_marker;
  }
}

AwsResult<std::map<std::string, std::string>> LambdaClient::ListTags(const std::string& function_arn,
                                                                     std::stop_token stop) {
  OperationRequest op;
  op.operation = "ListTags";
  op.path = "/2017-03-31/tags/" + UriEncode(function_arn);
  op.stop = std::move(stop);
  auto j = caller_.CallJson(endpoint_, Protocol::kRestJson, std::move(op));
  if (!j.ok()) {
    return j.error();
  }
  auto it = j->find("Tags");
  return it == j->end() ? std::map<std::string, std::string>() : JsonStringMap(*it);
}

AwsResult<GetFunctionResult> LambdaClient::GetFunction(const std::string& function_name,
                                                       const std::string& qualifier, std::stop_token stop) {
  OperationRequest op;
  op.operation = "GetFunction";
  op.path = "/2015-03-31/functions/" + UriEncode(function_name);
  if (!qualifier.empty()) {
    op.query.emplace_back("Qualifier", qualifier);
  }
  op.stop = std::move(stop);
  auto j = caller_.CallJson(endpoint_, Protocol::kRestJson, std::move(op));
  if (!j.ok()) {
    return j.error();
  }
  GetFunctionResult out;
  if (auto it = j->find("Configuration"); it != j->end()) {
    out.configuration = FunctionConfiguration::FromJson(*it);
  }
  if (auto it = j->find("Tags"); it != j->end()) {
    out.tags = JsonStringMap(*it);
  }
  if (auto it = j->find("Code"); it != j->end()) {
    out.code = *it;
  }
  if (auto it = j->find("Concurrency"); it != j->end() && it->is_object()) {
    auto c = it->find("ReservedConcurrentExecutions");
    if (c != it->end() && c->is_number_integer()) {
      out.reserved_concurrency = c->get<int>();
    }
  }
  return out;
}

AwsResult<OperationRequest> LambdaClient::InvokeOperation(InvokeRequest request) {
  const std::string kOp = "Invoke";
  if (request.function_name.empty()) {
    return LocalError(kOp, "InvalidParameterValueException", "FunctionName is empty");
  }
  std::size_t limit =
      request.invocation_type == InvocationType::kEvent ? kMaxEventPayloadBytes : kMaxSyncPayloadBytes;
  if (request.payload.size() > limit) {
    return LocalError(kOp, "RequestTooLargeException",
                      "payload of " + std::to_string(request.payload.size()) + " bytes exceeds the " +
                          std::to_string(limit) + "-byte limit for this invocation type");
  }
  OperationRequest op;
  op.operation = kOp;
  op.method = "POST";
  op.path = "/2015-03-31/functions/" + UriEncode(request.function_name) + "/invocations";
  if (!request.qualifier.empty()) {
    op.query.emplace_back("Qualifier", request.qualifier);
  }
  switch (request.invocation_type) {
    case InvocationType::kRequestResponse:
      op.headers.emplace_back("X-Amz-Invocation-Type", "RequestResponse");
      break;
    case InvocationType::kEvent:
      op.headers.emplace_back("X-Amz-Invocation-Type", "Event");
      break;
    case InvocationType::kDryRun:
      op.headers.emplace_back("X-Amz-Invocation-Type", "DryRun");
      break;
  }
  if (request.tail_log) {
    op.headers.emplace_back("X-Amz-Log-Type", "Tail");
  }
  if (!request.client_context_json.empty()) {
    std::string encoded = Base64Encode(request.client_context_json);
    if (encoded.size() > kMaxClientContextBytes) {
      return LocalError(
          kOp, "InvalidParameterValueException",
          "ClientContext is " + std::to_string(encoded.size()) + " bytes of base64; the limit is 3583");
    }
    op.headers.emplace_back("X-Amz-Client-Context", std::move(encoded));
  }
  if (!request.trace_header.empty()) {
    op.headers.emplace_back("X-Amzn-Trace-Id", std::move(request.trace_header));
  }
  op.body = std::move(request.payload);
  op.idempotent = false;
  op.read_timeout = request.read_timeout;
  // Lambda answers at most 6 MB (above that it sends its own Function.ResponseSizeTooLarge error), so a
  // longer body is cut off while reading instead of being buffered.
  op.max_response_bytes = kMaxSyncPayloadBytes + 64 * 1024;
  op.stop = std::move(request.stop);
  return op;
}

InvokeResult LambdaClient::ReadInvoke(HttpResponse response) {
  InvokeResult out;
  out.status_code = response.status;
  out.function_error = FindHeader(response.headers, "x-amz-function-error");
  out.executed_version = FindHeader(response.headers, "x-amz-executed-version");
  out.request_id = FindHeader(response.headers, "x-amzn-requestid");
  if (std::string log = FindHeader(response.headers, "x-amz-log-result"); !log.empty()) {
    out.log_result = Base64Decode(log).value_or("");
  }
  out.payload = std::move(response.body);
  return out;
}

AwsResult<InvokeResult> LambdaClient::Invoke(InvokeRequest request) {
  auto op = InvokeOperation(std::move(request));
  if (!op.ok()) {
    return op.error();
  }
  auto r = caller_.Call(endpoint_, Protocol::kRestJson, std::move(*op));  // the payload moves, never copied
  if (!r.ok()) {
    return r.error();
  }
  return ReadInvoke(std::move(*r));
}

Async<AwsResult<InvokeResult>> LambdaClient::InvokeAsync(InvokeRequest request) {
  auto op = InvokeOperation(std::move(request));
  if (!op.ok()) {
    co_return op.error();
  }
  auto r = co_await caller_.CallAsync(endpoint_, Protocol::kRestJson, std::move(*op));
  if (!r.ok()) {
    co_return r.error();
  }
  co_return ReadInvoke(std::move(*r));
}

}  // namespace lmcp::aws
