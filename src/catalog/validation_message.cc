#include "catalog/validation_message.h"

#include <array>
#include <string_view>

namespace lmcp::catalog {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, 7> kEchoes = {
    "Failed to validate against schema associated with property name",
    "Failed to validate item #",
    "Failed to validate against child schema #",
    "Failed to validate against schema associated with pattern",
    "Failed to validate against additional properties schema",
    "Failed to validate against dependent schema",
    "Failed to validate against a conditional schema",
};

// A value as the model sent it, cut short.
std::string Shown(const Json& value) {
  std::string text = value.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// "an integer", "a string", "null".
std::string TypeName(const Json& value) {
  if (value.is_number_integer() || value.is_number_unsigned()) {
    return "an integer";
  }
  if (value.is_null()) {
    return "null";
  }
  if (value.is_number()) {
    return "a number";
  }
  std::string name = value.type_name();
  return (name == "object" || name == "array" ? "an " : "a ") + name;
}

// Follows local "$ref": "#/definitions/x" (or "#/$defs/x"), a few hops at most.
const Json* Resolve(const Json& root, const Json* schema) {
  for (int hops = 0; hops < 8 && schema != nullptr && schema->is_object() && schema->contains("$ref");
       ++hops) {
    const Json& ref = (*schema)["$ref"];
    if (!ref.is_string() || !ref.get<std::string>().starts_with("#")) {
      return schema;
    }
    try {
      schema = &root.at(Json::json_pointer(ref.get<std::string>().substr(1)));
    } catch (const std::exception&) {
      return nullptr;
    }
  }
  return schema;
}

// The sub-schema and the value at `context` (nullptr where the path leaves what is known).
std::pair<const Json*, const Json*> Walk(const Json& schema, const Json& arguments,
                                         const std::vector<std::string>& context) {
  const Json* s = Resolve(schema, &schema);
  const Json* v = &arguments;
  for (size_t i = 1; i < context.size(); ++i) {
    const std::string& step = context[i];
    if (step.size() < 2 || step.front() != '[' || step.back() != ']') {
      return {nullptr, nullptr};
    }
    std::string key = step.substr(1, step.size() - 2);
    if (v != nullptr && v->is_object()) {
      auto it = v->find(key);
      v = it == v->end() ? nullptr : &*it;
      const Json* next = nullptr;
      if (s != nullptr && s->is_object() && s->contains("properties") && (*s)["properties"].contains(key)) {
        next = &(*s)["properties"][key];
      } else if (s != nullptr && s->is_object() && s->contains("additionalProperties") &&
                 (*s)["additionalProperties"].is_object()) {
        next = &(*s)["additionalProperties"];
      }
      s = Resolve(schema, next);
    } else if (v != nullptr && v->is_array() && !key.empty() &&
               key.find_first_not_of("0123456789") == std::string::npos) {
      size_t index = std::stoul(key);
      v = index < v->size() ? &(*v)[index] : nullptr;
      const Json* next = nullptr;
      if (s != nullptr && s->is_object() && s->contains("prefixItems") &&
          index < (*s)["prefixItems"].size()) {
        next = &(*s)["prefixItems"][index];
      } else if (s != nullptr && s->is_object() && s->contains("items") && (*s)["items"].is_object()) {
        next = &(*s)["items"];
      }
      s = Resolve(schema, next);
    } else {
      return {nullptr, nullptr};
    }
  }
  return {s, v};
}

std::string Path(const std::vector<std::string>& context) {
  std::string path;
  for (size_t i = 1; i < context.size(); ++i) {
    const std::string& step = context[i];
    std::string key = step.size() >= 2 ? step.substr(1, step.size() - 2) : step;
    bool index = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
    path += index ? "[" + key + "]" : (path.empty() ? key : "." + key);
  }
  return path.empty() ? "(arguments)" : path;
}

std::string Keyword(const Json* schema, const char* key) {
  if (schema == nullptr || !schema->is_object() || !schema->contains(key)) {
    return "";
  }
  return (*schema)[key].dump();
}

std::string Rewrite(const Json* s, const Json* v, const std::string& d) {
  const std::string value = v != nullptr ? Shown(*v) : "";
  if (d.starts_with("Failed to match regex specified by 'pattern'")) {
    std::string pattern =
        s != nullptr && s->is_object() && s->contains("pattern") && (*s)["pattern"].is_string()
            ? (*s)["pattern"].get<std::string>()
            : "";
    return value + " does not match the pattern" + (pattern.empty() ? "" : " " + pattern);
  }
  if (d.starts_with("Failed to match against any enum values")) {
    std::string allowed = Keyword(s, "enum");
    return value + " is not one of the allowed values" + (allowed.empty() ? "" : " " + allowed);
  }
  if (d.starts_with("Failed to match expected value set by 'const'")) {
    std::string expected = Keyword(s, "const");
    return value + (expected.empty() ? " is not the required constant" : " must be " + expected);
  }
  if (d.starts_with("Value type not permitted by 'type'")) {
    std::string expected = Keyword(s, "type");
    return value + " is " + (v != nullptr ? TypeName(*v) : "of the wrong type") +
           (expected.empty() ? "" : "; expected type " + expected);
  }
  if (d.starts_with("Object contains a property that could not be validated")) {
    std::string name = d.substr(d.rfind(": '") + 3);
    name = name.substr(0, name.rfind("'."));
    std::string known;
    if (s != nullptr && s->is_object() && s->contains("properties") && (*s)["properties"].is_object()) {
      for (const auto& [k, unused] : (*s)["properties"].items()) {
        known += (known.empty() ? "" : ", ") + k;
      }
    }
    return "unknown property '" + name + "'" + (known.empty() ? "" : " (allowed: " + known + ")");
  }
  // valijson prints the bounds as doubles ("3.000000"): the schema's own number reads better.
  auto bound = [&](const char* exclusive, const char* inclusive) {
    std::string b = Keyword(s, exclusive);
    return b.empty() || b == "true" || b == "false" ? Keyword(s, inclusive) : b;
  };
  if (d.starts_with("Expected number less than or equal to") && !Keyword(s, "maximum").empty()) {
    return value + " is over the maximum " + Keyword(s, "maximum");
  }
  if (d.starts_with("Expected number less than") && !bound("exclusiveMaximum", "maximum").empty()) {
    return value + " must be less than " + bound("exclusiveMaximum", "maximum");
  }
  if (d.starts_with("Expected number greater than or equal to") && !Keyword(s, "minimum").empty()) {
    return value + " is under the minimum " + Keyword(s, "minimum");
  }
  if (d.starts_with("Expected number greater than") && !bound("exclusiveMinimum", "minimum").empty()) {
    return value + " must be greater than " + bound("exclusiveMinimum", "minimum");
  }
  std::string out = d;
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  bool about_value = d.starts_with("Expected number") || d.starts_with("String should") ||
                     d.starts_with("Array should") || d.starts_with("Value should be a multiple");
  return about_value && !value.empty() ? value + ": " + out : out;
}

}  // namespace

std::optional<std::string> DescribeProblem(const Json& schema, const Json& arguments,
                                           const std::vector<std::string>& context,
                                           const std::string& description) {
  for (std::string_view echo : kEchoes) {
    if (description.starts_with(echo)) {
      return std::nullopt;
    }
  }
  auto [s, v] = Walk(schema, arguments, context);
  return Path(context) + ": " + Rewrite(s, v, description);
}

}  // namespace lmcp::catalog
