// The SAM template loader: sections and resources (template.h). Values and intrinsics are resolved by
// template_values.cc, code is located by template_code.cc.

#include "emulator/template.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/file.h"
#include "emulator/template_code.h"
#include "emulator/template_values.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

class Loader {
 public:
  Loader(const YAML::Node& root, std::string base_dir, const TemplateOptions& options)
      : root_(root), base_dir_(std::move(base_dir)), values_(root, options) {
    deployment_.region = options.region;
    deployment_.account_id = options.account_id;
  }

  Result<Deployment> Load() {
    if (!root_.IsMap()) {
      return Error::InvalidArgument("template: the document is not a mapping");
    }
    YAML::Node resources = root_["Resources"];
    if (!resources || !resources.IsMap()) {
      return Error::InvalidArgument("template: no Resources section");
    }
    for (const char* section : {"Conditions", "Mappings", "Rules"}) {
      if (root_[section]) {
        Warn(std::string("template: section ") + section + " is not evaluated");
      }
    }
    if (YAML::Node globals = root_["Globals"]) {
      for (auto it = globals.begin(); it != globals.end(); ++it) {
        std::string key = it->first.as<std::string>();
        if (key != "Function") {
          Warn("template: Globals." + key + " is not emulated");
        }
      }
      globals_function_ = globals["Function"];
    }
    std::map<std::string, std::string> types;
    for (auto it = resources.begin(); it != resources.end(); ++it) {
      std::string id = it->first.as<std::string>();
      types[id] = it->second["Type"] ? it->second["Type"].as<std::string>() : "";
    }
    values_.SetResourceTypes(std::move(types));
    for (auto it = resources.begin(); it != resources.end(); ++it) {
      if (Status st = LoadResource(it->first.as<std::string>(), it->second); !st.ok()) {
        return st.error();
      }
    }
    std::string err;
    if (!FinalizeDeployment(deployment_, &err)) {
      return Error::InvalidArgument("template: " + err);
    }
    return std::move(deployment_);
  }

 private:
  void Warn(std::string w) { deployment_.warnings.push_back(std::move(w)); }

  Status LoadResource(const std::string& id, const YAML::Node& resource) {
    const std::string& type = values_.resource_types().at(id);
    if (type == "AWS::Serverless::Function") {
      return LoadFunction(id, resource);
    }
    if (type == "AWS::EventSchemas::Registry") {
      return LoadRegistry(id, resource);
    }
    if (type == "AWS::EventSchemas::Schema") {
      return LoadSchema(id, resource);
    }
    Warn("resource " + id + ": type '" + type + "' is not emulated");
    return Ok();
  }

  // ---- AWS::Serverless::Function ----------------------------------------------------------------------

  // A property from the function, else from Globals.Function; undefined when neither has it.
  YAML::Node FunctionProperty(const YAML::Node& p, const char* key) {
    if (p.IsMap() && p[key]) {
      return p[key];
    }
    if (globals_function_.IsMap() && globals_function_[key]) {
      return globals_function_[key];
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  // Every property the function or Globals.Function sets is emulated, ignored with a warning, or an error.
  Status CheckFunctionProperties(const std::string& id, const YAML::Node& p) {
    static const std::set<std::string> kSupported = {"FunctionName",
                                                     "Handler",
                                                     "Runtime",
                                                     "CodeUri",
                                                     "Description",
                                                     "Tags",
                                                     "Timeout",
                                                     "MemorySize",
                                                     "Environment",
                                                     "AutoPublishAlias",
                                                     "ReservedConcurrentExecutions",
                                                     "PackageType"};
    static const std::set<std::string> kIgnored = {"Events",
                                                   "Policies",
                                                   "Role",
                                                   "Architectures",
                                                   "Tracing",
                                                   "Layers",
                                                   "VpcConfig",
                                                   "ImageUri",
                                                   "ImageConfig",
                                                   "FunctionUrlConfig",
                                                   "LoggingConfig",
                                                   "EphemeralStorage",
                                                   "DeadLetterQueue",
                                                   "AutoPublishCodeSha256",
                                                   "DeploymentPreference",
                                                   "ProvisionedConcurrencyConfig",
                                                   "RuntimeManagementConfig",
                                                   "SnapStart",
                                                   "PermissionsBoundary",
                                                   "KmsKeyArn",
                                                   "EventInvokeConfig"};
    for (const YAML::Node& source : {globals_function_, p}) {
      if (!source || !source.IsMap()) {
        continue;
      }
      for (auto it = source.begin(); it != source.end(); ++it) {
        std::string key = it->first.as<std::string>();
        if (kSupported.count(key)) {
          continue;
        }
        if (!kIgnored.count(key)) {
          return TemplateError(id, "property " + key + " is not supported by lambda-mcp local");
        }
        Warn("function " + id + ": " + key + " is not emulated (ignored)");
      }
    }
    return Ok();
  }

  Status ReadString(const std::string& id, const YAML::Node& p, const char* key, std::string& out,
                    bool required) {
    YAML::Node n = FunctionProperty(p, key);
    if (!n) {
      return required ? Status(TemplateError(id, std::string(key) + " is required")) : Ok();
    }
    auto v = values_.ResolveString(n, id + "." + key);
    if (!v.ok()) {
      return v.error();
    }
    out = *v;
    return Ok();
  }

  Status ReadInteger(const std::string& id, const YAML::Node& p, const char* key, int& out) {
    YAML::Node n = FunctionProperty(p, key);
    if (!n) {
      return Ok();
    }
    auto v = values_.ResolveString(n, id + "." + key);
    if (!v.ok()) {
      return v.error();
    }
    try {
      size_t used = 0;
      out = std::stoi(*v, &used);
      if (used != v->size()) {
        throw std::invalid_argument("trailing");
      }
    } catch (const std::exception&) {
      return TemplateError(id, std::string(key) + " must be an integer, got '" + *v + "'");
    }
    return Ok();
  }

  // Handler, Runtime, CodeUri, Description, AutoPublishAlias, Timeout, MemorySize and reserved concurrency.
  Status ReadFunctionScalars(const std::string& id, const YAML::Node& p, FunctionSpec& f,
                             std::string& code_uri) {
    for (auto st :
         {ReadString(id, p, "Handler", f.handler, true), ReadString(id, p, "Runtime", f.runtime, true),
          ReadString(id, p, "CodeUri", code_uri, true),
          ReadString(id, p, "Description", f.description, false),
          ReadString(id, p, "AutoPublishAlias", f.alias, false),
          ReadInteger(id, p, "Timeout", f.timeout_seconds), ReadInteger(id, p, "MemorySize", f.memory_mb)}) {
      if (!st.ok()) {
        return st;
      }
    }
    if (FunctionProperty(p, "ReservedConcurrentExecutions")) {
      int rc = 0;
      if (auto st = ReadInteger(id, p, "ReservedConcurrentExecutions", rc); !st.ok()) {
        return st;
      }
      if (rc < 0) {
        return TemplateError(id, "ReservedConcurrentExecutions must be >= 0");
      }
      f.reserved_concurrency = rc;
    }
    if (f.timeout_seconds < 1 || f.timeout_seconds > 900) {
      return TemplateError(id, "Timeout must be 1..900 seconds");
    }
    if (f.memory_mb < 128 || f.memory_mb > 10240) {
      return TemplateError(id, "MemorySize must be 128..10240 MB");
    }
    return Ok();
  }

  // Tags and Environment.Variables, from Globals.Function first, then the function's own.
  Status ReadTagsAndEnvironment(const std::string& id, const YAML::Node& p, FunctionSpec& f) {
    if (globals_function_.IsMap() && globals_function_["Tags"]) {
      if (auto st = values_.ReadTags(globals_function_["Tags"], id + ".Tags", f.tags); !st.ok()) {
        return st;
      }
    }
    if (p.IsMap() && p["Tags"]) {
      if (auto st = values_.ReadTags(p["Tags"], id + ".Tags", f.tags); !st.ok()) {
        return st;
      }
    }
    for (const YAML::Node& source : {globals_function_, p}) {
      if (!source.IsMap() || !source["Environment"]) {
        continue;
      }
      auto env = values_.Resolve(source["Environment"], id + ".Environment");
      if (!env.ok()) {
        return env.error();
      }
      if (!env->is_object() || (env->contains("Variables") && !(*env)["Variables"].is_object())) {
        return TemplateError(id, "Environment must be {Variables: {...}}");
      }
      json vars = env->value("Variables", json::object());
      for (auto& [k, v] : vars.items()) {
        f.environment[k] = v.is_string() ? v.get<std::string>() : v.dump();
      }
    }
    return Ok();
  }

  Status LoadFunction(const std::string& id, const YAML::Node& resource) {
    // Without Properties, every lookup below finds nothing (and Handler is reported missing).
    const YAML::Node found = resource["Properties"];
    YAML::Node p = found ? found : YAML::Node(YAML::NodeType::Undefined);
    if (auto st = CheckFunctionProperties(id, p); !st.ok()) {
      return st;
    }
    FunctionSpec f;
    f.logical_id = id;
    auto name = values_.FunctionName(id);
    if (!name.ok()) {
      return name.error();
    }
    f.name = *name;
    // A function `local` cannot run is left out, with a warning, so that the rest of the template serves.
    std::string package_type;
    if (auto st = ReadString(id, p, "PackageType", package_type, false); !st.ok()) {
      return st;
    }
    if (package_type == "Image") {
      Warn("function " + id + ": skipped, PackageType Image is not emulated locally (only Zip functions in " +
           "python3.x, nodejs*.x or echo)");
      return Ok();
    }
    if (!p.IsMap() || !p["FunctionName"]) {
      Warn("function " + id + ": no FunctionName, using the logical id");
    }
    std::string code_uri;
    if (auto st = ReadFunctionScalars(id, p, f, code_uri); !st.ok()) {
      return st;
    }
    if (!RuntimeEmulated(f.runtime)) {
      Warn("function " + id + ": skipped, Runtime " + f.runtime +
           " is not emulated locally (python3.x, nodejs*.x or echo)");
      return Ok();
    }
    if (auto st = ReadTagsAndEnvironment(id, p, f); !st.ok()) {
      return st;
    }
    if (auto st = LocateCode(f, code_uri, base_dir_); !st.ok()) {
      return st;
    }
    deployment_.functions.push_back(std::move(f));
    return Ok();
  }

  // ---- AWS::EventSchemas::Registry and ::Schema ---------------------------------------------------------

  Status LoadRegistry(const std::string& id, const YAML::Node& resource) {
    YAML::Node p = resource["Properties"];
    RegistrySpec r;
    auto name = values_.RegistryName(id);
    if (!name.ok()) {
      return name.error();
    }
    r.name = *name;
    if (p["Description"]) {
      auto d = values_.ResolveString(p["Description"], id + ".Description");
      if (!d.ok()) {
        return d.error();
      }
      r.description = *d;
    }
    if (auto st = values_.ReadTags(p["Tags"], id + ".Tags", r.tags); !st.ok()) {
      return st;
    }
    deployment_.registries.push_back(std::move(r));
    return Ok();
  }

  Status LoadSchema(const std::string& id, const YAML::Node& resource) {
    YAML::Node p = resource["Properties"];
    SchemaSpec s;
    auto names = values_.SchemaNames(id);
    if (!names.ok()) {
      return names.error();
    }
    s.registry = names->first;
    s.name = names->second;
    if (!p["Type"] || !p["Content"]) {
      return TemplateError(id, "Type and Content are required");
    }
    auto type = values_.ResolveString(p["Type"], id + ".Type");
    if (!type.ok()) {
      return type.error();
    }
    if (*type != "OpenApi3" && *type != "JSONSchemaDraft4") {
      return TemplateError(id, "Type must be OpenApi3 or JSONSchemaDraft4, got " + *type);
    }
    s.type = *type;
    auto content = values_.Resolve(p["Content"], id + ".Content");
    if (!content.ok()) {
      return content.error();
    }
    if (content->is_string()) {
      s.content = content->get<std::string>();
      if (!json::accept(s.content)) {
        return TemplateError(id, "Content is not valid JSON");
      }
    } else {
      s.content = content->dump();  // a YAML mapping given inline: stored as its JSON text
    }
    if (p["Description"]) {
      auto d = values_.ResolveString(p["Description"], id + ".Description");
      if (!d.ok()) {
        return d.error();
      }
      s.description = *d;
    }
    if (auto st = values_.ReadTags(p["Tags"], id + ".Tags", s.tags); !st.ok()) {
      return st;
    }
    deployment_.schemas.push_back(std::move(s));
    return Ok();
  }

  YAML::Node root_;
  std::string base_dir_;
  TemplateValues values_;
  Deployment deployment_;
  YAML::Node globals_function_;
};

}  // namespace

Result<Deployment> LoadTemplateString(const std::string& yaml, const std::string& base_dir,
                                      const TemplateOptions& options) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Error::InvalidArgument(std::string("template: YAML error: ") + e.what());
  }
  try {
    return Loader(root, base_dir, options).Load();
  } catch (const YAML::Exception& e) {
    return Error::InvalidArgument(std::string("template: ") + e.what());
  }
}

Result<Deployment> LoadTemplateFile(const std::string& path, const TemplateOptions& options) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return Error::NotFound("template: cannot read " + path);
  }
  std::string dir = std::filesystem::absolute(std::filesystem::path(path)).parent_path().string();
  return LoadTemplateString(*text, dir, options);
}

}  // namespace lmcp::emulator
