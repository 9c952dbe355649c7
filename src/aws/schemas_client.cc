#include "aws/schemas_client.h"

#include "aws/json_util.h"
#include "aws/url.h"

namespace lmcp::aws {

AwsResult<SchemaDescription> SchemasClient::DescribeSchema(const std::string& registry,
                                                           const std::string& schema,
                                                           const std::string& version, std::stop_token stop) {
  OperationRequest op;
  op.operation = "DescribeSchema";
  op.path = "/v1/registries/name/" + UriEncode(registry) + "/schemas/name/" + UriEncode(schema);
  if (!version.empty()) {
    op.query.emplace_back("schemaVersion", version);
  }
  op.stop = std::move(stop);
  auto j = caller_.CallJson(endpoint_, Protocol::kRestJson, std::move(op));
  if (!j.ok()) {
    return j.error();
  }
  SchemaDescription s;
  s.content = JsonString(*j, "Content");
  s.description = JsonString(*j, "Description");
  s.last_modified = JsonString(*j, "LastModified");
  s.schema_arn = JsonString(*j, "SchemaArn");
  s.schema_name = JsonString(*j, "SchemaName");
  s.schema_version = JsonString(*j, "SchemaVersion");
  s.type = JsonString(*j, "Type");
  s.version_created_date = JsonString(*j, "VersionCreatedDate");
  if (auto it = j->find("tags"); it != j->end()) {
    s.tags = JsonStringMap(*it);
  }
  return s;
}

}  // namespace lmcp::aws
