#include "catalog/aws_lambda_backend.h"

#include <nlohmann/json.hpp>

#include "aws/curl_http_client.h"
#include "aws/url.h"
#include "catalog/result_mapping.h"
#include "common/json.h"
#if __has_include("aws/credentials_chain.h")
#include "aws/credentials_chain.h"
#define LMCP_HAVE_CREDENTIALS_CHAIN 1
#endif

namespace lmcp::catalog {
namespace {

using Json = nlohmann::json;

// lmcp::Error from an AwsError, classified by the aws layer, with the message "<Code>: <message>".
Error ToCatalogError(const aws::AwsError& e) {
  Error out = e.ToError();
  if (!e.code.empty()) {
    out.message = e.code + ": " + (e.message.empty() ? "(no message)" : e.message);
    if (!e.request_id.empty()) out.message += " (request id " + e.request_id + ")";
  }
  return out;
}

Result<Json> ParseBody(const aws::HttpResponse& r, const char* op) {
  auto j = ParseJson(r.body);
  if (!j.ok() || !j->is_object()) {
    return Error::Unavailable(std::string(op) + ": the response is not a JSON object" +
                              (j.ok() ? "" : " (" + j.error().message + ")"));
  }
  return j;
}

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Everything Create() builds, kept alive together.
class OwningAwsLambdaBackend : public LambdaBackend {
 public:
  std::unique_ptr<aws::HttpClient> http;
  std::shared_ptr<aws::CredentialsProvider> credentials;
  std::unique_ptr<aws::RetryPolicy> retry;
  std::unique_ptr<aws::ServiceCaller> caller;
  std::unique_ptr<AwsLambdaBackend> inner;

  Result<std::vector<FunctionInfo>> ListFunctions() override { return inner->ListFunctions(); }
  Result<std::vector<TaggedResource>> GetTaggedFunctions(const std::string& k, const std::string& v) override {
    return inner->GetTaggedFunctions(k, v);
  }
  Result<Tags> ListTags(const std::string& arn) override { return inner->ListTags(arn); }
  Result<SchemaDocument> DescribeSchema(const SchemaRequest& r) override { return inner->DescribeSchema(r); }
  Result<InvokeResponse> Invoke(InvokeRequest r, std::stop_token s) override {
    return inner->Invoke(std::move(r), s);
  }
};

#ifndef LMCP_HAVE_CREDENTIALS_CHAIN
// Until the aws layer's full chain is available: environment keys, then the profile's static keys.
Result<std::shared_ptr<aws::CredentialsProvider>> SimpleCredentials(const aws::ProfileConfig& config,
                                                                     const aws::EnvLookup& env) {
  auto id = env("AWS_ACCESS_KEY_ID");
  auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (id && secret && !id->empty()) {
    aws::Credentials c{*id, *secret, env("AWS_SESSION_TOKEN").value_or(""), std::nullopt};
    return std::shared_ptr<aws::CredentialsProvider>(new aws::StaticCredentialsProvider(c, "environment"));
  }
  auto pid = config.Get("aws_access_key_id");
  auto psecret = config.Get("aws_secret_access_key");
  if (pid && psecret) {
    aws::Credentials c{*pid, *psecret, config.Get("aws_session_token").value_or(""), std::nullopt};
    return std::shared_ptr<aws::CredentialsProvider>(
        new aws::StaticCredentialsProvider(c, "profile " + config.profile()));
  }
  return Error::Unauthenticated("Unable to locate credentials");
}
#endif

}  // namespace

AwsLambdaBackend::AwsLambdaBackend(aws::ServiceCaller& caller, Endpoints endpoints)
    : caller_(caller), endpoints_(std::move(endpoints)) {}

Result<std::unique_ptr<LambdaBackend>> AwsLambdaBackend::Create(const CatalogOptions& options, Clock& clock,
                                                                const aws::EnvLookup& base_env) {
  aws::EnvLookup env = [&options, base_env](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_REGION" && !options.aws_region.empty()) return options.aws_region;
    return base_env(name);
  };
  std::optional<std::string> profile;
  if (!options.aws_profile.empty()) profile = options.aws_profile;
  auto config = aws::ProfileConfig::Load(env, profile);
  if (!config.ok()) return config.error();
  auto region = aws::ResolveRegion(env, config.value());
  if (!region.ok()) {
    return Error::InvalidArgument(region.error().message +
                                  " (set AWS_REGION, --region, or a region in the AWS profile)");
  }
  auto retry_config = aws::RetryConfigFrom(
      env("AWS_RETRY_MODE").value_or(config->Get("retry_mode").value_or("")),
      env("AWS_MAX_ATTEMPTS").value_or(config->Get("max_attempts").value_or("")));
  if (!retry_config.ok()) return retry_config.error();

  auto out = std::make_unique<OwningAwsLambdaBackend>();
  aws::CurlHttpClientOptions http_options;
  http_options.ca_bundle = env("AWS_CA_BUNDLE").value_or(config->Get("ca_bundle").value_or(""));
  out->http = std::make_unique<aws::CurlHttpClient>(http_options);
  out->retry = std::make_unique<aws::RetryPolicy>(retry_config.value());
#ifdef LMCP_HAVE_CREDENTIALS_CHAIN
  aws::CredentialsChainOptions chain;
  chain.env = env;
  chain.http = out->http.get();
  chain.clock = &clock;
  chain.retry = out->retry.get();
  chain.profile_chosen_explicitly = !options.aws_profile.empty();
  auto creds = aws::ResolveCredentialsChain(config.value(), chain);
#else
  auto creds = SimpleCredentials(config.value(), env);
#endif
  if (!creds.ok()) {
    // No credentials is not fatal at startup: discovery reports it to the client and keeps retrying.
    Error e = creds.error();
    creds = std::shared_ptr<aws::CredentialsProvider>();
    struct Failing : aws::CredentialsProvider {
      Error error;
      explicit Failing(Error e) : error(std::move(e)) {}
      Result<aws::Credentials> GetCredentials() override { return error; }
      std::string source() const override { return "none"; }
    };
    creds = std::shared_ptr<aws::CredentialsProvider>(new Failing(e));
  }
  out->credentials = creds.value();
  out->caller = std::make_unique<aws::ServiceCaller>(*out->http, out->credentials.get(), clock, *out->retry);

  Endpoints eps;
  const std::string r = region.value();
  eps.lambda = {aws::ResolveEndpoint(aws::LambdaService(), r, env, config.value()).url, r, "lambda"};
  eps.tagging = {aws::ResolveEndpoint(aws::TaggingService(), r, env, config.value()).url, r, "tagging"};
  auto profile_config = std::make_shared<aws::ProfileConfig>(config.value());
  eps.schemas = [env, profile_config](const std::string& schema_region) {
    return aws::ServiceEndpoint{
        aws::ResolveEndpoint(aws::SchemasService(), schema_region, env, *profile_config).url, schema_region,
        "schemas"};
  };
  out->inner = std::make_unique<AwsLambdaBackend>(*out->caller, std::move(eps));
  return std::unique_ptr<LambdaBackend>(std::move(out));
}

Result<std::vector<FunctionInfo>> AwsLambdaBackend::ListFunctions() {
  std::vector<FunctionInfo> out;
  std::string marker;
  for (int page = 0; page < 100000; ++page) {
    aws::OperationRequest op;
    op.operation = "ListFunctions";
    op.path = "/2015-03-31/functions/";
    if (!marker.empty()) op.query.emplace_back("Marker", marker);
    auto r = caller_.Call(endpoints_.lambda, aws::Protocol::kRestJson, op);
    if (!r.ok()) return ToCatalogError(r.error());
    auto body = ParseBody(r.value(), "ListFunctions");
    if (!body.ok()) return body.error();
    const Json& j = body.value();
    if (j.contains("Functions") && j["Functions"].is_array()) {
      for (const auto& f : j["Functions"]) {
        FunctionInfo info;
        info.name = Str(f, "FunctionName");
        info.arn = Str(f, "FunctionArn");
        info.description = Str(f, "Description");
        info.runtime = Str(f, "Runtime");
        if (f.contains("Timeout") && f["Timeout"].is_number_integer()) info.timeout_seconds = f["Timeout"];
        if (f.contains("MemorySize") && f["MemorySize"].is_number_integer()) info.memory_mb = f["MemorySize"];
        out.push_back(std::move(info));
      }
    }
    marker = Str(j, "NextMarker");
    if (marker.empty()) break;
  }
  return out;
}

Result<std::vector<TaggedResource>> AwsLambdaBackend::GetTaggedFunctions(const std::string& tag_key,
                                                                         const std::string& tag_value) {
  std::vector<TaggedResource> out;
  std::string token;
  for (int page = 0; page < 100000; ++page) {
    Json body = {{"ResourceTypeFilters", {"lambda:function"}}, {"ResourcesPerPage", 100}};
    if (!tag_key.empty()) {
      Json filter = {{"Key", tag_key}};
      if (!tag_value.empty()) filter["Values"] = Json::array({tag_value});
      body["TagFilters"] = Json::array({filter});
    }
    if (!token.empty()) body["PaginationToken"] = token;
    aws::OperationRequest op;
    op.operation = "GetResources";
    op.method = "POST";
    op.path = "/";
    op.headers = {{"X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.GetResources"},
                  {"Content-Type", "application/x-amz-json-1.1"}};
    op.body = body.dump();
    auto r = caller_.Call(endpoints_.tagging, aws::Protocol::kJson11, op);
    if (!r.ok()) return ToCatalogError(r.error());
    auto parsed = ParseBody(r.value(), "GetResources");
    if (!parsed.ok()) return parsed.error();
    const Json& j = parsed.value();
    if (j.contains("ResourceTagMappingList") && j["ResourceTagMappingList"].is_array()) {
      for (const auto& m : j["ResourceTagMappingList"]) {
        TaggedResource t;
        t.arn = Str(m, "ResourceARN");
        if (m.contains("Tags") && m["Tags"].is_array()) {
          for (const auto& tag : m["Tags"]) t.tags[Str(tag, "Key")] = Str(tag, "Value");
        }
        out.push_back(std::move(t));
      }
    }
    token = Str(j, "PaginationToken");
    if (token.empty()) break;
  }
  return out;
}

Result<Tags> AwsLambdaBackend::ListTags(const std::string& function_arn) {
  aws::OperationRequest op;
  op.operation = "ListTags";
  op.path = "/2017-03-31/tags/" + aws::UriEncode(function_arn);
  auto r = caller_.Call(endpoints_.lambda, aws::Protocol::kRestJson, op);
  if (!r.ok()) return ToCatalogError(r.error());
  auto body = ParseBody(r.value(), "ListTags");
  if (!body.ok()) return body.error();
  Tags tags;
  if (body->contains("Tags") && (*body)["Tags"].is_object()) {
    for (const auto& [k, v] : (*body)["Tags"].items()) {
      if (v.is_string()) tags[k] = v.get<std::string>();
    }
  }
  return tags;
}

Result<SchemaDocument> AwsLambdaBackend::DescribeSchema(const SchemaRequest& request) {
  aws::OperationRequest op;
  op.operation = "DescribeSchema";
  op.path = "/v1/registries/name/" + aws::UriEncode(request.registry) + "/schemas/name/" +
            aws::UriEncode(request.name);
  if (!request.version.empty()) op.query.emplace_back("schemaVersion", request.version);
  auto r = caller_.Call(endpoints_.schemas(request.region), aws::Protocol::kRestJson, op);
  if (!r.ok()) return ToCatalogError(r.error());
  auto body = ParseBody(r.value(), "DescribeSchema");
  if (!body.ok()) return body.error();
  SchemaDocument doc;
  doc.content = Str(body.value(), "Content");
  doc.type = Str(body.value(), "Type");
  doc.version = Str(body.value(), "SchemaVersion");
  if (doc.content.empty()) return Error::InvalidArgument("DescribeSchema returned no Content");
  return doc;
}

Result<InvokeResponse> AwsLambdaBackend::Invoke(InvokeRequest request, std::stop_token stop) {
  aws::OperationRequest op;
  op.operation = "Invoke";
  op.method = "POST";
  op.path = "/2015-03-31/functions/" + aws::UriEncode(request.function) + "/invocations";
  if (!request.qualifier.empty()) op.query.emplace_back("Qualifier", request.qualifier);
  op.headers = {{"X-Amz-Invocation-Type", "RequestResponse"}};
  if (request.log_tail) op.headers.emplace_back("X-Amz-Log-Type", "Tail");
  op.body = std::move(request.payload);
  op.idempotent = false;
  op.read_timeout = request.read_timeout;
  op.max_response_bytes = 8 * 1024 * 1024;
  op.stop = stop;
  auto r = caller_.Call(endpoints_.lambda, aws::Protocol::kRestJson, std::move(op));
  if (!r.ok()) return ToCatalogError(r.error());
  InvokeResponse out;
  out.status = r->status;
  out.payload = std::move(r->body);
  out.function_error = aws::FindHeader(r->headers, "X-Amz-Function-Error");
  out.executed_version = aws::FindHeader(r->headers, "X-Amz-Executed-Version");
  out.request_id = aws::FindHeader(r->headers, "x-amzn-RequestId");
  std::string log = aws::FindHeader(r->headers, "X-Amz-Log-Result");
  if (!log.empty()) out.log_tail = Base64Decode(log).value_or("");
  return out;
}

}  // namespace lmcp::catalog
