#include "catalog/lambda_tool_source.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <map>

#include "aws/aws_config.h"
#include "catalog/aws_lambda_backend.h"
#include "common/log_text.h"

namespace lmcp::catalog {

LambdaToolSource::LambdaToolSource(const CatalogOptions& options, std::unique_ptr<LambdaBackend> backend,
                                   std::unique_ptr<AuditSink> audit, Clock& clock, metrics::Registry* metrics)
    : backend_(std::move(backend)),
      audit_(std::move(audit)),
      catalog_(std::make_unique<LambdaCatalog>(options, *backend_, clock, audit_.get(), metrics)) {}

LambdaToolSource::LambdaToolSource(const CatalogOptions& options, BackendFactory backends,
                                   std::unique_ptr<AuditSink> audit, Clock& clock, metrics::Registry* metrics,
                                   GuardrailStores stores)
    : audit_(std::move(audit)),
      catalog_(std::make_unique<LambdaCatalog>(options, std::move(backends), clock, audit_.get(), metrics,
                                               std::move(stores))) {}

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
                                                                   Clock& clock, metrics::Registry* metrics,
                                                                   GuardrailStores stores,
                                                                   bool serve_target_errors) {
  // The targets given now are built first, so a configuration error stops the start; later ones (a reload)
  // are built by the catalog, and one that fails is a failing target.
  auto built = std::make_shared<std::map<std::string, std::shared_ptr<LambdaBackend>>>();
  for (const auto& t : options.targets) {
    auto backend = AwsLambdaBackend::Create(t, clock, aws::ProcessEnvironment());
    if (!backend.ok() && !serve_target_errors) {
      return backend.error();
    }
    if (!backend.ok()) {
      spdlog::error("target {}: {} (tools/list answers with this until it is fixed)", ForLog(t.name),
                    ForLog(backend.error().message, 1000));
      continue;  // the factory below builds it again, and fails again: a failing target
    }
    (*built)[t.name] = std::move(backend).value();
  }
  BackendFactory backends = [built,
                             &clock](const TargetOptions& t) -> Result<std::shared_ptr<LambdaBackend>> {
    if (auto it = built->find(t.name); it != built->end()) {
      auto backend = std::move(it->second);
      built->erase(it);
      return backend;
    }
    auto backend = AwsLambdaBackend::Create(t, clock, aws::ProcessEnvironment());
    if (!backend.ok()) {
      return backend.error();
    }
    return std::shared_ptr<LambdaBackend>(std::move(backend).value());
  };
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
  return std::unique_ptr<LambdaToolSource>(new LambdaToolSource(
      options, std::move(backends), std::move(audit).value(), clock, metrics, std::move(stores)));
}

void LogCatalogOptions(const CatalogOptions& o) {
  for (const auto& t : o.targets) {
    // The flat setup's one target logs like the reference server; named targets say whose settings they are.
    const std::string who = t.name == "default" ? "" : "target " + t.name + " ";
    const SelectionOptions& sel = t.selection;
    std::string list;
    for (const auto& r : sel.function_list) {
      list += (list.empty() ? "" : ",") + r.raw;
    }
    if (!who.empty()) {
      spdlog::info("{}namespace: {}, region: {}", who, ForLog(t.tool_prefix), ForLog(t.region));
    }
    spdlog::info("{}FUNCTION_PREFIX: {}", who, ForLog(sel.function_prefix));
    spdlog::info("{}FUNCTION_LIST: [{}]", who, ForLog(list, 2000));
    spdlog::info("{}FUNCTION_TAG_KEY: {}", who, ForLog(sel.tag_key));
    spdlog::info("{}FUNCTION_TAG_VALUE: {}", who, ForLog(sel.tag_value));
    spdlog::info("{}FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY: {}", who, ForLog(t.schema_arn_tag_key));
    if (!t.schema_dir.empty()) {
      spdlog::info("{}LAMBDA_MCP_INPUT_SCHEMA_DIR: {}", who, ForLog(t.schema_dir));
    }
    if (sel.allow_all) {
      spdlog::info("{}FUNCTION_ALLOW_ALL: true", who);
    }
    if (!t.default_qualifier.empty()) {
      spdlog::info("{}FUNCTION_QUALIFIER: {}", who, ForLog(t.default_qualifier));
    }
  }
  if (o.compat == CompatMode::kReference) {
    spdlog::info("LAMBDA_MCP_COMPAT: reference");
  }
  for (const auto& w : o.warnings) {
    spdlog::warn("{}", ForLog(w, 1000));
  }
}

}  // namespace lmcp::catalog
