#include "catalog/schema_dialect.h"

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "catalog/valijson_keywords.h"
#include "common/strings.h"

namespace lmcp::catalog {
namespace {

using Json = nlohmann::json;

// 2020-12 keywords whose value is one subschema, an array of them, or a map of them.
const std::set<std::string> kSingle = {
    "additionalProperties", "propertyNames",        "items", "contains", "not", "if", "then", "else",
    "unevaluatedItems",     "unevaluatedProperties"};
const std::set<std::string> kArray = {"allOf", "anyOf", "oneOf", "prefixItems"};
const std::set<std::string> kMap = {"properties", "patternProperties", "$defs", "definitions",
                                    "dependentSchemas"};

// Keywords that make a sibling unevaluatedProperties/unevaluatedItems depend on other subschemas' results.
const char* const kPropertyApplicators[] = {"allOf", "anyOf",       "oneOf",           "if", "then", "else",
                                            "$ref",  "$dynamicRef", "dependentSchemas"};
const char* const kItemApplicators[] = {"allOf",       "anyOf",    "oneOf", "if",   "then",
                                        "$dynamicRef", "contains", "else",  "$ref", "dependentSchemas"};

// Draft-07 and 2019-09 keywords that 2020-12 no longer has: validating them would not be 2020-12, ignoring
// them would drop what the author meant.
const std::map<std::string, std::string> kDropped = {
    {"dependencies", "use dependentRequired or dependentSchemas"},
    {"additionalItems", "use prefixItems with items"},
    {"$recursiveRef", "use $dynamicRef"},
    {"$recursiveAnchor", "use $dynamicAnchor"},
};

const char* kSupported = "supported: 2020-12 (the default), draft-07, draft-06, draft-04";

std::string Escape(const std::string& token) { return (Json::json_pointer() / token).to_string().substr(1); }

std::string Where(const std::string& pointer) { return pointer.empty() ? "/" : pointer; }

Error Unsupported(const std::string& pointer, const std::string& what) {
  return Error::FailedPrecondition("at " + Where(pointer) + ": " + what);
}

Error Invalid(const std::string& pointer, const std::string& what) {
  return Error::InvalidArgument("at " + Where(pointer) + ": " + what);
}

Result<std::string> PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? HexDigitValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexDigitValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Error::InvalidArgument("bad percent-encoding");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool HasAny(const Json& s, const char* const* begin, const char* const* end) {
  for (auto k = begin; k != end; ++k) {
    if (s.contains(*k)) {
      return true;
    }
  }
  return false;
}

class Translator {
 public:
  explicit Translator(const Json& root) : root_(root) {}

  Result<Json> Run() {
    if (root_.is_object() && root_.contains("$id")) {
      if (!root_["$id"].is_string()) {
        return Invalid("", "$id must be a string");
      }
      root_id_ = root_["$id"].get<std::string>();
      root_id_ = root_id_.substr(0, root_id_.find('#'));
    }
    if (auto st = Index(root_, "", 0); !st.ok()) {
      return st.error();
    }
    auto out = Translate(root_, "", "");
    if (!out.ok()) {
      return out.error();
    }
    for (const auto& [holder, target] : refs_) {
      auto moved = moved_.find(target);
      if (moved == moved_.end()) {
        return Unsupported(target, "a $ref points at a subschema that is not validated here");
      }
      auto ref = ValijsonRef(moved->second, target);
      if (!ref.ok()) {
        return ref.error();
      }
      out->at(Json::json_pointer(holder)).update(ref.value());
    }
    return out;
  }

 private:
  // Pass 1: where the subschemas are, the anchors, and the limits.
  Status Index(const Json& s, const std::string& at, int depth) {
    if (depth > kMaxSchemaDepth) {
      return Unsupported(at, "subschemas nest deeper than " + std::to_string(kMaxSchemaDepth));
    }
    if (++count_ > kMaxSubschemas) {
      return Unsupported(at, "more than " + std::to_string(kMaxSubschemas) + " subschemas");
    }
    schemas_.insert(at);
    if (s.is_boolean()) {
      return Ok();
    }
    if (!s.is_object()) {
      return Invalid(at, "a schema must be an object or a boolean");
    }
    if (!at.empty() && s.contains("$id")) {
      return Unsupported(at, "schema resources embedded with $id are not supported");
    }
    if (!at.empty() && s.contains("$schema")) {
      return Unsupported(at, "$schema below the root is not supported");
    }
    for (const char* anchor : {"$anchor", "$dynamicAnchor"}) {
      if (s.contains(anchor)) {
        if (!s[anchor].is_string()) {
          return Invalid(at, std::string(anchor) + " must be a string");
        }
        auto [it, fresh] = anchors_.emplace(s[anchor].get<std::string>(), at);
        if (!fresh && it->second != at) {
          return Invalid(at, "anchor \"" + it->first + "\" is defined twice");
        }
      }
    }
    for (const auto& [k, v] : s.items()) {
      std::string sub = at + "/" + Escape(k);
      if (k == "items" && v.is_array()) {
        return Invalid(sub, "items must be a schema in 2020-12 (use prefixItems for a tuple)");
      }
      if (kSingle.count(k)) {
        if (auto st = Index(v, sub, depth + 1); !st.ok()) {
          return st;
        }
      } else if (kArray.count(k) || kMap.count(k)) {
        if (kArray.count(k) ? !v.is_array() : !v.is_object()) {
          return Invalid(sub, k + (kArray.count(k) ? " must be an array" : " must be an object"));
        }
        for (const auto& [name, member] : v.items()) {
          if (auto st = Index(member, sub + "/" + Escape(name), depth + 1); !st.ok()) {
            return st;
          }
        }
      }
    }
    return Ok();
  }

  // A $ref's target as a JSON pointer into the original schema.
  Result<std::string> Resolve(const std::string& ref, const std::string& at) {
    size_t hash = ref.find('#');
    std::string uri = ref.substr(0, hash);
    if (!uri.empty() && uri != root_id_) {
      return Invalid(at,
                     "$ref \"" + ref +
                         "\" names another document; schemas are never fetched (MCP forbids dereferencing "
                         "network URIs), so the schema must be self-contained");
    }
    auto fragment = PercentDecode(hash == std::string::npos ? "" : ref.substr(hash + 1));
    if (!fragment.ok()) {
      return Invalid(at, "$ref \"" + ref + "\": " + fragment.error().message);
    }
    const std::string& f = fragment.value();
    if (f.empty()) {
      return std::string();
    }
    if (f[0] != '/') {
      auto anchor = anchors_.find(f);
      if (anchor == anchors_.end()) {
        return Invalid(at, "$ref \"" + ref + "\": no such anchor");
      }
      return anchor->second;
    }
    if (schemas_.count(f)) {
      return f;
    }
    bool exists = false;
    try {
      exists = root_.contains(Json::json_pointer(f));
    } catch (const std::exception&) {
      exists = false;
    }
    if (exists) {
      return Unsupported(at, "$ref \"" + ref + "\" points at a value that is not a subschema");
    }
    return Invalid(at, "$ref \"" + ref + "\": no such place in the schema");
  }

  Status Refuse(const Json& s, const std::string& at) {
    for (const auto& [k, instead] : kDropped) {
      if (s.contains(k)) {
        return Unsupported(at, k + " is not a 2020-12 keyword (" + instead +
                                   ", or declare the dialect the schema was written for in $schema)");
      }
    }
    if (s.contains("unevaluatedProperties") &&
        HasAny(s, std::begin(kPropertyApplicators), std::end(kPropertyApplicators))) {
      return Unsupported(at,
                         "unevaluatedProperties next to in-place applicators ($ref, allOf, anyOf, oneOf, "
                         "if/then/else, dependentSchemas) is not supported by the validator");
    }
    if (s.contains("unevaluatedItems") &&
        HasAny(s, std::begin(kItemApplicators), std::end(kItemApplicators))) {
      return Unsupported(at,
                         "unevaluatedItems next to in-place applicators or contains is not supported by the "
                         "validator");
    }
    bool plain_contains = !s.contains("maxContains") && (!s.contains("minContains") || s["minContains"] == 1);
    if (s.contains("contains") && !plain_contains) {
      return Unsupported(at, "minContains/maxContains are not supported by the validator");
    }
    return Ok();
  }

  Json Sub(const Json& v, const std::string& from, const std::string& to, Status& st) {
    if (!st.ok()) {
      return nullptr;
    }
    auto r = Translate(v, from, to);
    if (!r.ok()) {
      st = r.error();
      return nullptr;
    }
    return std::move(r).value();
  }

  // Pass 2: one subschema, `from` its pointer in the original, `to` its pointer in the result.
  Result<Json> Translate(const Json& s, const std::string& from, const std::string& to) {
    moved_[from] = to;
    if (!s.is_object()) {
      return s;
    }
    Status st = Refuse(s, from);
    Json out = Json::object();
    for (const auto& [k, v] : s.items()) {
      if (!st.ok()) {
        break;
      }
      std::string f = from + "/" + Escape(k);
      auto t = [&](const std::string& key) { return to + "/" + Escape(key); };
      if (k == "format" || k == "id" || k == "minContains" || k == "maxContains" || k == "$ref" ||
          k == "$dynamicRef") {
        continue;  // annotations in 2020-12 (format), not a keyword (id), checked above, or the refs below
      } else if (k == "items" && s.contains("prefixItems")) {
        out["additionalItems"] = Sub(v, f, t("additionalItems"), st);
      } else if (k == "prefixItems") {
        for (size_t i = 0; i < v.size(); ++i) {
          out["items"][i] = Sub(v[i], f + "/" + std::to_string(i), t("items") + "/" + std::to_string(i), st);
        }
      } else if (k == "unevaluatedProperties") {
        if (!s.contains("additionalProperties")) {  // else every property is evaluated already
          out["additionalProperties"] = Sub(v, f, t("additionalProperties"), st);
        }
      } else if (k == "unevaluatedItems") {
        if (!s.contains("items")) {  // else every item is evaluated already
          std::string key = s.contains("prefixItems") ? "additionalItems" : "items";
          out[key] = Sub(v, f, t(key), st);
        }
      } else if (k == "dependentRequired" || k == "dependentSchemas") {
        if (!v.is_object()) {
          return Invalid(f, k + " must be an object");
        }
        for (const auto& [name, member] : v.items()) {
          if (out.contains("dependencies") && out["dependencies"].contains(name)) {
            return Unsupported(f, "dependentRequired and dependentSchemas both name \"" + name + "\"");
          }
          std::string path = t("dependencies") + "/" + Escape(name);
          out["dependencies"][name] =
              k == "dependentRequired" ? member : Sub(member, f + "/" + Escape(name), path, st);
        }
      } else if (k == "propertyNames") {
        out[k] = Json{{"$ref", ""}, {"x-lmcp", Sub(v, f, t(k) + "/x-lmcp", st)}};
        refs_.emplace_back(t(k), f);
      } else if (kSingle.count(k)) {
        out[k] = Sub(v, f, t(k), st);
      } else if (kArray.count(k) || kMap.count(k)) {
        if (auto checked = ForValijson(k, v, f, out); !checked.ok()) {  // patternProperties' patterns
          return checked.error();
        }
        out[k] = v.is_array() ? Json::array() : Json::object();
        for (const auto& [name, member] : v.items()) {
          std::string key = v.is_array() ? name : Escape(name);
          Json sub = Sub(member, f + "/" + key, t(k) + "/" + key, st);
          if (v.is_array()) {
            out[k].push_back(std::move(sub));
          } else {
            out[k][name] = std::move(sub);
          }
        }
      } else {
        auto handled = ForValijson(k, v, f, out);
        if (!handled.ok()) {
          return handled.error();
        }
        if (!handled.value()) {
          out[k] = v;  // assertions draft-07 shares, annotations, unknown keywords
        }
      }
    }
    if (!st.ok()) {
      return st.error();
    }
    return AddRefs(s, from, to, std::move(out));
  }

  // $ref and $dynamicRef (one schema resource: a $dynamicRef resolves as a $ref). Siblings of a $ref apply in
  // 2020-12 but not in draft-07, so a $ref with siblings moves into allOf.
  Result<Json> AddRefs(const Json& s, const std::string& from, const std::string& to, Json out) {
    for (const char* key : {"$ref", "$dynamicRef"}) {
      if (!s.contains(key)) {
        continue;
      }
      if (!s[key].is_string()) {
        return Invalid(from, std::string(key) + " must be a string");
      }
      auto target = Resolve(s[key].get<std::string>(), from);
      if (!target.ok()) {
        return target.error();
      }
      if (out.empty()) {
        out["$ref"] = "";
        refs_.emplace_back(to, target.value());
      } else {
        out["allOf"].push_back(Json{{"$ref", ""}});
        refs_.emplace_back(to + "/allOf/" + std::to_string(out["allOf"].size() - 1), target.value());
      }
    }
    return out;
  }

  const Json& root_;
  std::string root_id_;
  int count_ = 0;
  std::set<std::string> schemas_;               // pointers of every subschema in the original
  std::map<std::string, std::string> anchors_;  // anchor → pointer
  std::map<std::string, std::string> moved_;    // pointer in the original → pointer in the result
  std::vector<std::pair<std::string, std::string>> refs_;  // (object holding a $ref in the result, target)
};

int Depth(const Json& v, int limit, int& objects) {
  if (v.is_object()) {
    ++objects;
  }
  if (limit < 0 || (!v.is_object() && !v.is_array()) || objects > kMaxSubschemas) {
    return 0;
  }
  int deepest = 0;
  for (const auto& member : v) {
    deepest = std::max(deepest, Depth(member, limit - 1, objects));
  }
  return deepest + 1;
}

}  // namespace

Result<SchemaDialect> DeclaredDialect(const Json& schema) {
  if (!schema.is_object() || !schema.contains("$schema")) {
    return SchemaDialect::k2020_12;
  }
  if (!schema["$schema"].is_string()) {
    return Error::InvalidArgument("$schema must be a string");
  }
  std::string uri = schema["$schema"].get<std::string>();
  std::string bare = uri.substr(0, uri.find('#'));
  if (bare.starts_with("https://")) {
    bare = "http://" + bare.substr(8);
  }
  if (bare == "http://json-schema.org/draft/2020-12/schema") {
    return SchemaDialect::k2020_12;
  }
  if (bare == "http://json-schema.org/draft-07/schema" || bare == "http://json-schema.org/draft-06/schema") {
    return SchemaDialect::kDraft7;
  }
  if (bare == "http://json-schema.org/draft-04/schema") {
    return SchemaDialect::kDraft4;
  }
  return Error::FailedPrecondition("the schema's dialect \"" + uri + "\" is not supported (" + kSupported +
                                   ")");
}

Status CheckSchemaBounds(const Json& schema) {
  int objects = 0;
  // A subschema level is two JSON levels (properties → name → schema).
  if (Depth(schema, 2 * kMaxSchemaDepth + 1, objects) > 2 * kMaxSchemaDepth) {
    return Error::FailedPrecondition("the schema nests JSON deeper than " +
                                     std::to_string(2 * kMaxSchemaDepth));
  }
  if (objects > kMaxSubschemas) {
    return Error::FailedPrecondition("the schema has more than " + std::to_string(kMaxSubschemas) +
                                     " objects");
  }
  return Ok();
}

Result<Json> ToDraft7(const Json& schema) {
  if (auto st = CheckSchemaBounds(schema); !st.ok()) {
    return st.error();
  }
  if (schema.is_boolean()) {  // valijson ignores a boolean root
    return schema.get<bool>() ? Json::object() : Json{{"not", Json::object()}};
  }
  return Translator(schema).Run();
}

Result<Json> PrepareDraft7(const Json& schema) {
  if (auto st = CheckSchemaBounds(schema); !st.ok()) {
    return st.error();
  }
  Json copy = schema;
  if (auto st = FixDraft7(copy, ""); !st.ok()) {
    return st.error();
  }
  return copy;
}

}  // namespace lmcp::catalog
