#include "catalog/lambda_tool_source.h"

#include <spdlog/spdlog.h>

#include "aws/aws_config.h"
#include "catalog/aws_lambda_backend.h"

namespace lmcp::catalog {

LambdaToolSource::LambdaToolSource(const CatalogOptions& options, std::unique_ptr<LambdaBackend> backend,
                                   std::unique_ptr<AuditSink> audit, Clock& clock)
    : backend_(std::move(backend)),
      audit_(std::move(audit)),
      catalog_(std::make_unique<LambdaCatalog>(options, *backend_, clock, audit_.get())) {}

Result<std::unique_ptr<LambdaToolSource>> LambdaToolSource::Create(const CatalogOptions& options, Clock& clock) {
  auto backend = AwsLambdaBackend::Create(options, clock, aws::ProcessEnvironment());
  if (!backend.ok()) return backend.error();
  auto audit = MakeAuditSink(options.audit_log);
  if (!audit.ok()) return audit.error();
  return std::make_unique<LambdaToolSource>(options, std::move(backend).value(), std::move(audit).value(), clock);
}

void LogCatalogOptions(const CatalogOptions& o) {
  std::string list;
  for (const auto& r : o.function_list) list += (list.empty() ? "" : ",") + r.raw;
  spdlog::info("FUNCTION_PREFIX: {}", o.function_prefix);
  spdlog::info("FUNCTION_LIST: [{}]", list);
  spdlog::info("FUNCTION_TAG_KEY: {}", o.tag_key);
  spdlog::info("FUNCTION_TAG_VALUE: {}", o.tag_value);
  spdlog::info("FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY: {}", o.schema_arn_tag_key);
  if (o.allow_all) spdlog::info("FUNCTION_ALLOW_ALL: true");
  if (!o.default_qualifier.empty()) spdlog::info("FUNCTION_QUALIFIER: {}", o.default_qualifier);
  if (o.compat == CompatMode::kReference) spdlog::info("LAMBDA_MCP_COMPAT: reference");
  for (const auto& w : o.warnings) spdlog::warn("{}", w);
}

}  // namespace lmcp::catalog
