#include "catalog/valijson_keywords.h"

#include <cfloat>
#include <cmath>
#include <memory>
#include <new>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace lmcp::catalog {
namespace {

using Json = nlohmann::json;

using valijson::adapters::Adapter;
using valijson::constraints::Constraint;
using valijson::constraints::PolyConstraint;

// UTF-8 → UTF-32 (wchar_t is 32 bits here). Bytes that are not UTF-8 map to U+FFFD.
std::wstring Widen(const std::string& s) {
  std::wstring out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || (extra > 0 && i + extra >= s.size())) {
      out += L'\uFFFD';
      ++i;
      continue;
    }
    uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      ok = ok && (cc >> 6) == 0x2;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out += L'\uFFFD';
      ++i;
      continue;
    }
    out += static_cast<wchar_t>(cp);
    i += extra + 1;
  }
  return out;
}

class CodePointPattern : public PolyConstraint {
 public:
  explicit CodePointPattern(const std::string& pattern)
      : source_(pattern), regex_(Widen(pattern), std::regex::ECMAScript) {}

  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) {
      return true;
    }
    std::string s;
    target.getString(s);
    if (std::regex_search(Widen(s), regex_)) {
      return true;
    }
    if (results) {
      results->pushError(context, "Failed to match regex specified by 'pattern' constraint.");
    }
    return false;
  }

 private:
  Constraint* cloneInto(void* where) const override { return new (where) CodePointPattern(*this); }
  size_t sizeOf() const override { return sizeof(CodePointPattern); }

  std::string source_;
  std::wregex regex_;
};

// value / divisor is an integer, to within the rounding of the division (so 19.99 is a multiple of 0.01).
class DecimalMultipleOf : public PolyConstraint {
 public:
  explicit DecimalMultipleOf(double divisor) : divisor_(divisor) {}

  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    double value = 0;
    if (!target.isNumber() || !target.getNumber(value)) {
      return true;
    }
    double q = value / divisor_;
    bool ok =
        std::isfinite(q) && std::fabs(q - std::round(q)) <= 8 * DBL_EPSILON * std::max(1.0, std::fabs(q));
    if (!ok && results) {
      results->pushError(context, "Value should be a multiple of " + std::to_string(divisor_));
    }
    return ok;
  }

 private:
  Constraint* cloneInto(void* where) const override { return new (where) DecimalMultipleOf(*this); }
  size_t sizeOf() const override { return sizeof(DecimalMultipleOf); }

  double divisor_;
};

// contains with minContains/maxContains: how many items validate against the subschema.
class CountedContains : public PolyConstraint {
 public:
  CountedContains(std::shared_ptr<const valijson::Schema> schema, double min, double max)
      : schema_(std::move(schema)), min_(min), max_(max) {}

  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isArray()) {
      return true;
    }
    double count = 0;
    bool checkable = true;
    target.applyToArray([&](const Adapter& item) {
      const auto* json_item = dynamic_cast<const valijson::adapters::NlohmannJsonAdapter*>(&item);
      if (!json_item) {
        checkable = false;
        return false;
      }
      valijson::Validator validator;
      if (validator.validate(*schema_, *json_item, nullptr)) {
        ++count;
      }
      return true;
    });
    bool ok = checkable && count >= min_ && (max_ < 0 || count <= max_);
    if (!ok && results) {
      results->pushError(context,
                         "The number of items matching 'contains' is outside minContains/maxContains.");
    }
    return ok;
  }

 private:
  Constraint* cloneInto(void* where) const override { return new (where) CountedContains(*this); }
  size_t sizeOf() const override { return sizeof(CountedContains); }

  std::shared_ptr<const valijson::Schema> schema_;
  double min_;
  double max_;  // < 0: none
};

constexpr int kMaxContainsNesting = 8;
constexpr int kMaxContainsParses = 64;  // nested parses for one schema, however they nest

void AddKeywords(valijson::SchemaParser& parser, const Json& document, int nesting,
                 std::shared_ptr<int> parses);

// {"$ref": <the subschema in the document>, "min": n, "max": m}: the subschema is parsed from a copy of the
// document whose root is that $ref, so its own $refs resolve as in the document.
class ContainsBuilder : public valijson::ConstraintBuilder {
 public:
  ContainsBuilder(const Json& document, int nesting, std::shared_ptr<int> parses)
      : document_(document), nesting_(nesting), parses_(std::move(parses)) {}

  Constraint* make(const Adapter& value) const override {
    if (nesting_ >= kMaxContainsNesting) {
      throw UnsupportedByValidator("minContains/maxContains nest deeper than " +
                                   std::to_string(kMaxContainsNesting) + " (or through a $ref cycle)");
    }
    if (++*parses_ > kMaxContainsParses) {
      throw UnsupportedByValidator("more than " + std::to_string(kMaxContainsParses) +
                                   " minContains/maxContains subschemas to prepare");
    }
    std::string ref;
    double min = 1;
    double max = -1;
    value.applyToObject([&](const std::string& key, const Adapter& member) {
      if (key == "$ref") {
        member.getString(ref);
      } else if (key == "min") {
        member.getNumber(min);
      } else if (key == "max") {
        member.getNumber(max);
      }
      return true;
    });
    Json rooted = document_;
    rooted["$ref"] = ref;  // a root $ref: its siblings (the document's own root keywords) are ignored
    auto schema = std::make_shared<valijson::Schema>();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    AddKeywords(parser, rooted, nesting_ + 1, parses_);
    valijson::adapters::NlohmannJsonAdapter adapter(rooted);
    parser.populateSchema(adapter, *schema);
    return new CountedContains(std::move(schema), min, max);
  }

 private:
  const Json& document_;
  int nesting_;
  std::shared_ptr<int> parses_;
};

class PatternBuilder : public valijson::ConstraintBuilder {
 public:
  Constraint* make(const Adapter& value) const override {
    std::string pattern;
    if (!value.getString(pattern)) {
      throw std::runtime_error("pattern must be a string");
    }
    return new CodePointPattern(pattern);
  }
};

class MultipleOfBuilder : public valijson::ConstraintBuilder {
 public:
  Constraint* make(const Adapter& value) const override {
    double divisor = 0;
    if (!value.getNumber(divisor) || !(divisor > 0)) {
      throw std::runtime_error("multipleOf must be a number greater than 0");
    }
    return new DecimalMultipleOf(divisor);
  }
};

// How valijson reads a $ref fragment: each token percent-decoded after ~1/~0, empty tokens skipped.
Result<std::string> ValijsonFragment(const std::string& pointer) {
  std::string out;
  size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    size_t end = pointer.find('/', start);
    std::string token = pointer.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (token.empty()) {
      return Error::FailedPrecondition("a $ref through an empty property name");
    }
    out += "/";
    for (char c : token) {
      out += c == '%' ? std::string("%25") : std::string(1, c);
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return "#" + out;
}

}  // namespace

Result<Json> ValijsonRef(const std::string& pointer, const std::string& at) {
  auto fragment = ValijsonFragment(pointer);
  if (!fragment.ok()) {
    return UnsupportedAt(at, fragment.error().message);
  }
  return Json{{"$ref", fragment.value()}};
}

namespace {

const std::set<std::string> kCounts = {"minLength", "maxLength",     "minItems",
                                       "maxItems",  "minProperties", "maxProperties"};

// Whether std::regex over UTF-8 bytes matches the same property names as ECMAScript over code points: an
// ASCII pattern whose any-character atoms (., [^...], \W, \S, \D) are all repeated with * or +, and no
// counted repetition anywhere then.
bool ByteSafePattern(const std::string& p) {
  bool any_char_atoms = false;
  for (size_t i = 0; i < p.size(); ++i) {
    auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x80) {
      return false;
    }
    bool any_char = c == '.';
    size_t end = i;
    if (c == '\\') {
      if (i + 1 >= p.size() || std::string_view("uxpPc").find(p[i + 1]) != std::string_view::npos) {
        return false;
      }
      any_char = std::string_view("WSD").find(p[i + 1]) != std::string_view::npos;
      end = i + 1;
    } else if (c == '[') {
      any_char = i + 1 < p.size() && p[i + 1] == '^';
      for (end = i + 1; end < p.size() && p[end] != ']'; ++end) {
        if (static_cast<unsigned char>(p[end]) >= 0x80) {
          return false;
        }
        if (p[end] == '\\') {
          if (end + 1 >= p.size() ||
              std::string_view("uxpPcWSD").find(p[end + 1]) != std::string_view::npos) {
            return false;
          }
          ++end;
        }
      }
    }
    if (any_char) {
      any_char_atoms = true;
      if (end + 1 >= p.size() || (p[end + 1] != '*' && p[end + 1] != '+')) {
        return false;
      }
    }
    i = end;
  }
  return !any_char_atoms || p.find('{') == std::string::npos;
}

Status CheckPropertyPattern(const std::string& pattern, const std::string& at) {
  try {
    std::regex compiled(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return UnsupportedAt(at, "patternProperties uses regular-expression syntax the validator lacks");
  }
  if (!ByteSafePattern(pattern)) {
    return UnsupportedAt(at,
                         "the validator matches patternProperties over UTF-8 bytes, and this pattern could "
                         "then judge a non-ASCII property name differently");
  }
  return Ok();
}

}  // namespace

// Keywords valijson gets wrong, written for it (valijson_keywords.h); true when `k` was written to `out`.
Result<bool> ForValijson(const std::string& k, const Json& v, const std::string& at, Json& out) {
  if (k == "pattern" && v.is_string()) {
    if (!WideRegexCompiles(v.get<std::string>())) {
      return UnsupportedAt(at,
                           "pattern uses regular-expression syntax the validator lacks (such as \\p{...})");
    }
    out["x-lmcp-pattern"] = v;
    return true;
  }
  if (k == "multipleOf" && v.is_number_float()) {
    out["x-lmcp-multipleOf"] = v;
    return true;
  }
  if (kCounts.count(k) && v.is_number_float() && v.get<double>() >= 0 && v.get<double>() < 1e15 &&
      std::floor(v.get<double>()) == v.get<double>()) {
    out[k] = static_cast<uint64_t>(v.get<double>());  // 2.0 is a count too
    return true;
  }
  if (k == "patternProperties" && v.is_object()) {
    for (const auto& [pattern, _] : v.items()) {
      if (auto st = CheckPropertyPattern(pattern, at + "/" + PointerToken(pattern)); !st.ok()) {
        return st.error();
      }
    }
  }
  return false;
}

namespace {

// Draft-07 (and draft-04) keywords whose value is one subschema, an array of them, or a map of them.
const std::set<std::string> kSingle7 = {
    "additionalProperties", "additionalItems", "contains", "not", "if", "then", "else", "items"};
const std::set<std::string> kArray7 = {"allOf", "anyOf", "oneOf", "items"};
const std::set<std::string> kMap7 = {"properties", "patternProperties", "definitions", "dependencies"};

// valijson builds a propertyNames subschema under its parent's cache key, so it validates names against the
// parent; a propertyNames that is a $ref to the subschema beside it gets a key of its own.
Result<Json> PropertyNamesFor(Json inner, const std::string& at) {
  auto ref = ValijsonRef(at + "/x-lmcp", at);
  if (!ref.ok()) {
    return ref.error();
  }
  ref.value()["x-lmcp"] = std::move(inner);
  return ref;
}

}  // namespace

// A draft-07/draft-04 schema rewritten in place for valijson (ForValijson, PropertyNamesFor).
Status FixDraft7(Json& s, const std::string& at) {
  if (!s.is_object()) {
    return Ok();
  }
  Json out = Json::object();
  for (auto& [k, v] : s.items()) {
    if (k.starts_with("x-lmcp-")) {
      continue;  // the schema's own: the validator would take them for its keywords
    }
    std::string sub = at + "/" + PointerToken(k);
    auto handled = ForValijson(k, v, sub, out);
    if (!handled.ok()) {
      return handled.error();
    }
    if (handled.value()) {
      continue;
    }
    Status st = Ok();
    if (k == "propertyNames") {
      st = FixDraft7(v, sub + "/x-lmcp");
      auto wrapped = PropertyNamesFor(std::move(v), sub);
      if (!wrapped.ok()) {
        return wrapped.error();
      }
      out[k] = std::move(wrapped).value();
      continue;
    }
    if (kSingle7.count(k) && v.is_object()) {
      st = FixDraft7(v, sub);
    } else if ((kArray7.count(k) && v.is_array()) || (kMap7.count(k) && v.is_object())) {
      for (auto& [name, member] : v.items()) {
        if (st.ok()) {
          st = FixDraft7(member, sub + "/" + (v.is_array() ? name : PointerToken(name)));
        }
      }
    }
    if (!st.ok()) {
      return st;
    }
    out[k] = std::move(v);
  }
  s = std::move(out);
  return Ok();
}

namespace {

void AddKeywords(valijson::SchemaParser& parser, const Json& document, int nesting,
                 std::shared_ptr<int> parses) {
  parser.addConstraintBuilder("x-lmcp-pattern", new PatternBuilder());  // the parser owns its builders
  parser.addConstraintBuilder("x-lmcp-multipleOf", new MultipleOfBuilder());
  parser.addConstraintBuilder("x-lmcp-contains", new ContainsBuilder(document, nesting, std::move(parses)));
}

}  // namespace

void AddLmcpKeywords(valijson::SchemaParser& parser, const Json& document) {
  AddKeywords(parser, document, 0, std::make_shared<int>(0));
}

bool WideRegexCompiles(const std::string& pattern) {
  try {
    std::wregex re(Widen(pattern), std::regex::ECMAScript);
    return true;
  } catch (const std::regex_error&) {
    return false;
  }
}

std::string PointerToken(const std::string& token) {
  return (Json::json_pointer() / token).to_string().substr(1);
}

Error UnsupportedAt(const std::string& pointer, const std::string& what) {
  return Error::FailedPrecondition("at " + (pointer.empty() ? std::string("/") : pointer) + ": " + what);
}

}  // namespace lmcp::catalog
