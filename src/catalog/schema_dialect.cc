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

// Applicators whose annotations depend on which of their subschemas pass: a sibling unevaluated* next to
// them (directly or through allOf and $ref) cannot be written as draft-07.
const char* const kDynamicApplicators[] = {"anyOf", "oneOf", "if", "then", "else", "dependentSchemas"};

// Draft-07 and 2019-09 keywords that 2020-12 no longer has: validating them would not be 2020-12, ignoring
// them would drop what the author meant.
const std::map<std::string, std::string> kDropped = {
    {"dependencies", "use dependentRequired or dependentSchemas"},
    {"additionalItems", "use prefixItems with items"},
    {"$recursiveRef", "use $dynamicRef"},
    {"$recursiveAnchor", "use $dynamicAnchor"},
};

const char* kSupported = "supported: 2020-12 (the default), draft-07, draft-06, draft-04";

std::string Where(const std::string& pointer) { return pointer.empty() ? "/" : pointer; }

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
      if (counted_contains_ && target.empty()) {
        // x-lmcp-contains validates with a schema whose root is a $ref to its subschema: "#" would loop.
        return UnsupportedAt(holder, "minContains/maxContains in a schema with a $ref to its root");
      }
      auto moved = moved_.find(target);
      if (moved == moved_.end()) {
        return UnsupportedAt(target, "a $ref points at a subschema that is not validated here");
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
      return UnsupportedAt(at, "subschemas nest deeper than " + std::to_string(kMaxSchemaDepth));
    }
    if (++count_ > kMaxSubschemas) {
      return UnsupportedAt(at, "more than " + std::to_string(kMaxSubschemas) + " subschemas");
    }
    schemas_.insert(at);
    if (s.is_boolean()) {
      return Ok();
    }
    if (!s.is_object()) {
      return Invalid(at, "a schema must be an object or a boolean");
    }
    if (!at.empty() && s.contains("$id")) {
      return UnsupportedAt(at, "schema resources embedded with $id are not supported");
    }
    if (!at.empty() && s.contains("$schema")) {
      return UnsupportedAt(at, "$schema below the root is not supported");
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
      std::string sub = at + "/" + PointerToken(k);
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
          if (auto st = Index(member, sub + "/" + PointerToken(name), depth + 1); !st.ok()) {
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
      return UnsupportedAt(at, "$ref \"" + ref + "\" points at a value that is not a subschema");
    }
    return Invalid(at, "$ref \"" + ref + "\": no such place in the schema");
  }

  Status Refuse(const Json& s, const std::string& at) {
    for (const auto& [k, instead] : kDropped) {
      if (s.contains(k)) {
        return UnsupportedAt(at, k + " is not a 2020-12 keyword (" + instead +
                                     ", or declare the dialect the schema was written for in $schema)");
      }
    }
    for (const char* k : {"minContains", "maxContains"}) {
      if (s.contains(k) && !(s[k].is_number() && s[k].get<double>() >= 0 &&
                             std::floor(s[k].get<double>()) == s[k].get<double>())) {
        return Invalid(at, std::string(k) + " must be a non-negative integer");
      }
    }
    return Ok();
  }

  // contains with minContains/maxContains other than the default (at least one) → x-lmcp-contains
  // (valijson_keywords.h), the subschema beside it; true when written.
  Result<bool> CountedContains(const Json& s, const std::string& from, const std::string& to, Json& out,
                               Status& st) {
    if (!s.contains("contains") ||
        (!s.contains("maxContains") && (!s.contains("minContains") || s["minContains"] == 1))) {
      return false;
    }
    std::string at = to + "/x-lmcp-contains-schema";
    out["x-lmcp-contains-schema"] = Sub(s["contains"], from + "/contains", at, st);
    auto ref = ValijsonRef(at, from);
    if (!ref.ok()) {
      return ref.error();
    }
    out["x-lmcp-contains"] = Json{{"$ref", ref.value()["$ref"]},
                                  {"min", s.contains("minContains") ? s["minContains"].get<double>() : 1.0}};
    if (s.contains("maxContains")) {
      out["x-lmcp-contains"]["max"] = s["maxContains"].get<double>();
    }
    counted_contains_ = true;
    return true;
  }

  // The schemas whose annotations the unevaluated* keyword at `keyword` (of `s`) sees, when that does not
  // depend on which subschemas pass: `s` and, transitively, its allOf members and $ref targets (each must
  // pass, or the whole schema fails anyway). kFailedPrecondition when a dynamic applicator
  // (kDynamicApplicators, and `contains` for unevaluatedItems) is among them.
  Result<std::vector<const Json*>> StaticClosure(const Json& s, const std::string& keyword) {
    bool items = keyword.ends_with("/unevaluatedItems");
    std::vector<const Json*> out;
    std::set<const Json*> seen;
    std::vector<std::pair<const Json*, std::string>> todo{{&s, keyword.substr(0, keyword.rfind('/'))}};
    while (!todo.empty()) {
      auto [node, where] = todo.back();
      todo.pop_back();
      if (!node->is_object() || !seen.insert(node).second) {
        continue;
      }
      bool dynamic = items && node->contains("contains");
      for (const char* k : kDynamicApplicators) {
        dynamic = dynamic || node->contains(k);
      }
      if (dynamic) {
        return UnsupportedAt(keyword,
                             std::string(items ? "unevaluatedItems" : "unevaluatedProperties") +
                                 " next to anyOf, oneOf, if/then/else, dependentSchemas" +
                                 (items ? " or contains" : "") +
                                 " (directly or through allOf and $ref) is not supported by the validator");
      }
      out.push_back(node);
      if (node->contains("allOf") && (*node)["allOf"].is_array()) {
        for (size_t i = 0; i < (*node)["allOf"].size(); ++i) {
          todo.emplace_back(&(*node)["allOf"][i], where + "/allOf/" + std::to_string(i));
        }
      }
      for (const char* ref : {"$ref", "$dynamicRef"}) {
        if (node->contains(ref) && (*node)[ref].is_string()) {
          auto target = Resolve((*node)[ref].get<std::string>(), where);
          if (!target.ok()) {
            return target.error();
          }
          todo.emplace_back(&root_.at(Json::json_pointer(target.value())), target.value());
        }
      }
    }
    return out;
  }

  // unevaluatedProperties: U as draft-07: additionalProperties U, with every property name and pattern of the
  // static closure listed (as `true`) so that additionalProperties sees exactly the unevaluated ones.
  Status UnevaluatedProperties(const Json& s, const std::string& f, const std::string& to, Json& out,
                               Status& st) {
    auto closure = StaticClosure(s, f);
    if (!closure.ok()) {
      return closure.error();
    }
    for (const Json* n : closure.value()) {
      if (n->contains("additionalProperties") || (n != &s && n->contains("unevaluatedProperties"))) {
        return Ok();  // every property is evaluated already
      }
    }
    out["additionalProperties"] = Sub(s["unevaluatedProperties"], f, to + "/additionalProperties", st);
    for (const Json* n : closure.value()) {
      for (const char* map : {"properties", "patternProperties"}) {
        if (n != &s && n->contains(map) && (*n)[map].is_object()) {
          for (const auto& [name, _] : (*n)[map].items()) {
            if (!out[map].contains(name)) {
              out[map][name] = true;
            }
          }
        }
      }
    }
    return Ok();
  }

  // unevaluatedItems: U as draft-07: past the longest prefixItems of the static closure, additionalItems U.
  Status UnevaluatedItems(const Json& s, const std::string& f, const std::string& to, Json& out, Status& st) {
    auto closure = StaticClosure(s, f);
    if (!closure.ok()) {
      return closure.error();
    }
    size_t prefix = 0;
    for (const Json* n : closure.value()) {
      if (n->contains("items") || (n != &s && n->contains("unevaluatedItems"))) {
        return Ok();  // every item is evaluated already
      }
      if (n->contains("prefixItems") && (*n)["prefixItems"].is_array()) {
        prefix = std::max(prefix, (*n)["prefixItems"].size());
      }
    }
    if (prefix == 0) {
      out["items"] = Sub(s["unevaluatedItems"], f, to + "/items", st);
      return Ok();
    }
    out["additionalItems"] = Sub(s["unevaluatedItems"], f, to + "/additionalItems", st);
    if (!out.contains("items")) {
      out["items"] = Json::array();
    }
    while (out["items"].size() < prefix) {
      out["items"].push_back(true);
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
      std::string f = from + "/" + PointerToken(k);
      auto t = [&](const std::string& key) { return to + "/" + PointerToken(key); };
      if (k == "format" || k == "id" || k == "minContains" || k == "maxContains" || k == "$ref" ||
          k == "$dynamicRef" || k == "unevaluatedProperties" || k == "unevaluatedItems" ||
          k.starts_with("x-lmcp-")) {
        // An annotation in 2020-12 (format), not a keyword (id, and the schema's own x-lmcp-* that the
        // validator would take for its keywords), checked in Refuse, or written after the loop: the refs, and
        // unevaluated* which add to what the other keywords wrote.
        continue;
      }
      if (k == "items" && s.contains("prefixItems")) {
        out["additionalItems"] = Sub(v, f, t("additionalItems"), st);
      } else if (k == "prefixItems") {
        for (size_t i = 0; i < v.size(); ++i) {
          out["items"][i] = Sub(v[i], f + "/" + std::to_string(i), t("items") + "/" + std::to_string(i), st);
        }
      } else if (k == "dependentRequired" || k == "dependentSchemas") {
        if (!v.is_object()) {
          return Invalid(f, k + " must be an object");
        }
        for (const auto& [name, member] : v.items()) {
          if (out.contains("dependencies") && out["dependencies"].contains(name)) {
            return UnsupportedAt(f, "dependentRequired and dependentSchemas both name \"" + name + "\"");
          }
          std::string path = t("dependencies") + "/" + PointerToken(name);
          out["dependencies"][name] =
              k == "dependentRequired" ? member : Sub(member, f + "/" + PointerToken(name), path, st);
        }
      } else if (k == "propertyNames") {
        out[k] = Json{{"$ref", ""}, {"x-lmcp", Sub(v, f, t(k) + "/x-lmcp", st)}};
        refs_.emplace_back(t(k), f);
      } else if (k == "contains") {
        auto counted = CountedContains(s, from, to, out, st);
        if (!counted.ok()) {
          return counted.error();
        }
        if (!counted.value()) {
          out[k] = Sub(v, f, t(k), st);
        }
      } else if (kSingle.count(k)) {
        out[k] = Sub(v, f, t(k), st);
      } else if (kArray.count(k) || kMap.count(k)) {
        if (auto checked = ForValijson(k, v, f, out); !checked.ok()) {  // patternProperties' patterns
          return checked.error();
        }
        out[k] = v.is_array() ? Json::array() : Json::object();
        for (const auto& [name, member] : v.items()) {
          std::string key = v.is_array() ? name : PointerToken(name);
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
    if (st.ok() && s.contains("unevaluatedProperties")) {
      if (auto r = UnevaluatedProperties(s, from + "/unevaluatedProperties", to, out, st); !r.ok()) {
        return r.error();
      }
    }
    if (st.ok() && s.contains("unevaluatedItems")) {
      if (auto r = UnevaluatedItems(s, from + "/unevaluatedItems", to, out, st); !r.ok()) {
        return r.error();
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
  bool counted_contains_ = false;
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
