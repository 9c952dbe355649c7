// Lambda's read-only operations: ListFunctions, GetFunction, ListTags.

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "emulator/service.h"
#include "emulator/service_routes.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

constexpr int kListFunctionsPage = 50;

}  // namespace

ServerResponse LocalService::ListFunctions(const ServerRequest&, const Route& route, const std::string& rid) {
  const auto& q = route.query;
  bool has_max = false, has_version = false, has_master = false;
  std::string max_items = QueryParam(q, "MaxItems", &has_max);
  std::string fv = QueryParam(q, "FunctionVersion", &has_version);
  QueryParam(q, "MasterRegion", &has_master);
  if (has_version && fv != "ALL") {
    return LambdaError(
        400, "InvalidParameterValueException",
        "1 validation error detected: Value '" + fv +
            "' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]",
        rid);
  }
  if (has_master && !has_version) {
    return LambdaError(400, "InvalidParameterValueException",
                       "MasterRegion requires FunctionVersion to be set to ALL.", rid);
  }
  int page = kListFunctionsPage;
  if (has_max) {
    int n = 0;
    try {
      size_t used = 0;
      n = std::stoi(max_items, &used);
      if (used != max_items.size()) {
        n = 0;
      }
    } catch (const std::exception&) {
      n = 0;
    }
    if (n < 1 || n > 10000) {
      return LambdaError(
          400, "InvalidParameterValueException",
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
    if (has_version && !f.alias.empty()) {
      items.emplace_back(&f, "1");
    }
  }
  auto key = [](const FunctionSpec* f, const std::string& v) { return f->name + ":" + v; };
  size_t start = 0;
  bool has_marker = false;
  std::string marker = QueryParam(q, "Marker", &has_marker);
  if (has_marker && !marker.empty()) {
    std::string decoded = Base64Decode(marker).value_or("");
    if (decoded.rfind("lmcp1|", 0) != 0) {
      return LambdaError(400, "InvalidParameterValueException", "Invalid Marker: " + marker, rid);
    }
    std::string k = decoded.substr(6);
    while (start < items.size() && key(items[start].first, items[start].second) < k) {
      ++start;
    }
  }
  json functions = json::array();
  size_t end = std::min(items.size(), start + static_cast<size_t>(page));
  for (size_t i = start; i < end; ++i) {
    functions.push_back(
        FunctionConfiguration(deployment_, *items[i].first, items[i].second, last_modified_, false));
  }
  json body = {{"Functions", functions}};
  if (end < items.size()) {
    body["NextMarker"] = Base64Encode("lmcp1|" + key(items[end].first, items[end].second));
  }
  return JsonResponse(200, body, rid);
}

const FunctionSpec* LocalService::RoutedFunction(const Route& route, std::string* version,
                                                 ServerResponse* error, const std::string& rid) const {
  bool has_q = false;
  std::string q = QueryParam(route.query, "Qualifier", &has_q);
  return ResolveFunction(deployment_, route.function, q, has_q, version, error, rid);
}

ServerResponse LocalService::GetFunction(const ServerRequest&, const Route& route, const std::string& rid) {
  std::string version;
  ServerResponse error;
  const FunctionSpec* f = RoutedFunction(route, &version, &error, rid);
  if (!f) {
    return error;
  }
  json body = {{"Configuration", FunctionConfiguration(deployment_, *f, version, last_modified_, true)},
               {"Code",
                {{"RepositoryType", "S3"},
                 {"Location", "http://" + options_.host_for_urls + ":" +
                                  std::to_string(options_.port_for_urls) + "/__admin/code/" + f->name}}},
               {"Tags", f->tags}};
  if (f->reserved_concurrency) {
    body["Concurrency"] = {{"ReservedConcurrentExecutions", *f->reserved_concurrency}};
  }
  return JsonResponse(200, body, rid);
}

ServerResponse LocalService::ListTags(const ServerRequest&, const Route& route, const std::string& rid) {
  if (route.resource.rfind("arn:", 0) != 0) {
    return LambdaError(
        400, "ValidationException",
        "1 validation error detected: Value '" + route.resource +
            "' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-"
            "zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
        rid);
  }
  if (!route.function.qualifier.empty()) {
    return LambdaError(
        400, "InvalidParameterValueException",
        "Tags on function aliases and versions are not supported. Please specify a function ARN.", rid);
  }
  std::string version;
  ServerResponse error;
  const FunctionSpec* f = ResolveFunction(deployment_, route.function, "", false, &version, &error, rid);
  if (!f) {
    return error;
  }
  return JsonResponse(200, {{"Tags", f->tags}}, rid);
}

}  // namespace lmcp::emulator
