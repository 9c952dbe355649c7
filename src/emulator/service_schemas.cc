// EventBridge Schemas' DescribeSchema, over the template's registries and schemas.

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/iso8601.h"
#include "emulator/service.h"
#include "emulator/service_routes.h"

namespace lmcp::emulator {

using nlohmann::json;

ServerResponse LocalService::DescribeSchema(const ServerRequest&, const Route& route,
                                            const std::string& rid) {
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
  if (!it->description.empty()) {
    body["Description"] = it->description;
  }
  return JsonResponse(200, body, rid);
}

}  // namespace lmcp::emulator
