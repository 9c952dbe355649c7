#include "emulator/template.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "common/base64.h"
#include "common/crypto.h"
#include "common/file.h"

namespace lmcp::emulator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Plain YAML scalars become numbers, booleans or null when they look like one (so an inline schema keeps its
// types); quoted scalars stay strings.
json ScalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") return s;
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  if (s == "null" || s == "~" || s.empty()) return nullptr;
  static const std::regex kInt(R"(-?[0-9]+)");
  static const std::regex kFloat(R"(-?[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kInt)) {
    try {
      return std::stoll(s);
    } catch (const std::exception&) {
      return s;
    }
  }
  if (std::regex_match(s, kFloat)) return std::stod(s);
  return s;
}

class Loader {
 public:
  Loader(const YAML::Node& root, std::string base_dir, const TemplateOptions& options)
      : root_(root), base_dir_(std::move(base_dir)), options_(options) {
    deployment_.region = options.region;
    deployment_.account_id = options.account_id;
  }

  Result<Deployment> Load() {
    if (!root_.IsMap()) return Error::InvalidArgument("template: the document is not a mapping");
    YAML::Node resources = root_["Resources"];
    if (!resources || !resources.IsMap()) return Error::InvalidArgument("template: no Resources section");
    for (const char* section : {"Conditions", "Mappings", "Rules"}) {
      if (root_[section]) Warn(std::string("template: section ") + section + " is not evaluated");
    }
    if (YAML::Node globals = root_["Globals"]) {
      for (auto it = globals.begin(); it != globals.end(); ++it) {
        std::string key = it->first.as<std::string>();
        if (key != "Function") Warn("template: Globals." + key + " is not emulated");
      }
      globals_function_ = globals["Function"];
    }
    for (auto it = resources.begin(); it != resources.end(); ++it) {
      std::string id = it->first.as<std::string>();
      types_[id] = it->second["Type"] ? it->second["Type"].as<std::string>() : "";
    }
    for (auto it = resources.begin(); it != resources.end(); ++it) {
      std::string id = it->first.as<std::string>();
      const std::string& type = types_[id];
      Status st;
      if (type == "AWS::Serverless::Function") {
        st = LoadFunction(id, it->second);
      } else if (type == "AWS::EventSchemas::Registry") {
        st = LoadRegistry(id, it->second);
      } else if (type == "AWS::EventSchemas::Schema") {
        st = LoadSchema(id, it->second);
      } else {
        Warn("resource " + id + ": type '" + type + "' is not emulated");
      }
      if (!st.ok()) return st.error();
    }
    std::string err;
    if (!FinalizeDeployment(deployment_, &err)) return Error::InvalidArgument("template: " + err);
    return std::move(deployment_);
  }

 private:
  void Warn(std::string w) { deployment_.warnings.push_back(std::move(w)); }

  Error Fail(const std::string& where, const std::string& what) {
    return Error::InvalidArgument("template: " + where + ": " + what);
  }

  // ---- intrinsics -------------------------------------------------------------------------------------

  Result<std::string> RefValue(const std::string& name, const std::string& where) {
    if (name == "AWS::Region") return options_.region;
    if (name == "AWS::AccountId") return options_.account_id;
    if (name == "AWS::Partition") return std::string("aws");
    if (name == "AWS::StackName") return options_.stack_name;
    if (name == "AWS::URLSuffix") return std::string("amazonaws.com");
    if (name == "AWS::StackId") {
      return "arn:aws:cloudformation:" + options_.region + ":" + options_.account_id + ":stack/" +
             options_.stack_name + "/00000000-0000-0000-0000-000000000000";
    }
    if (YAML::Node params = root_["Parameters"]; params && params[name]) {
      YAML::Node def = params[name]["Default"];
      if (!def) return Fail(where, "parameter " + name + " has no Default (no parameter overrides locally)");
      auto v = Resolve(def, where);
      if (!v.ok()) return v.error();
      if (v->is_string()) return v->get<std::string>();
      if (v->is_array()) {  // CommaDelimitedList
        std::string joined;
        for (const auto& e : *v) joined += (joined.empty() ? "" : ",") + (e.is_string() ? e.get<std::string>() : e.dump());
        return joined;
      }
      return v->dump();
    }
    auto type = types_.find(name);
    if (type == types_.end()) return Fail(where, "!Ref to unknown name '" + name + "'");
    if (type->second == "AWS::Serverless::Function") return FunctionName(name);
    if (type->second == "AWS::EventSchemas::Registry") {
      auto reg = RegistryName(name);
      if (!reg.ok()) return reg.error();
      return deployment_.RegistryArn(*reg);
    }
    if (type->second == "AWS::EventSchemas::Schema") return GetAtt(name, "SchemaArn", where);
    return Fail(where, "!Ref to " + name + " of type " + type->second + " is not supported");
  }

  Result<std::string> GetAtt(const std::string& id, const std::string& attr, const std::string& where) {
    auto type = types_.find(id);
    if (type == types_.end()) return Fail(where, "!GetAtt of unknown resource '" + id + "'");
    if (type->second == "AWS::Serverless::Function") {
      auto name = FunctionName(id);
      if (!name.ok()) return name.error();
      if (attr == "Arn") return deployment_.FunctionArn(*name);
    } else if (type->second == "AWS::EventSchemas::Registry") {
      auto reg = RegistryName(id);
      if (!reg.ok()) return reg.error();
      if (attr == "RegistryName") return *reg;
      if (attr == "RegistryArn") return deployment_.RegistryArn(*reg);
    } else if (type->second == "AWS::EventSchemas::Schema") {
      auto names = SchemaNames(id);
      if (!names.ok()) return names.error();
      if (attr == "SchemaArn") return deployment_.SchemaArn(names->first, names->second);
      if (attr == "SchemaName") return names->second;
      if (attr == "SchemaVersion") return std::string("1");
    }
    return Fail(where, "!GetAtt " + id + "." + attr + " is not supported");
  }

  Result<std::string> Sub(const std::string& text, const json& vars, const std::string& where) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      if (text.compare(i, 3, "${!") == 0) {  // literal ${
        out += "${";
        i += 3;
        continue;
      }
      if (text.compare(i, 2, "${") != 0) {
        out += text[i++];
        continue;
      }
      size_t end = text.find('}', i);
      if (end == std::string::npos) return Fail(where, "unterminated ${ in !Sub");
      std::string var = text.substr(i + 2, end - i - 2);
      i = end + 1;
      if (vars.is_object() && vars.contains(var)) {
        out += vars[var].is_string() ? vars[var].get<std::string>() : vars[var].dump();
        continue;
      }
      Result<std::string> v = std::string();
      size_t dot = var.find('.');
      if (dot != std::string::npos && var.rfind("AWS::", 0) != 0) {
        v = GetAtt(var.substr(0, dot), var.substr(dot + 1), where);
      } else {
        v = RefValue(var, where);
      }
      if (!v.ok()) return v.error();
      out += *v;
    }
    return out;
  }

  Result<std::string> ResolveString(const YAML::Node& node, const std::string& where) {
    auto v = Resolve(node, where);
    if (!v.ok()) return v.error();
    if (v->is_string()) return v->get<std::string>();
    if (v->is_number() || v->is_boolean()) return v->dump();
    return Fail(where, "expected a string");
  }

  Result<json> Resolve(const YAML::Node& node, const std::string& where) {
    if (++depth_ > 64) return Fail(where, "intrinsics nested too deeply (a reference cycle?)");
    struct DepthGuard {
      int& d;
      ~DepthGuard() { --d; }
    } guard{depth_};
    const std::string& tag = node.Tag();
    if (!tag.empty() && tag[0] == '!' && tag != "!") {
      return ResolveIntrinsic(tag.substr(1), node, where, /*short_form=*/true);
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        return ScalarToJson(node);
      case YAML::NodeType::Sequence: {
        json arr = json::array();
        for (const auto& e : node) {
          auto v = Resolve(e, where);
          if (!v.ok()) return v.error();
          arr.push_back(std::move(*v));
        }
        return arr;
      }
      case YAML::NodeType::Map: {
        if (node.size() == 1) {
          std::string key = node.begin()->first.as<std::string>();
          if (key == "Ref") return ResolveIntrinsic("Ref", node.begin()->second, where, false);
          if (key.rfind("Fn::", 0) == 0) return ResolveIntrinsic(key.substr(4), node.begin()->second, where, false);
        }
        json obj = json::object();
        for (auto it = node.begin(); it != node.end(); ++it) {
          auto v = Resolve(it->second, where);
          if (!v.ok()) return v.error();
          obj[it->first.as<std::string>()] = std::move(*v);
        }
        return obj;
      }
    }
    return json(nullptr);
  }

  Result<json> ResolveIntrinsic(const std::string& fn, const YAML::Node& arg, const std::string& where,
                                bool short_form) {
    // A short-form tag on a scalar carries its argument as the scalar; drop the tag to resolve the argument.
    auto plain = [&](const YAML::Node& n) -> Result<json> {
      if (short_form && n.IsScalar()) return json(n.Scalar());
      YAML::Node copy = YAML::Clone(n);
      if (short_form) copy.SetTag("");
      return Resolve(copy, where);
    };
    if (fn == "Ref") {
      auto name = plain(arg);
      if (!name.ok()) return name.error();
      if (!name->is_string()) return Fail(where, "!Ref needs a name");
      auto v = RefValue(name->get<std::string>(), where);
      if (!v.ok()) return v.error();
      return json(*v);
    }
    if (fn == "GetAtt") {
      auto a = plain(arg);
      if (!a.ok()) return a.error();
      std::string id, attr;
      if (a->is_string()) {
        std::string s = a->get<std::string>();
        size_t dot = s.find('.');
        if (dot == std::string::npos) return Fail(where, "!GetAtt needs Resource.Attribute");
        id = s.substr(0, dot);
        attr = s.substr(dot + 1);
      } else if (a->is_array() && a->size() == 2 && (*a)[0].is_string() && (*a)[1].is_string()) {
        id = (*a)[0].get<std::string>();
        attr = (*a)[1].get<std::string>();
      } else {
        return Fail(where, "!GetAtt needs Resource.Attribute");
      }
      auto v = GetAtt(id, attr, where);
      if (!v.ok()) return v.error();
      return json(*v);
    }
    if (fn == "Sub") {
      auto a = plain(arg);
      if (!a.ok()) return a.error();
      json vars = json::object();
      std::string text;
      if (a->is_string()) {
        text = a->get<std::string>();
      } else if (a->is_array() && a->size() == 2 && (*a)[0].is_string() && (*a)[1].is_object()) {
        text = (*a)[0].get<std::string>();
        vars = (*a)[1];
      } else {
        return Fail(where, "!Sub needs a string or [string, {variables}]");
      }
      auto v = Sub(text, vars, where);
      if (!v.ok()) return v.error();
      return json(*v);
    }
    if (fn == "Join") {
      auto a = plain(arg);
      if (!a.ok()) return a.error();
      if (!a->is_array() || a->size() != 2 || !(*a)[0].is_string() || !(*a)[1].is_array()) {
        return Fail(where, "!Join needs [delimiter, [values]]");
      }
      std::string out;
      bool first = true;
      for (const auto& e : (*a)[1]) {
        if (!first) out += (*a)[0].get<std::string>();
        first = false;
        out += e.is_string() ? e.get<std::string>() : e.dump();
      }
      return json(out);
    }
    return Fail(where, "intrinsic function " + fn + " is not supported by lambda-mcp local");
  }

  // ---- names, resolved on demand so resources may refer to each other in any order ----------------------

  YAML::Node Props(const std::string& id) { return root_["Resources"][id]["Properties"]; }

  Result<std::string> FunctionName(const std::string& id) {
    if (auto it = function_names_.find(id); it != function_names_.end()) return it->second;
    YAML::Node p = Props(id);
    std::string name = id;
    if (p && p["FunctionName"]) {
      auto v = ResolveString(p["FunctionName"], id + ".FunctionName");
      if (!v.ok()) return v.error();
      name = *v;
    }
    function_names_[id] = name;
    return name;
  }

  Result<std::string> RegistryName(const std::string& id) {
    YAML::Node p = Props(id);
    if (!p || !p["RegistryName"]) return Fail(id, "RegistryName is required locally (no generated names)");
    return ResolveString(p["RegistryName"], id + ".RegistryName");
  }

  Result<std::pair<std::string, std::string>> SchemaNames(const std::string& id) {
    YAML::Node p = Props(id);
    if (!p || !p["RegistryName"] || !p["SchemaName"]) {
      return Fail(id, "RegistryName and SchemaName are required locally (no generated names)");
    }
    auto reg = ResolveString(p["RegistryName"], id + ".RegistryName");
    if (!reg.ok()) return reg.error();
    auto name = ResolveString(p["SchemaName"], id + ".SchemaName");
    if (!name.ok()) return name.error();
    return std::make_pair(*reg, *name);
  }

  // Tags may be a map (SAM functions) or a list of {Key, Value} (CloudFormation resources).
  Status ReadTags(const YAML::Node& node, const std::string& where, std::map<std::string, std::string>& tags) {
    if (!node) return Ok();
    auto v = Resolve(node, where);
    if (!v.ok()) return v.error();
    auto str = [](const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
    if (v->is_object()) {
      for (auto& [k, val] : v->items()) tags[k] = str(val);
    } else if (v->is_array()) {
      for (const auto& e : *v) {
        if (!e.is_object() || !e.contains("Key")) return Fail(where, "tags need Key and Value");
        tags[str(e["Key"])] = e.contains("Value") ? str(e["Value"]) : "";
      }
    } else {
      return Fail(where, "tags must be a map or a list of {Key, Value}");
    }
    return Ok();
  }

  // ---- resources -------------------------------------------------------------------------------------

  Status LoadFunction(const std::string& id, const YAML::Node& resource) {
    YAML::Node p = resource["Properties"];
    static const std::set<std::string> kSupported = {
        "FunctionName", "Handler", "Runtime", "CodeUri", "Description", "Tags", "Timeout", "MemorySize",
        "Environment", "AutoPublishAlias", "ReservedConcurrentExecutions"};
    static const std::set<std::string> kIgnored = {
        "Events", "Policies", "Role", "Architectures", "Tracing", "Layers", "VpcConfig", "PackageType",
        "FunctionUrlConfig", "LoggingConfig", "EphemeralStorage", "DeadLetterQueue", "AutoPublishCodeSha256",
        "DeploymentPreference", "ProvisionedConcurrencyConfig", "RuntimeManagementConfig", "SnapStart",
        "PermissionsBoundary", "KmsKeyArn", "EventInvokeConfig"};
    const bool has_globals = globals_function_.IsMap();
    auto get = [&](const char* key) -> YAML::Node {
      if (p.IsMap() && p[key]) return p[key];
      if (has_globals && globals_function_[key]) return globals_function_[key];
      return YAML::Node(YAML::NodeType::Undefined);
    };
    for (const YAML::Node& source : {globals_function_, p}) {
      if (!source || !source.IsMap()) continue;
      for (auto it = source.begin(); it != source.end(); ++it) {
        std::string key = it->first.as<std::string>();
        if (kSupported.count(key)) continue;
        if (kIgnored.count(key)) {
          Warn("function " + id + ": " + key + " is not emulated (ignored)");
        } else {
          return Fail(id, "property " + key + " is not supported by lambda-mcp local");
        }
      }
    }
    FunctionSpec f;
    f.logical_id = id;
    auto name = FunctionName(id);
    if (!name.ok()) return name.error();
    f.name = *name;
    if (!p.IsMap() || !p["FunctionName"]) Warn("function " + id + ": no FunctionName, using the logical id");
    auto str = [&](const char* key, std::string& out, bool required) -> Status {
      YAML::Node n = get(key);
      if (!n) return required ? Status(Fail(id, std::string(key) + " is required")) : Ok();
      auto v = ResolveString(n, id + "." + key);
      if (!v.ok()) return v.error();
      out = *v;
      return Ok();
    };
    auto integer = [&](const char* key, int& out) -> Status {
      YAML::Node n = get(key);
      if (!n) return Ok();
      auto v = ResolveString(n, id + "." + key);
      if (!v.ok()) return v.error();
      try {
        size_t used = 0;
        out = std::stoi(*v, &used);
        if (used != v->size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        return Fail(id, std::string(key) + " must be an integer, got '" + *v + "'");
      }
      return Ok();
    };
    std::string code_uri;
    for (auto st : {str("Handler", f.handler, true), str("Runtime", f.runtime, true),
                    str("CodeUri", code_uri, true), str("Description", f.description, false),
                    str("AutoPublishAlias", f.alias, false), integer("Timeout", f.timeout_seconds),
                    integer("MemorySize", f.memory_mb)}) {
      if (!st.ok()) return st;
    }
    if (get("ReservedConcurrentExecutions")) {
      int rc = 0;
      if (auto st = integer("ReservedConcurrentExecutions", rc); !st.ok()) return st;
      if (rc < 0) return Fail(id, "ReservedConcurrentExecutions must be >= 0");
      f.reserved_concurrency = rc;
    }
    if (f.timeout_seconds < 1 || f.timeout_seconds > 900) return Fail(id, "Timeout must be 1..900 seconds");
    if (f.memory_mb < 128 || f.memory_mb > 10240) return Fail(id, "MemorySize must be 128..10240 MB");
    if (has_globals && globals_function_["Tags"]) {
      if (auto st = ReadTags(globals_function_["Tags"], id + ".Tags", f.tags); !st.ok()) return st;
    }
    if (p.IsMap() && p["Tags"]) {
      if (auto st = ReadTags(p["Tags"], id + ".Tags", f.tags); !st.ok()) return st;
    }
    for (const YAML::Node& source : {globals_function_, p}) {
      if (!source.IsMap() || !source["Environment"]) continue;
      auto env = Resolve(source["Environment"], id + ".Environment");
      if (!env.ok()) return env.error();
      if (!env->is_object() || (env->contains("Variables") && !(*env)["Variables"].is_object())) {
        return Fail(id, "Environment must be {Variables: {...}}");
      }
      json vars = env->value("Variables", json::object());
      for (auto& [k, v] : vars.items()) {
        f.environment[k] = v.is_string() ? v.get<std::string>() : v.dump();
      }
    }
    // Runtime and code.
    bool python = f.runtime.rfind("python3", 0) == 0;
    bool node = f.runtime.rfind("nodejs", 0) == 0;
    if (!python && !node && f.runtime != "echo") {
      return Fail(id, "Runtime " + f.runtime + " is not supported locally (python3.x, nodejs*.x, echo)");
    }
    fs::path dir = fs::path(code_uri);
    if (dir.is_relative()) dir = fs::path(base_dir_) / dir;
    std::error_code ec;
    dir = fs::weakly_canonical(dir, ec);
    if (!fs::is_directory(dir)) return Fail(id, "CodeUri " + code_uri + " is not a directory (" + dir.string() + ")");
    f.code_dir = dir.string();
    if (f.runtime != "echo") {
      size_t dot = f.handler.rfind('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == f.handler.size()) {
        return Fail(id, "Handler must be <module>.<function>, got '" + f.handler + "'");
      }
      std::string module = f.handler.substr(0, dot);
      std::vector<std::string> candidates;
      if (python) {
        std::string m = module;
        std::replace(m.begin(), m.end(), '.', '/');
        candidates = {m + ".py"};
      } else {
        candidates = {module + ".js", module + ".mjs", module + ".cjs"};
      }
      std::string found;
      for (const auto& c : candidates) {
        if (fs::is_regular_file(dir / c)) {
          found = (dir / c).string();
          break;
        }
      }
      if (found.empty()) return Fail(id, "handler file " + candidates[0] + " not found in " + f.code_dir);
      std::string bytes = ReadWholeFile(found).value_or("");
      Digest digest = Sha256(bytes);
      f.code_sha256 = Base64Encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
      f.code_size = static_cast<long>(bytes.size());
    }
    deployment_.functions.push_back(std::move(f));
    return Ok();
  }

  Status LoadRegistry(const std::string& id, const YAML::Node& resource) {
    YAML::Node p = resource["Properties"];
    RegistrySpec r;
    auto name = RegistryName(id);
    if (!name.ok()) return name.error();
    r.name = *name;
    if (p["Description"]) {
      auto d = ResolveString(p["Description"], id + ".Description");
      if (!d.ok()) return d.error();
      r.description = *d;
    }
    if (auto st = ReadTags(p["Tags"], id + ".Tags", r.tags); !st.ok()) return st;
    deployment_.registries.push_back(std::move(r));
    return Ok();
  }

  Status LoadSchema(const std::string& id, const YAML::Node& resource) {
    YAML::Node p = resource["Properties"];
    SchemaSpec s;
    auto names = SchemaNames(id);
    if (!names.ok()) return names.error();
    s.registry = names->first;
    s.name = names->second;
    if (!p["Type"] || !p["Content"]) return Fail(id, "Type and Content are required");
    auto type = ResolveString(p["Type"], id + ".Type");
    if (!type.ok()) return type.error();
    if (*type != "OpenApi3" && *type != "JSONSchemaDraft4") {
      return Fail(id, "Type must be OpenApi3 or JSONSchemaDraft4, got " + *type);
    }
    s.type = *type;
    auto content = Resolve(p["Content"], id + ".Content");
    if (!content.ok()) return content.error();
    if (content->is_string()) {
      s.content = content->get<std::string>();
      if (!json::accept(s.content)) return Fail(id, "Content is not valid JSON");
    } else {
      s.content = content->dump();  // a YAML mapping given inline: stored as its JSON text
    }
    if (p["Description"]) {
      auto d = ResolveString(p["Description"], id + ".Description");
      if (!d.ok()) return d.error();
      s.description = *d;
    }
    if (auto st = ReadTags(p["Tags"], id + ".Tags", s.tags); !st.ok()) return st;
    deployment_.schemas.push_back(std::move(s));
    return Ok();
  }

  YAML::Node root_;
  std::string base_dir_;
  TemplateOptions options_;
  Deployment deployment_;
  YAML::Node globals_function_;
  std::map<std::string, std::string> types_;
  std::map<std::string, std::string> function_names_;
  int depth_ = 0;
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

void AddSyntheticFunctions(Deployment& deployment, int count, const std::string& prefix,
                           const std::map<std::string, std::string>& tags) {
  for (int i = 1; i <= count; ++i) {
    char num[16];
    std::snprintf(num, sizeof num, "%04d", i);
    FunctionSpec f;
    f.name = prefix + num;
    f.runtime = "echo";
    f.handler = "echo";
    f.description = "Synthetic echo function " + std::to_string(i);
    f.tags = tags;
    f.code_sha256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    deployment.functions.push_back(std::move(f));
  }
}

bool FinalizeDeployment(Deployment& deployment, std::string* error) {
  auto& fns = deployment.functions;
  std::sort(fns.begin(), fns.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (size_t i = 1; i < fns.size(); ++i) {
    if (fns[i].name == fns[i - 1].name) {
      *error = "duplicate function name " + fns[i].name;
      return false;
    }
  }
  static const std::regex kName(R"([a-zA-Z0-9_-]{1,64})");
  for (const auto& f : fns) {
    if (!std::regex_match(f.name, kName)) {
      *error = "invalid function name '" + f.name + "' (1-64 of [a-zA-Z0-9_-])";
      return false;
    }
  }
  return true;
}

}  // namespace lmcp::emulator
