#pragma once
// Values in a SAM template: plain YAML read as JSON, the intrinsics !Ref, !Sub, !GetAtt and !Join (short and
// long form), Parameters' defaults, and the names of functions, registries and schemas, resolved on demand so
// resources may refer to each other in any order. Internal to the template loader (template.cc). One per
// load; not thread-safe. May throw YAML::Exception on malformed nodes, which the loader turns into an error.

#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "common/result.h"
#include "emulator/model.h"
#include "emulator/template.h"

namespace lmcp::emulator {

// The loader's error: "template: <where>: <what>".
Error TemplateError(const std::string& where, const std::string& what);

class TemplateValues {
 public:
  TemplateValues(const YAML::Node& root, const TemplateOptions& options);

  // Resource types by logical id; set once the Resources section is known to be a mapping.
  void SetResourceTypes(std::map<std::string, std::string> types) { types_ = std::move(types); }
  const std::map<std::string, std::string>& resource_types() const { return types_; }

  // `where` names the property for error messages ("MyFunction.Timeout").
  Result<nlohmann::json> Resolve(const YAML::Node& node, const std::string& where);
  // Resolve, then a string (numbers and booleans as their JSON text).
  Result<std::string> ResolveString(const YAML::Node& node, const std::string& where);
  // Tags may be a map (SAM functions) or a list of {Key, Value} (CloudFormation resources); added to `tags`.
  Status ReadTags(const YAML::Node& node, const std::string& where, std::map<std::string, std::string>& tags);

  Result<std::string> FunctionName(const std::string& id);  // FunctionName, else the logical id
  Result<std::string> RegistryName(const std::string& id);
  Result<std::pair<std::string, std::string>> SchemaNames(const std::string& id);  // registry, schema

 private:
  Result<std::string> RefValue(const std::string& name, const std::string& where);
  Result<std::string> GetAtt(const std::string& id, const std::string& attr, const std::string& where);
  Result<std::string> Sub(const std::string& text, const nlohmann::json& vars, const std::string& where);
  // The intrinsics, each from its resolved argument.
  Result<std::string> RefOf(const nlohmann::json& arg, const std::string& where);
  Result<std::string> GetAttOf(const nlohmann::json& arg, const std::string& where);
  Result<std::string> SubOf(const nlohmann::json& arg, const std::string& where);
  Result<std::string> JoinOf(const nlohmann::json& arg, const std::string& where);
  Result<nlohmann::json> ResolveIntrinsic(const std::string& fn, const YAML::Node& arg,
                                          const std::string& where, bool short_form);
  YAML::Node Props(const std::string& id);

  YAML::Node root_;
  TemplateOptions options_;
  Deployment arns_;  // region and account only, for ARNs
  std::map<std::string, std::string> types_;
  std::map<std::string, std::string> function_names_;
  int depth_ = 0;
};

}  // namespace lmcp::emulator
