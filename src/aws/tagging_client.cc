#include "aws/tagging_client.h"

#include <set>

#include "aws/json_util.h"

namespace lmcp::aws {

AwsResult<GetResourcesPage> TaggingClient::GetResources(const GetResourcesRequest& request,
                                                        std::stop_token stop) {
  nlohmann::json body = nlohmann::json::object();
  if (!request.tag_filters.empty()) {
    body["TagFilters"] = nlohmann::json::array();
    for (const auto& f : request.tag_filters) {
      nlohmann::json jf = {{"Key", f.key}};
      if (!f.values.empty()) {
        jf["Values"] = f.values;
      }
      body["TagFilters"].push_back(std::move(jf));
    }
  }
  if (!request.resource_type_filters.empty()) {
    body["ResourceTypeFilters"] = request.resource_type_filters;
  }
  if (request.resources_per_page) {
    body["ResourcesPerPage"] = *request.resources_per_page;
  }
  if (!request.pagination_token.empty()) {
    body["PaginationToken"] = request.pagination_token;
  }

  OperationRequest op;
  op.operation = "GetResources";
  op.method = "POST";
  op.path = "/";
  op.headers = {{"X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.GetResources"},
                {"Content-Type", "application/x-amz-json-1.1"}};
  op.body = body.dump();
  op.stop = std::move(stop);
  auto j = caller_.CallJson(endpoint_, Protocol::kJson11, std::move(op));
  if (!j.ok()) {
    return j.error();
  }
  GetResourcesPage page;
  page.pagination_token = JsonString(*j, "PaginationToken");
  if (auto it = j->find("ResourceTagMappingList"); it != j->end() && it->is_array()) {
    for (const auto& m : *it) {
      ResourceTagMapping mapping;
      mapping.resource_arn = JsonString(m, "ResourceARN");
      if (auto tags = m.find("Tags"); tags != m.end() && tags->is_array()) {
        for (const auto& t : *tags) {
          mapping.tags[JsonString(t, "Key")] = JsonString(t, "Value");
        }
      }
      page.resources.push_back(std::move(mapping));
    }
  }
  return page;
}

AwsResult<std::vector<ResourceTagMapping>> TaggingClient::GetAllResources(GetResourcesRequest request,
                                                                          std::stop_token stop) {
  std::vector<ResourceTagMapping> all;
  std::set<std::string> seen;
  while (true) {
    auto page = GetResources(request, stop);
    if (!page.ok()) {
      return page.error();
    }
    for (auto& m : page->resources) {
      all.push_back(std::move(m));
    }
    if (page->pagination_token.empty()) {
      return all;
    }
    if (!seen.insert(page->pagination_token).second) {
      AwsError e = AwsError::Client("the service repeated PaginationToken");
      e.operation = "GetResources";
      e.http_status = 200;  // a reply arrived and cannot be followed: the service's fault, not ours
      e.may_have_reached_server = true;
      return e;
    }
    request.pagination_token = page->pagination_token;
  }
}

}  // namespace lmcp::aws
