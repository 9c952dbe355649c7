#include "catalog/input_schema.h"

#include <cmath>
#include <functional>
#include <set>
#include <utility>

#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "catalog/schema_dialect.h"
#include "catalog/validation_message.h"
#include "catalog/valijson_keywords.h"
#include "common/json.h"

namespace lmcp::catalog {
namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) {
      return out;
    }
    start = p + 1;
  }
}

const char* kComponentsPrefix = "#/components/schemas/";

void RewriteRefs(Json& node) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "$ref" && it.value().is_string()) {
        std::string ref = it.value().get<std::string>();
        if (ref.starts_with(kComponentsPrefix)) {
          it.value() = "#/definitions/" + ref.substr(std::string(kComponentsPrefix).size());
        }
      } else {
        RewriteRefs(it.value());
      }
    }
  } else if (node.is_array()) {
    for (auto& v : node) {
      RewriteRefs(v);
    }
  }
}

void CollectRefs(const Json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "$ref" && it.value().is_string()) {
        std::string ref = it.value().get<std::string>();
        if (ref.starts_with(kComponentsPrefix)) {
          out.insert(ref.substr(std::string(kComponentsPrefix).size()));
        }
      } else {
        CollectRefs(it.value(), out);
      }
    }
  } else if (node.is_array()) {
    for (const auto& v : node) {
      CollectRefs(v, out);
    }
  }
}

// OpenAPI 3.0's boolean exclusiveMinimum/exclusiveMaximum (draft-04 style) → the numeric form of 2020-12.
void ConvertExclusive(Json& node, const char* exclusive, const char* bound) {
  if (!node.contains(exclusive) || !node[exclusive].is_boolean()) {
    return;
  }
  if (node[exclusive] == true && node.contains(bound) && node[bound].is_number()) {
    node[exclusive] = node[bound];
    node.erase(bound);
  } else {
    node.erase(exclusive);
  }
}

// OpenAPI 3.0 "nullable: true" → JSON Schema type unions, and boolean exclusive bounds → numbers, so the
// validator (2020-12, as the schema declares no dialect) and clients read it alike.
void ConvertNullable(Json& node) {
  if (node.is_object()) {
    if (node.contains("nullable") && node["nullable"] == true && node.contains("type") &&
        node["type"].is_string()) {
      node["type"] = Json::array({node["type"], "null"});
    }
    node.erase("nullable");
    ConvertExclusive(node, "exclusiveMinimum", "minimum");
    ConvertExclusive(node, "exclusiveMaximum", "maximum");
    for (auto& [k, v] : node.items()) {
      ConvertNullable(v);
    }
  } else if (node.is_array()) {
    for (auto& v : node) {
      ConvertNullable(v);
    }
  }
}

Result<Json> FromOpenApi(const Json& doc, const std::string& schema_name) {
  const Json* components = nullptr;
  if (doc.contains("components") && doc["components"].is_object() && doc["components"].contains("schemas") &&
      doc["components"]["schemas"].is_object()) {
    components = &doc["components"]["schemas"];
  }
  if (!components || components->empty()) {
    return Error::InvalidArgument("OpenAPI schema has no components.schemas");
  }
  std::set<std::string> referenced;
  CollectRefs(*components, referenced);
  std::vector<std::string> roots;
  for (const auto& [name, _] : components->items()) {
    if (!referenced.count(name)) {
      roots.push_back(name);
    }
  }
  std::string chosen;
  if (roots.size() == 1) {
    chosen = roots[0];
  } else if (components->contains("AWSEvent")) {
    chosen = "AWSEvent";
  } else if (!schema_name.empty() && components->contains(schema_name)) {
    chosen = schema_name;
  } else if (components->size() == 1) {
    chosen = components->begin().key();
  } else {
    return Error::InvalidArgument("OpenAPI schema has several root components and none named AWSEvent");
  }
  Json out = (*components)[chosen];
  Json defs = Json::object();
  for (const auto& [name, value] : components->items()) {
    if (name != chosen) {
      defs[name] = value;
    }
  }
  if (!defs.empty()) {
    out["definitions"] = defs;
  }
  // A self-reference (rare) must still resolve.
  if (referenced.count(chosen)) {
    out["definitions"][chosen] = (*components)[chosen];
  }
  RewriteRefs(out);
  ConvertNullable(out);
  return out;
}

}  // namespace

std::string SchemaArn::ToString() const {
  std::string s =
      "arn:" + partition + ":schemas:" + region + ":" + account + ":schema/" + registry + "/" + name;
  if (!version.empty()) {
    s += "/" + version;
  }
  return s;
}

Result<SchemaArn> ParseSchemaArn(const std::string& arn) {
  auto parts = Split(arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "schemas") {
    return Error::InvalidArgument("invalid schema ARN \"" + arn +
                                  "\": expected arn:aws:schemas:<region>:<account>:schema/<registry>/<name>");
  }
  SchemaArn out;
  out.partition = parts[1];
  out.region = parts[3];
  out.account = parts[4];
  if (out.partition.empty()) {
    return Error::InvalidArgument("invalid schema ARN \"" + arn + "\": no partition");
  }
  if (out.region.empty()) {
    return Error::InvalidArgument("invalid schema ARN \"" + arn + "\": no region");
  }
  if (!out.account.empty() &&
      (out.account.size() != 12 || out.account.find_first_not_of("0123456789") != std::string::npos)) {
    return Error::InvalidArgument("invalid schema ARN \"" + arn + "\": account must be 12 digits");
  }
  auto path = Split(parts[5], '/');
  if ((path.size() != 3 && path.size() != 4) || path[0] != "schema" || path[1].empty() || path[2].empty() ||
      (path.size() == 4 && path[3].empty())) {
    return Error::InvalidArgument("invalid schema path \"" + parts[5] + "\" in ARN \"" + arn +
                                  "\": expected schema/<registry>/<name>[/<version>]");
  }
  out.registry = path[1];
  out.name = path[2];
  if (path.size() == 4) {
    out.version = path[3];
  }
  return out;
}

Json OpenInputSchema() { return Json{{"type", "object"}, {"additionalProperties", true}}; }

Result<Json> ToInputSchema(const SchemaDocument& doc, const std::string& schema_name) {
  auto bounded = ParseJson(doc.content);
  if (!bounded.ok()) {
    return Error::InvalidArgument(IsJsonTooDeep(bounded.error())
                                      ? "schema content is " + bounded.error().message
                                      : std::string("schema content is not valid JSON"));
  }
  Json parsed = std::move(bounded).value();
  if (!parsed.is_object()) {
    return Error::InvalidArgument("schema content is not a JSON object");
  }
  Json schema;
  bool openapi = doc.type == "OpenApi3" || parsed.contains("openapi");
  if (openapi) {
    auto r = FromOpenApi(parsed, schema_name);
    if (!r.ok()) {
      return r.error();
    }
    schema = std::move(r).value();
  } else {
    schema = std::move(parsed);
  }
  if (schema.contains("type") && schema["type"] != "object") {
    return Error::InvalidArgument("schema root type is " + schema["type"].dump() +
                                  "; a tool's arguments must be an object");
  }
  if (!schema.contains("type")) {
    schema["type"] = "object";
  }
  return schema;
}

struct ArgumentValidator::Impl {
  valijson::Schema schema;
  Json published;               // the schema as the client sees it: what problems are described against
  bool float_integers = false;  // 1.0 is an integer (draft-06 on); valijson reads it as a float
};

namespace {

bool IsIntegralFloat(const Json& v) {
  if (!v.is_number_float()) {
    return false;
  }
  double d = v.get<double>();
  return std::floor(d) == d && std::fabs(d) < 9.2e18;
}

bool HasIntegralFloat(const Json& v) {
  if (IsIntegralFloat(v)) {
    return true;
  }
  if (v.is_structured()) {
    for (const auto& member : v) {
      if (HasIntegralFloat(member)) {
        return true;
      }
    }
  }
  return false;
}

// `v` with every integral float (1.0) as an integer: same value, so only "type": "integer" sees a difference.
void IntegersAsIntegers(Json& v) {
  if (IsIntegralFloat(v)) {
    v = static_cast<int64_t>(v.get<double>());
  } else if (v.is_structured()) {
    for (auto& member : v) {
      IntegersAsIntegers(member);
    }
  }
}

}  // namespace

ArgumentValidator::ArgumentValidator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ArgumentValidator::~ArgumentValidator() = default;

Result<std::shared_ptr<const ArgumentValidator>> ArgumentValidator::Create(const Json& schema) {
  auto dialect = DeclaredDialect(schema);
  if (!dialect.ok()) {
    return dialect.error();
  }
  if (auto bounds = CheckSchemaBounds(schema); !bounds.ok()) {
    return bounds.error();
  }
  Json draft7;  // the validator's copy (schema_dialect.h); the published schema stays as it is
  if (dialect.value() == SchemaDialect::k2020_12) {
    auto translated = ToDraft7(schema);
    if (!translated.ok()) {
      return translated.error();
    }
    draft7 = std::move(translated).value();
  } else {
    auto prepared = PrepareDraft7(schema);
    if (!prepared.ok()) {
      return prepared.error();
    }
    draft7 = std::move(prepared).value();
  }
  auto impl = std::make_unique<Impl>();
  impl->published = schema;
  impl->float_integers = dialect.value() != SchemaDialect::kDraft4;
  try {
    valijson::SchemaParser parser(dialect.value() == SchemaDialect::kDraft4
                                      ? valijson::SchemaParser::kDraft4
                                      : valijson::SchemaParser::kDraft7);
    AddLmcpKeywords(parser, draft7);
    valijson::adapters::NlohmannJsonAdapter adapter(draft7);
    parser.populateSchema(adapter, impl->schema);
  } catch (const UnsupportedByValidator& e) {
    return Error::FailedPrecondition(e.what());
  } catch (const std::exception& e) {
    return Error::InvalidArgument(std::string("schema cannot be used for validation: ") + e.what());
  }
  return std::shared_ptr<const ArgumentValidator>(new ArgumentValidator(std::move(impl)));
}

std::vector<std::string> ArgumentValidator::Validate(const Json& arguments) const {
  valijson::Validator validator;  // holds a regex cache: one per call keeps Validate thread-safe
  valijson::ValidationResults results;
  Json normalized;
  if (impl_->float_integers && HasIntegralFloat(arguments)) {
    normalized = arguments;
    IntegersAsIntegers(normalized);
  }
  valijson::adapters::NlohmannJsonAdapter target(normalized.is_null() ? arguments : normalized);
  std::vector<std::string> out;
  try {
    if (validator.validate(impl_->schema, target, &results)) {
      return out;
    }
  } catch (const std::exception& e) {
    out.push_back(std::string("<root>: validation failed: ") + e.what());
    return out;
  }
  valijson::ValidationResults::Error error;
  std::set<std::string> seen;
  while (results.popError(error)) {
    auto line = DescribeProblem(impl_->published, arguments, error.context, error.description);
    if (line && seen.insert(*line).second) {
      out.push_back(std::move(*line));
    }
  }
  if (out.empty()) {  // some valijson checks (propertyNames) fail without saying why
    out.push_back("(arguments): the arguments do not match the input schema");
  }
  return out;
}

}  // namespace lmcp::catalog
