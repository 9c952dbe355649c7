#include "catalog/lambda_tool_source.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "aws/aws_config.h"
#include "catalog/aws_lambda_backend.h"
#include "common/log_text.h"

namespace lmcp::catalog {

LambdaToolSource::LambdaToolSource(const CatalogOptions& options, std::unique_ptr<LambdaBackend> backend,
                                   std::unique_ptr<AuditSink> audit, Clock& clock, metrics::Registry* metrics)
    : backend_(std::move(backend)),
      audit_(std::move(audit)),
      catalog_(std::make_unique<LambdaCatalog>(options, *backend_, clock, audit_.get(), metrics)) {}

Result<std::string> LoadLambdaAuditKey(const CatalogOptions& options) {
  if (!options.audit_key_file.empty()) {
    return LoadAuditKey(options.audit_key_file, /*create=*/false);
  }
  std::string path = DefaultAuditKeyPath(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
  if (path.empty()) {
    spdlog::warn(
        "audit: neither LAMBDA_MCP_AUDIT_KEY_FILE nor HOME/XDG_STATE_HOME is set; arguments_hmac uses a key "
        "for this run only");
    return std::string();
  }
  auto key = LoadAuditKey(path, /*create=*/true);
  if (!key.ok() && key.error().code == ErrorCode::kUnavailable) {
    spdlog::warn("{}; arguments_hmac uses a key for this run only (set LAMBDA_MCP_AUDIT_KEY_FILE)",
                 key.error().message);
    return std::string();
  }
  return key;
}

Result<std::unique_ptr<LambdaToolSource>> LambdaToolSource::Create(const CatalogOptions& options,
                                                                   Clock& clock, metrics::Registry* metrics) {
  auto backend = AwsLambdaBackend::Create(options, clock, aws::ProcessEnvironment());
  if (!backend.ok()) {
    return backend.error();
  }
  std::string key;
  if (options.audit_log != "off") {
    auto loaded = LoadLambdaAuditKey(options);
    if (!loaded.ok()) {
      return loaded.error();
    }
    key = std::move(loaded).value();
  }
  auto audit = MakeAuditSink(options.audit_log, std::move(key));
  if (!audit.ok()) {
    return audit.error();
  }
  return std::make_unique<LambdaToolSource>(options, std::move(backend).value(), std::move(audit).value(),
                                            clock, metrics);
}

void LogCatalogOptions(const CatalogOptions& o) {
  std::string list;
  for (const auto& r : o.function_list) {
    list += (list.empty() ? "" : ",") + r.raw;
  }
  spdlog::info("FUNCTION_PREFIX: {}", ForLog(o.function_prefix));
  spdlog::info("FUNCTION_LIST: [{}]", ForLog(list, 2000));
  spdlog::info("FUNCTION_TAG_KEY: {}", ForLog(o.tag_key));
  spdlog::info("FUNCTION_TAG_VALUE: {}", ForLog(o.tag_value));
  spdlog::info("FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY: {}", ForLog(o.schema_arn_tag_key));
  if (o.allow_all) {
    spdlog::info("FUNCTION_ALLOW_ALL: true");
  }
  if (!o.default_qualifier.empty()) {
    spdlog::info("FUNCTION_QUALIFIER: {}", ForLog(o.default_qualifier));
  }
  if (o.compat == CompatMode::kReference) {
    spdlog::info("LAMBDA_MCP_COMPAT: reference");
  }
  for (const auto& w : o.warnings) {
    spdlog::warn("{}", ForLog(w, 1000));
  }
}

}  // namespace lmcp::catalog
