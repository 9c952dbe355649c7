#pragma once
// EventBridge Schemas (rest-json, signing name "schemas"): DescribeSchema, latest or a given version.
// Holds a reference to its ServiceCaller; thread-safe.

#include <map>
#include <stop_token>
#include <string>

#include "aws/aws_error.h"
#include "aws/service_caller.h"

namespace lmcp::aws {

struct SchemaDescription {
  std::string content;  // the schema document, as a JSON string: parse it again
  std::string description;
  std::string last_modified;
  std::string schema_arn;
  std::string schema_name;
  std::string schema_version;
  std::string type;  // "OpenApi3" | "JSONSchemaDraft4"
  std::string version_created_date;
  std::map<std::string, std::string> tags;
};

class SchemasClient {
 public:
  SchemasClient(ServiceCaller& caller, ServiceEndpoint endpoint)
      : caller_(caller), endpoint_(std::move(endpoint)) {}

  // `version` empty = latest.
  AwsResult<SchemaDescription> DescribeSchema(const std::string& registry, const std::string& schema,
                                              const std::string& version = "", std::stop_token stop = {});

 private:
  ServiceCaller& caller_;
  ServiceEndpoint endpoint_;
};

}  // namespace lmcp::aws
