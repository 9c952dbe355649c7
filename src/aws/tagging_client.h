#pragma once
// Resource Groups Tagging API (json-1.1, signing name "tagging"): GetResources, one page or every page.
// Holds a reference to its ServiceCaller; thread-safe.

#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "aws/aws_error.h"
#include "aws/service_caller.h"

namespace lmcp::aws {

struct TagFilter {
  std::string key;
  std::vector<std::string> values;  // empty = any value; values are OR-ed, filters AND-ed
};

struct GetResourcesRequest {
  std::vector<TagFilter> tag_filters;              // at most 50
  std::vector<std::string> resource_type_filters;  // e.g. "lambda:function"
  std::optional<int> resources_per_page;           // 1–100
  std::string pagination_token;
};

struct ResourceTagMapping {
  std::string resource_arn;
  std::map<std::string, std::string> tags;
};

struct GetResourcesPage {
  std::vector<ResourceTagMapping> resources;
  std::string pagination_token;  // empty on the last page
};

class TaggingClient {
 public:
  TaggingClient(ServiceCaller& caller, ServiceEndpoint endpoint)
      : caller_(caller), endpoint_(std::move(endpoint)) {}

  AwsResult<GetResourcesPage> GetResources(const GetResourcesRequest& request, std::stop_token stop = {});
  AwsResult<std::vector<ResourceTagMapping>> GetAllResources(GetResourcesRequest request,
                                                             std::stop_token stop = {});

 private:
  ServiceCaller& caller_;
  ServiceEndpoint endpoint_;
};

}  // namespace lmcp::aws
