// Resource Groups Tagging's GetResources, over the template's tagged functions, registries and schemas.

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/json.h"
#include "emulator/service.h"
#include "emulator/service_routes.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

constexpr int kGetResourcesPage = 100;

struct GetResourcesInput {
  int per_page = kGetResourcesPage;
  json tag_filters, type_filters, arn_list;
  std::string token;
};

// Reads and checks the request body in the order the service does; returns the problem ("" when none).
std::string ReadGetResources(const std::string& body, GetResourcesInput* in) {
  json doc = ParseJsonOrDiscarded(body.empty() ? std::string_view("{}") : std::string_view(body));
  if (!doc.is_object()) {
    return "The request body is not valid JSON.";
  }
  if (doc.contains("ResourcesPerPage")) {
    if (!doc["ResourcesPerPage"].is_number_integer()) {
      return "ResourcesPerPage must be an integer.";
    }
    in->per_page = doc["ResourcesPerPage"].get<int>();
    if (in->per_page < 1 || in->per_page > 100) {
      return "ResourcesPerPage must be between 1 and 100.";
    }
  }
  in->tag_filters = doc.value("TagFilters", json::array());
  in->type_filters = doc.value("ResourceTypeFilters", json::array());
  in->arn_list = doc.value("ResourceARNList", json::array());
  if (!in->tag_filters.is_array() || !in->type_filters.is_array() || !in->arn_list.is_array()) {
    return "TagFilters, ResourceTypeFilters and ResourceARNList must be lists.";
  }
  if (in->tag_filters.size() > 50) {
    return "TagFilters can have at most 50 items.";
  }
  if (in->arn_list.size() > 100) {
    return "ResourceARNList can have at most 100 items.";
  }
  if (!in->arn_list.empty() && (!in->tag_filters.empty() || !in->type_filters.empty())) {
    return "ResourceARNList can't be used with TagFilters or ResourceTypeFilters.";
  }
  for (const auto& tf : in->tag_filters) {
    if (!tf.is_object() || !tf.contains("Key") || !tf["Key"].is_string()) {
      return "Each TagFilter needs a Key.";
    }
    if (tf.contains("Values") && (!tf["Values"].is_array() || tf["Values"].size() > 20)) {
      return "TagFilter Values must be a list of at most 20 values.";
    }
  }
  in->token = doc.value("PaginationToken", "");
  return "";
}

struct Resource {
  std::string arn, type;
  const std::map<std::string, std::string>* tags;
};

// Every tagged resource of the deployment, in the order GetResources lists them.
std::vector<Resource> TaggedResources(const Deployment& d) {
  std::vector<Resource> all;
  for (const auto& f : d.functions) {
    if (!f.tags.empty()) {
      all.push_back({d.FunctionArn(f.name), "lambda:function", &f.tags});
    }
  }
  for (const auto& r : d.registries) {
    if (!r.tags.empty()) {
      all.push_back({d.RegistryArn(r.name), "schemas:registry", &r.tags});
    }
  }
  for (const auto& s : d.schemas) {
    if (!s.tags.empty()) {
      all.push_back({d.SchemaArn(s.registry, s.name), "schemas:schema", &s.tags});
    }
  }
  return all;
}

bool Matches(const Resource& r, const GetResourcesInput& in) {
  if (!in.type_filters.empty()) {
    bool ok = false;
    for (const auto& t : in.type_filters) {
      std::string tf = t.is_string() ? t.get<std::string>() : "";
      if (tf == r.type || tf == r.type.substr(0, r.type.find(':'))) {
        ok = true;
      }
    }
    if (!ok) {
      return false;
    }
  }
  if (!in.arn_list.empty() && std::none_of(in.arn_list.begin(), in.arn_list.end(), [&](const json& a) {
        return a.is_string() && a.get<std::string>() == r.arn;
      })) {
    return false;
  }
  for (const auto& tf : in.tag_filters) {
    auto tag = r.tags->find(tf["Key"].get<std::string>());
    if (tag == r.tags->end()) {
      return false;
    }
    json values = tf.value("Values", json::array());
    if (!values.empty() && std::none_of(values.begin(), values.end(), [&](const json& v) {
          return v.is_string() && v.get<std::string>() == tag->second;
        })) {
      return false;
    }
  }
  return true;
}

}  // namespace

ServerResponse LocalService::GetResources(const ServerRequest& req, const Route&, const std::string& rid) {
  auto bad = [&](const std::string& m) { return TaggingError(400, "InvalidParameterException", m, rid); };
  GetResourcesInput in;
  if (std::string problem = ReadGetResources(req.body, &in); !problem.empty()) {
    return bad(problem);
  }
  std::vector<Resource> all = TaggedResources(deployment_);
  std::vector<const Resource*> matched;
  for (const auto& r : all) {
    if (Matches(r, in)) {
      matched.push_back(&r);
    }
  }
  size_t start = 0;
  if (!in.token.empty()) {
    std::string decoded = Base64Decode(in.token).value_or("");
    if (decoded.rfind("lmcp1|", 0) != 0) {
      return bad("Invalid PaginationToken.");
    }
    try {
      start = std::stoul(decoded.substr(6));
    } catch (const std::exception&) {
      return bad("Invalid PaginationToken.");
    }
    if (start > matched.size()) {
      return bad("Invalid PaginationToken.");
    }
  }
  size_t end = std::min(matched.size(), start + static_cast<size_t>(in.per_page));
  json list = json::array();
  for (size_t i = start; i < end; ++i) {
    json tags = json::array();
    for (const auto& [k, v] : *matched[i]->tags) {
      tags.push_back({{"Key", k}, {"Value", v}});
    }
    list.push_back({{"ResourceARN", matched[i]->arn}, {"Tags", tags}});
  }
  json body = {{"PaginationToken", end < matched.size() ? Base64Encode("lmcp1|" + std::to_string(end)) : ""},
               {"ResourceTagMappingList", list}};
  return JsonResponse(200, body, rid, "application/x-amz-json-1.1");
}

}  // namespace lmcp::emulator
