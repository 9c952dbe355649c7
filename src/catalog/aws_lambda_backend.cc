#include "catalog/aws_lambda_backend.h"

#include <optional>
#include <utility>

namespace lmcp::catalog {
namespace {

// lmcp::Error classified by the aws layer, with the message "<Code>: <message> (reason <Reason>) (request id
// <id>)" when AWS answered with an error code (result_mapping.cc reads the code and Lambda's throttling
// reason back), else the aws layer's description.
Error ToCatalogError(const aws::AwsError& e) {
  Error out = e.ToError();
  if (!e.code.empty()) {
    out.message = e.code + ": " + (e.message.empty() ? "(no message)" : e.message);
    if (!e.reason.empty()) {
      out.message += " (reason " + e.reason + ")";
    }
    if (!e.request_id.empty()) {
      out.message += " (request id " + e.request_id + ")";
    }
  }
  return out;
}

// FunctionInfo's defaults (Lambda's own: 3 s, 128 MB) stand for a member the reply leaves out.
FunctionInfo ToFunctionInfo(aws::FunctionConfiguration&& f) {
  FunctionInfo info;
  info.name = std::move(f.function_name);
  info.arn = std::move(f.function_arn);
  info.description = std::move(f.description);
  info.runtime = std::move(f.runtime);
  if (f.timeout_seconds > 0) {
    info.timeout_seconds = f.timeout_seconds;
  }
  if (f.memory_size_mb > 0) {
    info.memory_mb = f.memory_size_mb;
  }
  return info;
}

}  // namespace

AwsLambdaBackend::AwsLambdaBackend(std::unique_ptr<aws::AwsSession> session) : session_(std::move(session)) {}

AwsLambdaBackend::~AwsLambdaBackend() = default;

Result<std::unique_ptr<LambdaBackend>> AwsLambdaBackend::Create(const TargetOptions& target, Clock& clock,
                                                                const aws::EnvLookup& env,
                                                                aws::HttpClient* http) {
  auto session = CreateSession(target, clock, env, http);
  if (!session.ok()) {
    return session.error();
  }
  return std::unique_ptr<LambdaBackend>(std::make_unique<AwsLambdaBackend>(std::move(session).value()));
}

Result<std::unique_ptr<aws::AwsSession>> AwsLambdaBackend::CreateSession(const TargetOptions& target,
                                                                         Clock& clock,
                                                                         const aws::EnvLookup& env,
                                                                         aws::HttpClient* http) {
  aws::AwsSessionOptions session_options;
  // --region stands in for AWS_REGION everywhere the AWS layer reads it (the credential chain's STS too).
  session_options.env = [region = target.region, env](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_REGION" && !region.empty()) {
      return region;
    }
    return env(name);
  };
  const CredentialOptions& creds = target.credentials;
  if (creds.kind != CredentialOptions::Kind::kDefaultChain && !creds.profile.empty()) {
    session_options.profile = creds.profile;
  }
  if (creds.kind == CredentialOptions::Kind::kAssumeRole) {
    session_options.assume_role = aws::AssumeRoleOptions{.role_arn = creds.role_arn,
                                                         .external_id = creds.external_id,
                                                         .session_name = creds.session_name,
                                                         .duration = creds.duration};
  }
  session_options.endpoint_url = target.endpoint_url;
  session_options.http = http;
  session_options.clock = &clock;
  session_options.defer_credentials_error = true;
  auto session = aws::AwsSession::Create(std::move(session_options));
  if (!session.ok()) {
    Error e = session.error();
    if (e.message.starts_with("no AWS region")) {  // aws::ResolveRegion's error, which cannot name our flag
      e.message += " (set AWS_REGION, --region, or a region in the AWS profile)";
    }
    if (target.name != "default") {
      e.message = "target " + target.name + ": " + e.message;
    }
    return e;
  }
  return session;
}

Result<std::vector<FunctionInfo>> AwsLambdaBackend::ListFunctions() {
  auto all = session_->lambda().ListAllFunctions();
  if (!all.ok()) {
    return ToCatalogError(all.error());
  }
  std::vector<FunctionInfo> out;
  out.reserve(all->size());
  for (auto& f : *all) {
    out.push_back(ToFunctionInfo(std::move(f)));
  }
  return out;
}

Result<std::vector<TaggedResource>> AwsLambdaBackend::GetTaggedFunctions(const std::string& tag_key,
                                                                         const std::string& tag_value) {
  aws::GetResourcesRequest request;
  request.resource_type_filters = {"lambda:function"};
  request.resources_per_page = 100;
  if (!tag_key.empty()) {
    aws::TagFilter filter{tag_key, {}};
    if (!tag_value.empty()) {
      filter.values.push_back(tag_value);
    }
    request.tag_filters.push_back(std::move(filter));
  }
  auto all = session_->tagging().GetAllResources(std::move(request));
  if (!all.ok()) {
    return ToCatalogError(all.error());
  }
  std::vector<TaggedResource> out;
  out.reserve(all->size());
  for (auto& m : *all) {
    out.push_back(TaggedResource{std::move(m.resource_arn), std::move(m.tags)});
  }
  return out;
}

Result<Tags> AwsLambdaBackend::ListTags(const std::string& function_arn) {
  auto tags = session_->lambda().ListTags(function_arn);
  if (!tags.ok()) {
    return ToCatalogError(tags.error());
  }
  return std::move(tags).value();
}

Result<SchemaDocument> AwsLambdaBackend::DescribeSchema(const SchemaRequest& request) {
  auto schema =
      session_->SchemasIn(request.region).DescribeSchema(request.registry, request.name, request.version);
  if (!schema.ok()) {
    return ToCatalogError(schema.error());
  }
  if (schema->content.empty()) {
    return Error::InvalidArgument("DescribeSchema returned no Content");
  }
  return SchemaDocument{std::move(schema->content), std::move(schema->type),
                        std::move(schema->schema_version)};
}

static_assert(kMaxClientContextBase64Bytes == aws::kMaxClientContextBytes);
static_assert(kMaxSyncInvokePayloadBytes == aws::kMaxSyncPayloadBytes);
static_assert(kMaxEventInvokePayloadBytes == aws::kMaxEventPayloadBytes);

namespace {

aws::InvokeRequest ToAwsInvoke(InvokeRequest request, std::stop_token stop) {
  aws::InvokeRequest invoke;
  invoke.function_name = std::move(request.function);
  invoke.qualifier = std::move(request.qualifier);
  invoke.invocation_type = request.type == InvocationType::kEvent ? aws::InvocationType::kEvent
                                                                  : aws::InvocationType::kRequestResponse;
  invoke.tail_log = request.log_tail;
  invoke.trace_header = std::move(request.trace_header);
  invoke.client_context_json = std::move(request.client_context_json);
  invoke.payload = std::move(request.payload);
  invoke.read_timeout = request.read_timeout;
  invoke.stop = std::move(stop);
  return invoke;
}

InvokeResponse FromAwsInvoke(aws::InvokeResult r) {
  InvokeResponse out;
  out.status = r.status_code;
  out.function_error = std::move(r.function_error);
  out.payload = std::move(r.payload);
  out.log_tail = std::move(r.log_result);
  out.executed_version = std::move(r.executed_version);
  out.request_id = std::move(r.request_id);
  return out;
}

}  // namespace

Result<InvokeResponse> AwsLambdaBackend::Invoke(InvokeRequest request, std::stop_token stop) {
  auto r = session_->lambda().Invoke(ToAwsInvoke(std::move(request), std::move(stop)));
  if (!r.ok()) {
    return ToCatalogError(r.error());
  }
  return FromAwsInvoke(std::move(*r));
}

Async<Result<InvokeResponse>> AwsLambdaBackend::InvokeAsync(InvokeRequest request, std::stop_token stop) {
  auto r = co_await session_->lambda().InvokeAsync(ToAwsInvoke(std::move(request), std::move(stop)));
  if (!r.ok()) {
    co_return ToCatalogError(r.error());
  }
  co_return FromAwsInvoke(std::move(*r));
}

std::vector<std::pair<std::string, std::uint64_t>> AwsLambdaBackend::RetryCounts() const {
  auto r = session_->retries();
  return {{"throttling", r.throttling}, {"server_error", r.server_error}, {"transport", r.transport}};
}

}  // namespace lmcp::catalog
