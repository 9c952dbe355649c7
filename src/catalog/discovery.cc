#include "catalog/discovery.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "aws/function_ref.h"
#include "catalog/tool_annotations.h"
#include "catalog/tool_execution.h"
#include "catalog/tool_naming.h"
#include "common/file.h"
#include "common/strings.h"
#include "mcp/x_mcp_header.h"

namespace lmcp::catalog {
namespace {

// The parts of a function ARN as ListFunctions returns it; all empty when it is not one.
aws::FunctionRef ArnParts(const std::string& arn) {
  auto parsed = aws::ParseFunctionRef(arn);
  return parsed.ok() ? *parsed : aws::FunctionRef{};
}

Json ReferenceInputSchema() {
  return Json::parse(
      R"({"properties":{"parameters":{"additionalProperties":true,"title":"Parameters","type":"object"}},"required":["parameters"],"title":"lambda_functionArguments","type":"object"})");
}

Json ReferenceOutputSchema() {
  return Json::parse(
      R"({"properties":{"result":{"title":"Result","type":"string"}},"required":["result"],"title":"lambda_functionOutput","type":"object"})");
}

std::string GeneratedDescription(const FunctionInfo& f) {
  std::string d = "Invokes the AWS Lambda function " + f.name;
  if (!f.runtime.empty()) {
    d += " (" + f.runtime + ")";
  }
  d +=
      ". The tool's arguments are the event passed to the function; the result is what the function returns.";
  return d;
}

}  // namespace

std::string ExplainDiscoveryError(const Error& error, const std::string& operation) {
  std::string cause = operation + " failed: " + error.message;
  switch (error.code) {
    case ErrorCode::kUnauthenticated:
      return "no usable AWS credentials (" + cause +
             "). Fix: configure credentials: AWS_PROFILE naming a profile in ~/.aws/config (when set, it is "
             "used instead of AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or those two variables, SSO via `aws "
             "sso login`, or an instance/container role. `lambda-mcp doctor` shows which source is used.";
    case ErrorCode::kPermissionDenied:
      return "access denied (" + cause + "). Fix: allow lambda:ListFunctions" +
             std::string(
                 ", tag:GetResources (or lambda:ListTags) and lambda:InvokeFunction for the credentials "
                 "lambda-mcp uses.");
    case ErrorCode::kResourceExhausted:
      return "AWS throttled discovery (" + cause + "). Fix: none needed; lambda-mcp retries with backoff.";
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return "AWS could not be reached (" + cause +
             "). Fix: check the network, AWS_REGION and any AWS_ENDPOINT_URL setting; lambda-mcp retries.";
    default:
      return cause + ".";
  }
}

namespace {

using ListedRefs = std::map<std::string, const FunctionRef*>;

// The name stage: the prefix, FUNCTION_LIST entries (matching region and account when they name them), or
// every function when no name filter is set.
std::vector<const FunctionInfo*> SelectByName(const SelectionOptions& o,
                                              const std::vector<FunctionInfo>& functions,
                                              const ListedRefs& listed_refs, DiscoveryResult& out) {
  std::set<std::string> found_refs;
  std::vector<const FunctionInfo*> selected;
  for (const auto& f : functions) {
    bool keep = !o.name_filter();
    if (!o.function_prefix.empty() && f.name.starts_with(o.function_prefix)) {
      keep = true;
    }
    auto it = listed_refs.find(f.name);
    if (it != listed_refs.end()) {
      const FunctionRef& ref = *it->second;
      aws::FunctionRef arn = ArnParts(f.arn);
      bool matches = (ref.region.empty() || ref.region == arn.region) &&
                     (ref.account.empty() || ref.account == arn.account);
      if (matches) {
        keep = true;
        found_refs.insert(f.name);
      }
    }
    if (keep) {
      selected.push_back(&f);
    }
  }
  for (const auto& ref : o.function_list) {
    if (!found_refs.count(ref.name)) {
      out.warnings.push_back("FUNCTION_LIST entry " + ref.raw +
                             " matches no function in the account and region");
    }
  }
  if (o.name_filter()) {
    out.infos.push_back(std::to_string(selected.size()) + " Lambda functions found after name filtering.");
  }
  return selected;
}

// The tags of the selected functions, in one pass for everything that needs them (filter, schema tag,
// qualifier tag, title and annotations): Tagging GetResources, or one lambda:ListTags per function when that
// is denied, fails or finds nothing. Functions deleted since they were listed leave `selected`. Only the
// filter and the schema/qualifier tags make unreadable tags an error; otherwise the tools go without them.
Result<std::map<std::string, Tags>> ReadTags(const TargetOptions& t, LambdaBackend& backend,
                                             std::vector<const FunctionInfo*>& selected,
                                             DiscoveryResult& out) {
  std::map<std::string, Tags> tags_by_arn;
  const SelectionOptions& o = t.selection;
  const bool required = o.tag_filter() || !t.schema_arn_tag_key.empty() || !t.qualifier_tag_key.empty();
  if (selected.empty()) {
    return tags_by_arn;
  }
  auto tagged = o.tag_filter() ? backend.GetTaggedFunctions(o.tag_key, o.tag_value)
                               : backend.GetTaggedFunctions("", "");
  if (tagged.ok() && !tagged->empty()) {
    for (auto& r : tagged.value()) {
      tags_by_arn[r.arn] = r.tags;
    }
    return tags_by_arn;
  }
  // Denied, failed, or nothing found: some emulators and partitions do not index Lambda tags in the
  // Tagging API, so an empty answer is confirmed function by function.
  out.used_list_tags_fallback = true;
  if (tagged.ok()) {
    out.infos.push_back("tag:GetResources found no tagged functions; checking with lambda:ListTags");
  } else {
    out.warnings.push_back("tag:GetResources failed (" + tagged.error().message +
                           "); falling back to one lambda:ListTags per function");
  }
  std::vector<const FunctionInfo*> kept;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const FunctionInfo* f = selected[i];
    auto tags = backend.ListTags(f->arn);
    if (tags.ok()) {
      tags_by_arn[f->arn] = tags.value();
      kept.push_back(f);
      continue;
    }
    const Error& e = tags.error();
    if (e.code == ErrorCode::kNotFound) {
      out.warnings.push_back("Error getting tags for function " + f->name + ": " + e.message);
      continue;  // deleted since it was listed
    }
    if (required) {
      return Error{e.code, ExplainDiscoveryError(e, "tag:GetResources and lambda:ListTags")};
    }
    out.warnings.push_back("function tags cannot be read (" + e.message +
                           "); tools are published without tag-based titles and annotations. Fix: allow "
                           "tag:GetResources or lambda:ListTags.");
    kept.insert(kept.end(), selected.begin() + static_cast<std::ptrdiff_t>(i), selected.end());
    break;
  }
  selected = kept;
  return tags_by_arn;
}

void FilterByTag(const SelectionOptions& o, const std::map<std::string, Tags>& tags_by_arn,
                 std::vector<const FunctionInfo*>& selected, DiscoveryResult& out) {
  std::vector<const FunctionInfo*> kept;
  for (const FunctionInfo* f : selected) {
    auto it = tags_by_arn.find(f->arn);
    if (it == tags_by_arn.end()) {
      continue;
    }
    auto t = it->second.find(o.tag_key);
    if (t != it->second.end() && t->second == o.tag_value) {
      kept.push_back(f);
    }
  }
  selected = kept;
  out.infos.push_back(std::to_string(selected.size()) + " Lambda functions found with tag " + o.tag_key +
                      "=" + o.tag_value + ".");
}

// Why the selection kept none of `functions` (`named` passed the name stage). Counts only: the text reaches
// clients, who must not learn the names of functions they were not given.
std::string NothingSelected(const SelectionOptions& o, const std::vector<FunctionInfo>& functions,
                            std::size_t named) {
  auto count = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " function" : " functions"); };
  if (functions.empty()) {
    return "ListFunctions found no function. Fix: check the account, the region (AWS_REGION) and the "
           "endpoint (AWS_ENDPOINT_URL).";
  }
  if (named == 0) {
    std::string filter;
    if (!o.function_prefix.empty()) {
      filter = "FUNCTION_PREFIX \"" + o.function_prefix + "\" (case-sensitive)";
    }
    if (!o.function_list.empty()) {
      filter += (filter.empty() ? "" : " or ") + std::string("any FUNCTION_LIST entry");
    }
    std::string why = "none of the " + count(functions.size()) + " listed matches " + filter + ".";
    if (!o.function_prefix.empty()) {
      const std::string prefix = AsciiLower(o.function_prefix);
      auto other_case = std::count_if(functions.begin(), functions.end(), [&](const FunctionInfo& f) {
        return AsciiLower(f.name).starts_with(prefix);
      });
      if (other_case > 0) {
        why += " " + count(static_cast<std::size_t>(other_case)) + " start with it in another case.";
      }
    }
    return why + " Fix: correct the name filter; `lambda-mcp doctor` lists the functions.";
  }
  return "none of the " + count(named) + (o.name_filter() ? " the name filter kept" : " listed") +
         " has the tag " + o.tag_key + "=" + o.tag_value +
         ". Fix: tag the functions, or correct FUNCTION_TAG_KEY/FUNCTION_TAG_VALUE.";
}

// The qualifier: FUNCTION_LIST entry > tag > global default.
void ChooseQualifier(const TargetOptions& o, const ListedRefs& listed_refs, const std::string& qualifier_tag,
                     ToolEntry& e) {
  if (auto it = listed_refs.find(e.function.name);
      it != listed_refs.end() && !it->second->qualifier.empty()) {
    e.qualifier = it->second->qualifier;
    e.qualifier_source = "list";
  } else if (!qualifier_tag.empty()) {
    e.qualifier = qualifier_tag;
    e.qualifier_source = "tag";
  } else if (!o.default_qualifier.empty()) {
    e.qualifier = o.default_qualifier;
    e.qualifier_source = "default";
  }
}

using SchemaCache = std::map<std::string, Result<SchemaDocument>>;

// The input schema named by the schema tag's registry ARN, read once per ARN. Sets the entry's schema,
// validator and schema_source; returns the schema document's text ("" when none is used). A schema that
// cannot be used is a warning naming why, and the tool takes any object. A valid schema whose arguments the
// validator cannot check (a 2020-12 keyword or dialect it lacks) is published as it is, unvalidated, with a
// warning naming the keyword: the client still sees the real schema.
std::string ResolveSchema(const std::string& arn_text, LambdaBackend& backend, SchemaCache& cache,
                          ToolEntry& e, DiscoveryResult& out) {
  const FunctionInfo& f = e.function;
  auto why_not = [&](const std::string& why) {
    e.schema_source = "none (" + why + ")";
    out.warnings.push_back("function " + f.name + ": schema " + arn_text + " not used: " + why);
    return std::string();
  };
  auto arn = ParseSchemaArn(arn_text);
  if (!arn.ok()) {
    return why_not(arn.error().message);
  }
  std::string fn_account = ArnParts(f.arn).account;
  if (!arn->account.empty() && !fn_account.empty() && arn->account != fn_account) {
    return why_not("the schema is in account " + arn->account + " but the function and credentials are in " +
                   fn_account + "; DescribeSchema can only read the caller's own registries");
  }
  std::string key = arn->ToString();
  auto cached = cache.find(key);
  if (cached == cache.end()) {
    SchemaRequest req{arn->region, arn->account, arn->registry, arn->name, arn->version};
    cached = cache.emplace(key, backend.DescribeSchema(req)).first;
  }
  if (!cached->second.ok()) {
    return why_not("schemas:DescribeSchema in " + arn->region + " failed: " + cached->second.error().message);
  }
  auto schema = ToInputSchema(cached->second.value(), arn->name);
  if (!schema.ok()) {
    return why_not(schema.error().message);
  }
  auto validator = ArgumentValidator::Create(schema.value());
  if (!validator.ok() && validator.error().code != ErrorCode::kFailedPrecondition) {
    return why_not(validator.error().message);
  }
  e.event_schema = schema.value();
  e.schema_source = "registry " + key;
  if (validator.ok()) {
    e.validator = validator.value();
  } else {
    e.schema_source += " (arguments not validated: " + validator.error().message + ")";
    out.warnings.push_back("function " + f.name + ": schema " + arn_text +
                           " is published as it is, but lambda-mcp does not validate arguments against it: " +
                           validator.error().message);
  }
  return cached->second->content;
}

// The input schema in `dir`/<function name>.json, when there is one; like ResolveSchema, it sets the entry's
// schema, validator and schema_source and returns the document's text, and a file that cannot be used is a
// warning (the tool then takes what the registry tag gives, or any object).
std::string SchemaFromFile(const std::string& dir, ToolEntry& e, DiscoveryResult& out) {
  const std::string path = (std::filesystem::path(dir) / (e.function.name + ".json")).string();
  if (!std::filesystem::exists(path)) {
    return "";
  }
  auto why_not = [&](const std::string& why) {
    out.warnings.push_back("function " + e.function.name + ": schema file " + path + " not used: " + why);
    return std::string();
  };
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return why_not(text.error().message);
  }
  Json schema = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded() || !schema.is_object()) {
    return why_not("not a JSON object");
  }
  if (schema.value("type", "") != "object") {
    return why_not("its root must be {\"type\": \"object\", ...} (tool arguments are an object)");
  }
  auto validator = ArgumentValidator::Create(schema);
  if (!validator.ok() && validator.error().code != ErrorCode::kFailedPrecondition) {
    return why_not(validator.error().message);
  }
  e.event_schema = schema;
  e.schema_source = "file " + path;
  if (validator.ok()) {
    e.validator = validator.value();
  } else {
    e.schema_source += " (arguments not validated: " + validator.error().message + ")";
  }
  return *text;
}

// The tool definition: name, description and schemas (the reference's wrapper in compat mode). An
// x-mcp-header annotation that is invalid is removed with a warning: clients drop a tool that has one, and
// without it the tool stays usable (its parameter is just not mirrored into a header).
void Define(const TargetOptions& t, CompatMode compat, const std::string& name,
            const std::string& schema_content, ToolEntry& e, DiscoveryResult& out) {
  const FunctionInfo& f = e.function;
  e.definition.name = name;
  e.definition.description = f.description.empty() ? GeneratedDescription(f) : f.description;
  ApplyToolAnnotations(t, e.function.name, e.tags, e.definition, out.warnings);
  if (compat == CompatMode::kReference) {
    if (!schema_content.empty() && !e.event_schema.is_null()) {
      e.definition.description += "\n\nInput Schema:\n" + schema_content;
    }
    e.definition.input_schema = ReferenceInputSchema();
    e.definition.output_schema = ReferenceOutputSchema();
  } else {
    e.definition.input_schema = e.event_schema.is_null() ? OpenInputSchema() : e.event_schema;
    for (const auto& removed : mcp::RemoveInvalidHeaderParams(e.definition.input_schema)) {
      out.warnings.push_back("function " + f.name +
                             ": invalid x-mcp-header annotation removed from the input "
                             "schema (clients would drop the tool): " +
                             removed);
    }
  }
}

}  // namespace

Result<DiscoveryResult> Discover(const TargetOptions& t, CompatMode compat, LambdaBackend& backend,
                                 std::chrono::seconds task_optional_over) {
  DiscoveryResult out;
  const SelectionOptions& o = t.selection;
  if (o.half_tag_filter()) {
    out.warnings.push_back("Both FUNCTION_TAG_KEY and FUNCTION_TAG_VALUE must be set to filter by tag.");
    out.nothing_selected = out.warnings.back();
    return out;
  }
  if (!o.has_selection()) {
    out.warnings.push_back(
        "No functions selected: no tools exposed. Set FUNCTION_PREFIX, FUNCTION_LIST or "
        "FUNCTION_TAG_KEY+FUNCTION_TAG_VALUE, or FUNCTION_ALLOW_ALL=true to expose every function.");
    out.nothing_selected = out.warnings.back();
    return out;
  }

  auto listed = backend.ListFunctions();
  if (!listed.ok()) {
    return Error{listed.error().code, ExplainDiscoveryError(listed.error(), "lambda:ListFunctions")};
  }
  const auto& functions = listed.value();
  out.functions_listed = static_cast<int>(functions.size());
  out.infos.push_back("Total Lambda functions found: " + std::to_string(functions.size()));

  ListedRefs listed_refs;
  for (const auto& ref : o.function_list) {
    listed_refs[ref.name] = &ref;
  }
  std::vector<const FunctionInfo*> selected = SelectByName(o, functions, listed_refs, out);
  const std::size_t named = selected.size();
  auto tags_by_arn = ReadTags(t, backend, selected, out);
  if (!tags_by_arn.ok()) {
    return tags_by_arn.error();
  }
  if (o.tag_filter()) {
    FilterByTag(o, *tags_by_arn, selected, out);
  }
  if (selected.empty()) {
    out.nothing_selected = NothingSelected(o, functions, named);
  }

  std::vector<std::string> names;
  for (const FunctionInfo* f : selected) {
    names.push_back(f->name);
  }
  // The namespace comes first; the rest of the name fits in what it leaves of the 64 characters.
  NameAssignment assigned =
      AssignToolNames(names, o.function_prefix, kMaxToolNameLength - t.tool_prefix.size());
  for (auto& n : assigned.notes) {
    out.warnings.push_back(std::move(n));
  }

  SchemaCache schema_cache;
  for (size_t i = 0; i < selected.size(); ++i) {
    ToolEntry e;
    e.function = *selected[i];
    e.target = t.name;
    if (auto it = tags_by_arn->find(e.function.arn); it != tags_by_arn->end()) {
      e.tags = it->second;
    }
    auto tag = [&](const std::string& key) -> std::string {
      auto found = key.empty() ? e.tags.end() : e.tags.find(key);
      return found == e.tags.end() ? "" : found->second;
    };
    ChooseQualifier(t, listed_refs, tag(t.qualifier_tag_key), e);
    e.schema_source = "none";
    std::string schema_content;
    if (!t.schema_dir.empty()) {
      schema_content = SchemaFromFile(t.schema_dir, e, out);
    }
    if (schema_content.empty() && !t.schema_arn_tag_key.empty()) {
      std::string arn_text = tag(t.schema_arn_tag_key);
      if (arn_text.empty()) {
        out.infos.push_back("No schema arn provided for function " + e.function.arn + " via tag " +
                            t.schema_arn_tag_key);
      } else {
        schema_content = ResolveSchema(arn_text, backend, schema_cache, e, out);
      }
    }
    Define(t, compat, t.tool_prefix + assigned.names[i], schema_content, e, out);
    ApplyToolExecution(t, task_optional_over, e, out.warnings);
    out.infos.push_back("Registering tool " + e.definition.name + " for function " + e.function.name +
                        (e.qualifier.empty() ? "" : ":" + e.qualifier) + " (schema: " + e.schema_source +
                        ")");
    out.tools.push_back(std::move(e));
  }
  return out;
}

bool SameTools(const std::vector<ToolEntry>& a, const std::vector<ToolEntry>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& x = a[i];
    const auto& y = b[i];
    if (x.definition.name != y.definition.name || x.definition.description != y.definition.description ||
        x.definition.input_schema != y.definition.input_schema || x.function.arn != y.function.arn ||
        x.qualifier != y.qualifier || x.function.timeout_seconds != y.function.timeout_seconds ||
        x.definition.title != y.definition.title || x.definition.annotations != y.definition.annotations ||
        x.tags != y.tags || x.target != y.target || x.invocation_type != y.invocation_type ||
        x.definition.task_support != y.definition.task_support ||
        x.definition.input_before_task != y.definition.input_before_task) {
      return false;
    }
  }
  return true;
}

}  // namespace lmcp::catalog
