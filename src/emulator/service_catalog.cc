// LocalService's read-only operations: ListFunctions, GetFunction, ListTags (Lambda), DescribeSchema
// (EventBridge Schemas) and GetResources (Resource Groups Tagging).

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/base64.h"
#include "common/iso8601.h"
#include "common/json.h"
#include "emulator/service.h"
#include "emulator/service_wire.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

constexpr int kListFunctionsPage = 50;
constexpr int kGetResourcesPage = 100;

}  // namespace

ServerResponse LocalService::ListFunctions(const ServerRequest& req, const std::string& rid) {
  auto q = ParseQuery(req.query);
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
      if (used != max_items.size()) n = 0;
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
    if (has_version && !f.alias.empty()) items.emplace_back(&f, "1");
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
    while (start < items.size() && key(items[start].first, items[start].second) < k) ++start;
  }
  json functions = json::array();
  size_t end = std::min(items.size(), start + static_cast<size_t>(page));
  for (size_t i = start; i < end; ++i) {
    functions.push_back(
        FunctionConfiguration(deployment_, *items[i].first, items[i].second, last_modified_, false));
  }
  json body = {{"Functions", functions}};
  if (end < items.size())
    body["NextMarker"] = Base64Encode("lmcp1|" + key(items[end].first, items[end].second));
  return JsonResponse(200, body, rid);
}

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
                 {"Location", "http://" + options_.host_for_urls + ":" +
                                  std::to_string(options_.port_for_urls) + "/__admin/code/" + f->name}}},
               {"Tags", f->tags}};
  if (f->reserved_concurrency)
    body["Concurrency"] = {{"ReservedConcurrentExecutions", *f->reserved_concurrency}};
  return JsonResponse(200, body, rid);
}

ServerResponse LocalService::ListTags(const Route& route, const std::string& rid) {
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
  if (!f) return error;
  return JsonResponse(200, {{"Tags", f->tags}}, rid);
}

ServerResponse LocalService::DescribeSchema(const Route& route, const std::string& rid) {
  bool registry_known = std::any_of(deployment_.registries.begin(), deployment_.registries.end(),
                                    [&](const auto& r) { return r.name == route.registry; }) ||
                        std::any_of(deployment_.schemas.begin(), deployment_.schemas.end(),
                                    [&](const auto& s) { return s.registry == route.registry; });
  if (!registry_known) {
    return SchemasError(404, "NotFoundException", "Registry with name " + route.registry + " does not exist.",
                        rid);
  }
  auto it = std::find_if(deployment_.schemas.begin(), deployment_.schemas.end(), [&](const auto& s) {
    return s.registry == route.registry && s.name == route.schema;
  });
  if (it == deployment_.schemas.end()) {
    return SchemasError(404, "NotFoundException", "Schema with name " + route.schema + " does not exist.",
                        rid);
  }
  bool has_version = false;
  std::string version = QueryParam(route.query, "schemaVersion", &has_version);
  if (has_version && version != "1") {
    return SchemasError(404, "NotFoundException", "Schema version " + version + " does not exist.", rid);
  }
  std::string when = FormatIso8601(clock_.Now());
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
  if (!in.is_object())
    return TaggingError(400, "InvalidParameterException", "The request body is not valid JSON.", rid);
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
    if (!tf.is_object() || !tf.contains("Key") || !tf["Key"].is_string())
      return bad("Each TagFilter needs a Key.");
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
    if (!s.tags.empty())
      all.push_back({deployment_.SchemaArn(s.registry, s.name), "schemas:schema", &s.tags});
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
    if (!arn_list.empty() && std::none_of(arn_list.begin(), arn_list.end(), [&](const json& a) {
          return a.is_string() && a.get<std::string>() == r.arn;
        })) {
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
      if (!values.empty() && std::none_of(values.begin(), values.end(), [&](const json& v) {
            return v.is_string() && v.get<std::string>() == tag->second;
          })) {
        ok = false;
        break;
      }
    }
    if (ok) matched.push_back(&r);
  }
  size_t start = 0;
  std::string token = in.value("PaginationToken", "");
  if (!token.empty()) {
    std::string decoded = Base64Decode(token).value_or("");
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
  json body = {
      {"PaginationToken", end < matched.size() ? Base64Encode("lmcp1|" + std::to_string(end)) : ""},
      {"ResourceTagMappingList", list}};
  return JsonResponse(200, body, rid, "application/x-amz-json-1.1");
}

}  // namespace lmcp::emulator
