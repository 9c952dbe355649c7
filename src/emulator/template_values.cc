// Template values: YAML to JSON, the intrinsic functions and resource names (template_values.h).

#include "emulator/template_values.h"

#include <regex>

namespace lmcp::emulator {
namespace {

using nlohmann::json;

// Plain YAML scalars become numbers, booleans or null when they look like one (so an inline schema keeps its
// types); quoted scalars stay strings.
json ScalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") {
    return s;
  }
  if (s == "true" || s == "True") {
    return true;
  }
  if (s == "false" || s == "False") {
    return false;
  }
  if (s == "null" || s == "~" || s.empty()) {
    return nullptr;
  }
  static const std::regex kInt(R"(-?[0-9]+)");
  static const std::regex kFloat(R"(-?[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kInt)) {
    try {
      return std::stoll(s);
    } catch (const std::exception&) {
      return s;
    }
  }
  if (std::regex_match(s, kFloat)) {
    return std::stod(s);
  }
  return s;
}

}  // namespace

Error TemplateError(const std::string& where, const std::string& what) {
  return Error::InvalidArgument("template: " + where + ": " + what);
}

TemplateValues::TemplateValues(const YAML::Node& root, const TemplateOptions& options)
    : root_(root), options_(options) {
  arns_.region = options.region;
  arns_.account_id = options.account_id;
}

Result<std::string> TemplateValues::RefValue(const std::string& name, const std::string& where) {
  if (name == "AWS::Region") {
    return options_.region;
  }
  if (name == "AWS::AccountId") {
    return options_.account_id;
  }
  if (name == "AWS::Partition") {
    return std::string("aws");
  }
  if (name == "AWS::StackName") {
    return options_.stack_name;
  }
  if (name == "AWS::URLSuffix") {
    return std::string("amazonaws.com");
  }
  if (name == "AWS::StackId") {
    return "arn:aws:cloudformation:" + options_.region + ":" + options_.account_id + ":stack/" +
           options_.stack_name + "/00000000-0000-0000-0000-000000000000";
  }
  if (YAML::Node params = root_["Parameters"]; params && params[name]) {
    YAML::Node def = params[name]["Default"];
    if (!def) {
      return TemplateError(where, "parameter " + name + " has no Default (no parameter overrides locally)");
    }
    auto v = Resolve(def, where);
    if (!v.ok()) {
      return v.error();
    }
    if (v->is_string()) {
      return v->get<std::string>();
    }
    if (v->is_array()) {  // CommaDelimitedList
      std::string joined;
      for (const auto& e : *v) {
        joined += (joined.empty() ? "" : ",") + (e.is_string() ? e.get<std::string>() : e.dump());
      }
      return joined;
    }
    return v->dump();
  }
  auto type = types_.find(name);
  if (type == types_.end()) {
    return TemplateError(where, "!Ref to unknown name '" + name + "'");
  }
  if (type->second == "AWS::Serverless::Function") {
    return FunctionName(name);
  }
  if (type->second == "AWS::EventSchemas::Registry") {
    auto reg = RegistryName(name);
    if (!reg.ok()) {
      return reg.error();
    }
    return arns_.RegistryArn(*reg);
  }
  if (type->second == "AWS::EventSchemas::Schema") {
    return GetAtt(name, "SchemaArn", where);
  }
  return TemplateError(where, "!Ref to " + name + " of type " + type->second + " is not supported");
}

Result<std::string> TemplateValues::GetAtt(const std::string& id, const std::string& attr,
                                           const std::string& where) {
  auto type = types_.find(id);
  if (type == types_.end()) {
    return TemplateError(where, "!GetAtt of unknown resource '" + id + "'");
  }
  if (type->second == "AWS::Serverless::Function") {
    auto name = FunctionName(id);
    if (!name.ok()) {
      return name.error();
    }
    if (attr == "Arn") {
      return arns_.FunctionArn(*name);
    }
  } else if (type->second == "AWS::EventSchemas::Registry") {
    auto reg = RegistryName(id);
    if (!reg.ok()) {
      return reg.error();
    }
    if (attr == "RegistryName") {
      return *reg;
    }
    if (attr == "RegistryArn") {
      return arns_.RegistryArn(*reg);
    }
  } else if (type->second == "AWS::EventSchemas::Schema") {
    auto names = SchemaNames(id);
    if (!names.ok()) {
      return names.error();
    }
    if (attr == "SchemaArn") {
      return arns_.SchemaArn(names->first, names->second);
    }
    if (attr == "SchemaName") {
      return names->second;
    }
    if (attr == "SchemaVersion") {
      return std::string("1");
    }
  }
  return TemplateError(where, "!GetAtt " + id + "." + attr + " is not supported");
}

Result<std::string> TemplateValues::Sub(const std::string& text, const json& vars, const std::string& where) {
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
    if (end == std::string::npos) {
      return TemplateError(where, "unterminated ${ in !Sub");
    }
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
    if (!v.ok()) {
      return v.error();
    }
    out += *v;
  }
  return out;
}

Result<std::string> TemplateValues::ResolveString(const YAML::Node& node, const std::string& where) {
  auto v = Resolve(node, where);
  if (!v.ok()) {
    return v.error();
  }
  if (v->is_string()) {
    return v->get<std::string>();
  }
  if (v->is_number() || v->is_boolean()) {
    return v->dump();
  }
  return TemplateError(where, "expected a string");
}

Result<json> TemplateValues::Resolve(const YAML::Node& node, const std::string& where) {
  if (++depth_ > 64) {
    return TemplateError(where, "intrinsics nested too deeply (a reference cycle?)");
  }
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
        if (!v.ok()) {
          return v.error();
        }
        arr.push_back(std::move(*v));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      if (node.size() == 1) {
        std::string key = node.begin()->first.as<std::string>();
        if (key == "Ref") {
          return ResolveIntrinsic("Ref", node.begin()->second, where, false);
        }
        if (key.rfind("Fn::", 0) == 0) {
          return ResolveIntrinsic(key.substr(4), node.begin()->second, where, false);
        }
      }
      json obj = json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        auto v = Resolve(it->second, where);
        if (!v.ok()) {
          return v.error();
        }
        obj[it->first.as<std::string>()] = std::move(*v);
      }
      return obj;
    }
  }
  return json(nullptr);
}

Result<json> TemplateValues::ResolveIntrinsic(const std::string& fn, const YAML::Node& arg,
                                              const std::string& where, bool short_form) {
  using Intrinsic = Result<std::string> (TemplateValues::*)(const json& arg, const std::string& where);
  static const std::map<std::string, Intrinsic> kIntrinsics = {
      {"Ref", &TemplateValues::RefOf},
      {"GetAtt", &TemplateValues::GetAttOf},
      {"Sub", &TemplateValues::SubOf},
      {"Join", &TemplateValues::JoinOf},
  };
  auto intrinsic = kIntrinsics.find(fn);
  if (intrinsic == kIntrinsics.end()) {
    return TemplateError(where, "intrinsic function " + fn + " is not supported by lambda-mcp local");
  }
  // A short-form tag on a scalar carries its argument as the scalar; drop the tag to resolve the argument.
  Result<json> resolved = json();
  if (short_form && arg.IsScalar()) {
    resolved = json(arg.Scalar());
  } else {
    YAML::Node copy = YAML::Clone(arg);
    if (short_form) {
      copy.SetTag("");
    }
    resolved = Resolve(copy, where);
  }
  if (!resolved.ok()) {
    return resolved.error();
  }
  auto v = (this->*intrinsic->second)(*resolved, where);
  if (!v.ok()) {
    return v.error();
  }
  return json(*v);
}

Result<std::string> TemplateValues::RefOf(const json& a, const std::string& where) {
  if (!a.is_string()) {
    return TemplateError(where, "!Ref needs a name");
  }
  return RefValue(a.get<std::string>(), where);
}

Result<std::string> TemplateValues::GetAttOf(const json& a, const std::string& where) {
  if (a.is_string()) {
    std::string s = a.get<std::string>();
    size_t dot = s.find('.');
    if (dot == std::string::npos) {
      return TemplateError(where, "!GetAtt needs Resource.Attribute");
    }
    return GetAtt(s.substr(0, dot), s.substr(dot + 1), where);
  }
  if (a.is_array() && a.size() == 2 && a[0].is_string() && a[1].is_string()) {
    return GetAtt(a[0].get<std::string>(), a[1].get<std::string>(), where);
  }
  return TemplateError(where, "!GetAtt needs Resource.Attribute");
}

Result<std::string> TemplateValues::SubOf(const json& a, const std::string& where) {
  if (a.is_string()) {
    return Sub(a.get<std::string>(), json::object(), where);
  }
  if (a.is_array() && a.size() == 2 && a[0].is_string() && a[1].is_object()) {
    return Sub(a[0].get<std::string>(), a[1], where);
  }
  return TemplateError(where, "!Sub needs a string or [string, {variables}]");
}

Result<std::string> TemplateValues::JoinOf(const json& a, const std::string& where) {
  if (!a.is_array() || a.size() != 2 || !a[0].is_string() || !a[1].is_array()) {
    return TemplateError(where, "!Join needs [delimiter, [values]]");
  }
  std::string out;
  bool first = true;
  for (const auto& e : a[1]) {
    if (!first) {
      out += a[0].get<std::string>();
    }
    first = false;
    out += e.is_string() ? e.get<std::string>() : e.dump();
  }
  return out;
}

YAML::Node TemplateValues::Props(const std::string& id) {
  // Const lookups: a non-const one adds a missing key, and the loader is iterating Resources. (An id that
  // matches no key, as "null" for a `~:` resource, did so and crashed the loader.)
  const YAML::Node& root = root_;
  const YAML::Node resource = root["Resources"][id];
  const YAML::Node props = resource && resource.IsMap() ? resource["Properties"] : YAML::Node();
  return props ? props : YAML::Node(YAML::NodeType::Undefined);
}

Result<std::string> TemplateValues::FunctionName(const std::string& id) {
  if (auto it = function_names_.find(id); it != function_names_.end()) {
    return it->second;
  }
  YAML::Node p = Props(id);
  std::string name = id;
  if (p && p["FunctionName"]) {
    auto v = ResolveString(p["FunctionName"], id + ".FunctionName");
    if (!v.ok()) {
      return v.error();
    }
    name = *v;
  }
  function_names_[id] = name;
  return name;
}

Result<std::string> TemplateValues::RegistryName(const std::string& id) {
  YAML::Node p = Props(id);
  if (!p || !p["RegistryName"]) {
    return TemplateError(id, "RegistryName is required locally (no generated names)");
  }
  return ResolveString(p["RegistryName"], id + ".RegistryName");
}

Result<std::pair<std::string, std::string>> TemplateValues::SchemaNames(const std::string& id) {
  YAML::Node p = Props(id);
  if (!p || !p["RegistryName"] || !p["SchemaName"]) {
    return TemplateError(id, "RegistryName and SchemaName are required locally (no generated names)");
  }
  auto reg = ResolveString(p["RegistryName"], id + ".RegistryName");
  if (!reg.ok()) {
    return reg.error();
  }
  auto name = ResolveString(p["SchemaName"], id + ".SchemaName");
  if (!name.ok()) {
    return name.error();
  }
  return std::make_pair(*reg, *name);
}

Status TemplateValues::ReadTags(const YAML::Node& node, const std::string& where,
                                std::map<std::string, std::string>& tags) {
  if (!node) {
    return Ok();
  }
  auto v = Resolve(node, where);
  if (!v.ok()) {
    return v.error();
  }
  auto str = [](const json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
  if (v->is_object()) {
    for (auto& [k, val] : v->items()) {
      tags[k] = str(val);
    }
  } else if (v->is_array()) {
    for (const auto& e : *v) {
      if (!e.is_object() || !e.contains("Key")) {
        return TemplateError(where, "tags need Key and Value");
      }
      tags[str(e["Key"])] = e.contains("Value") ? str(e["Value"]) : "";
    }
  } else {
    return TemplateError(where, "tags must be a map or a list of {Key, Value}");
  }
  return Ok();
}

}  // namespace lmcp::emulator
