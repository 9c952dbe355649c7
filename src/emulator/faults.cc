#include "emulator/faults.h"

#include <yaml-cpp/yaml.h>

#include <regex>
#include <string>

#include "common/json.h"
#include "common/strings.h"

namespace lmcp::emulator {
namespace {

using nlohmann::json;

struct TypeName {
  FaultType type;
  const char* name;
};
constexpr TypeName kTypes[] = {
    {FaultType::kLatency, "latency"},
    {FaultType::kError, "error"},
    {FaultType::kThrottle, "throttle"},
    {FaultType::kReset, "reset"},
    {FaultType::kResetBeforeBody, "reset_before_body"},
    {FaultType::kResetAfterBody, "reset_after_body"},
    {FaultType::kMalformed, "malformed"},
    {FaultType::kDeny, "deny"},
};

constexpr IamAction kIamActions[] = {
    {"Invoke", "lambda:InvokeFunction", true},   {"ListFunctions", "lambda:ListFunctions", false},
    {"GetFunction", "lambda:GetFunction", true}, {"ListTags", "lambda:ListTags", true},
    {"GetResources", "tag:GetResources", false}, {"DescribeSchema", "schemas:DescribeSchema", false},
};

// A fault document is small; these bounds stop an alias cycle (`&a [*a]`), which would recurse forever, and
// an alias bomb, which expands exponentially, from reaching the converter below unchecked.
constexpr size_t kMaxDocumentNodes = 10'000;

struct YamlBudget {
  size_t nodes = 0;
  bool exceeded = false;
};

json YamlToJson(const YAML::Node& node, YamlBudget& budget, size_t depth = 0) {
  if (budget.exceeded || ++budget.nodes > kMaxDocumentNodes || depth > kMaxJsonDepth) {
    budget.exceeded = true;
    return nullptr;
  }
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "?") {
        static const std::regex kInt(R"(-?[0-9]+)");
        static const std::regex kFloat(R"(-?[0-9]+\.[0-9]*)");
        if (std::regex_match(s, kInt)) {
          return std::stoll(s);
        }
        if (std::regex_match(s, kFloat)) {
          return std::stod(s);
        }
        if (s == "true") {
          return true;
        }
        if (s == "false") {
          return false;
        }
        if (s == "null" || s == "~") {
          return nullptr;
        }
      }
      return s;
    }
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const auto& e : node) {
        arr.push_back(YamlToJson(e, budget, depth + 1));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        obj[it->first.as<std::string>()] = YamlToJson(it->second, budget, depth + 1);
      }
      return obj;
    }
    default:
      return nullptr;
  }
}

bool Matches(const std::string& pattern, const std::string& value) {
  return pattern.empty() || pattern == "*" || pattern == value;
}

Result<int> ToInt(const std::string& s, const std::string& what) {
  try {
    size_t used = 0;
    int v = std::stoi(s, &used);
    if (used == s.size()) {
      return v;
    }
  } catch (const std::exception&) {
  }
  return Error::InvalidArgument("fault: " + what + " must be an integer, got '" + s + "'");
}

constexpr char kUndeniable[] =
    "GetCallerIdentity (sts:GetCallerIdentity) cannot be denied: STS answers it for every validly signed "
    "request, whatever the policies say";

// Why a deny rule cannot stand, or "" when it can.
std::string DenyProblem(const FaultRule& r) {
  if (r.operation == "GetCallerIdentity") {
    return kUndeniable;
  }
  const IamAction* row = IamActionOf(r.operation);
  if (row == nullptr) {
    std::string known;
    for (const IamAction& a : kIamActions) {
      known += std::string(known.empty() ? "" : ", ") + a.operation;
    }
    return "deny names the one operation it denies (" + known + "), got '" +
           (r.operation.empty() ? "*" : r.operation) + "'";
  }
  if (!row->per_function && !Matches(r.function, "")) {
    return std::string(row->operation) + " is not called on a function: its deny rule names none";
  }
  return "";
}

}  // namespace

Result<FaultType> ParseFaultType(const std::string& name) {
  for (const auto& t : kTypes) {
    if (name == t.name) {
      return t.type;
    }
  }
  return Error::InvalidArgument("fault: unknown type '" + name +
                                "' (latency, error, throttle, reset, reset_before_body, reset_after_body, "
                                "malformed, deny)");
}

const char* FaultTypeName(FaultType type) {
  for (const auto& t : kTypes) {
    if (t.type == type) {
      return t.name;
    }
  }
  return "?";
}

Result<FaultRule> FaultRuleFromJson(const json& j) {
  if (!j.is_object()) {
    return Error::InvalidArgument("fault: each rule must be an object");
  }
  static const std::vector<std::string> kKeys = {"operation", "function", "type",    "latency_ms",
                                                 "status",    "code",     "message", "retry_after_seconds",
                                                 "skip",      "count"};
  for (auto& [k, v] : j.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end()) {
      return Error::InvalidArgument("fault: unknown field '" + k + "'");
    }
  }
  FaultRule r;
  try {
    if (!j.contains("type")) {
      return Error::InvalidArgument("fault: 'type' is required");
    }
    auto type = ParseFaultType(j.at("type").get<std::string>());
    if (!type.ok()) {
      return type.error();
    }
    r.type = *type;
    r.operation = j.value("operation", "");
    r.function = j.value("function", "");
    r.latency_ms = j.value("latency_ms", 0);
    r.status = j.value("status", r.type == FaultType::kThrottle    ? 429
                                 : r.type == FaultType::kMalformed ? 200
                                 : r.type == FaultType::kDeny      ? 403
                                                                   : 500);
    r.code = j.value("code", "");
    r.message = j.value("message", "");
    r.retry_after_seconds = j.value("retry_after_seconds", 1);
    r.skip = j.value("skip", 0);
    r.count = j.value("count", -1);
  } catch (const json::exception& e) {
    return Error::InvalidArgument(std::string("fault: ") + e.what());
  }
  if (r.type == FaultType::kLatency && r.latency_ms <= 0) {
    return Error::InvalidArgument("fault: latency needs latency_ms > 0");
  }
  if (r.type == FaultType::kError && (r.status < 400 || r.status > 599)) {
    return Error::InvalidArgument("fault: error status must be 4xx or 5xx");
  }
  if (r.type == FaultType::kMalformed &&
      (r.status < 200 || r.status > 599 || (r.status >= 300 && r.status < 400))) {
    return Error::InvalidArgument("fault: malformed status must be 2xx, 4xx or 5xx");
  }
  if (r.skip < 0 || r.retry_after_seconds < 0) {
    return Error::InvalidArgument("fault: negative skip or retry_after_seconds");
  }
  if (std::string problem = r.type == FaultType::kDeny ? DenyProblem(r) : ""; !problem.empty()) {
    return Error::InvalidArgument("fault: " + problem);
  }
  return r;
}

json FaultRuleToJson(const FaultRule& r) {
  json j = {{"type", FaultTypeName(r.type)},
            {"operation", r.operation.empty() ? "*" : r.operation},
            {"function", r.function.empty() ? "*" : r.function},
            {"skip", r.skip},
            {"count", r.count},
            {"matched", r.matched},
            {"applied", r.applied}};
  if (r.type == FaultType::kLatency) {
    j["latency_ms"] = r.latency_ms;
  }
  if (r.type == FaultType::kError || r.type == FaultType::kMalformed) {
    j["status"] = r.status;
  }
  if (r.type == FaultType::kThrottle) {
    j["retry_after_seconds"] = r.retry_after_seconds;
  }
  if (!r.code.empty()) {
    j["code"] = r.code;
  }
  if (!r.message.empty()) {
    j["message"] = r.message;
  }
  return j;
}

Result<FaultRule> ParseFaultFlag(const std::string& flag) {
  size_t colon = flag.find(':');
  if (colon == std::string::npos) {
    return Error::InvalidArgument("fault: expected <operation>[@function]:<type>[=value][,k=v], got '" +
                                  flag + "'");
  }
  std::string target = flag.substr(0, colon);
  FaultRule r;
  size_t at = target.find('@');
  r.operation = target.substr(0, at);
  if (at != std::string::npos) {
    r.function = target.substr(at + 1);
  }
  std::vector<std::string> parts;
  std::string rest = flag.substr(colon + 1);
  for (size_t start = 0;;) {
    size_t comma = rest.find(',', start);
    parts.push_back(rest.substr(start, comma - start));
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  std::string head = parts[0];
  size_t eq = head.find('=');
  auto type = ParseFaultType(head.substr(0, eq));
  if (!type.ok()) {
    return type.error();
  }
  r.type = *type;
  if (r.type == FaultType::kThrottle) {
    r.status = 429;
  }
  if (r.type == FaultType::kMalformed) {
    r.status = 200;
  }
  if (eq != std::string::npos) {
    std::string value = head.substr(eq + 1);
    if (value.size() > 2 && value.substr(value.size() - 2) == "ms") {
      value.resize(value.size() - 2);
    }
    auto v = ToInt(value, head.substr(0, eq));
    if (!v.ok()) {
      return v.error();
    }
    switch (r.type) {
      case FaultType::kLatency:
        r.latency_ms = *v;
        break;
      case FaultType::kError:
      case FaultType::kMalformed:
        r.status = *v;
        break;
      case FaultType::kThrottle:
        r.retry_after_seconds = *v;
        break;
      default:
        return Error::InvalidArgument("fault: " + head.substr(0, eq) + " takes no value");
    }
  }
  json j = FaultRuleToJson(r);
  j.erase("matched");
  j.erase("applied");
  for (size_t i = 1; i < parts.size(); ++i) {
    size_t e = parts[i].find('=');
    if (e == std::string::npos) {
      return Error::InvalidArgument("fault: expected key=value, got '" + parts[i] + "'");
    }
    std::string key = parts[i].substr(0, e), value = parts[i].substr(e + 1);
    if (key == "code" || key == "message") {
      j[key] = value;
    } else {
      auto v = ToInt(value, key);
      if (!v.ok()) {
        return v.error();
      }
      j[key] = *v;
    }
  }
  return FaultRuleFromJson(j);
}

const IamAction* IamActionOf(const std::string& operation) {
  for (const IamAction& a : kIamActions) {
    if (operation == a.operation) {
      return &a;
    }
  }
  return nullptr;
}

Result<FaultRule> ParseDenyFlag(const std::string& flag) {
  size_t at = flag.find('@');
  std::string action = flag.substr(0, at);
  FaultRule r;
  r.type = FaultType::kDeny;
  r.status = 403;
  if (at != std::string::npos) {
    r.function = flag.substr(at + 1);
  }
  if (IEquals(action, "sts:GetCallerIdentity")) {
    return Error::InvalidArgument(std::string("--deny: ") + kUndeniable);
  }
  std::vector<std::string> known;
  for (const IamAction& a : kIamActions) {
    if (IEquals(action, a.action)) {
      r.operation = a.operation;
    }
    known.push_back(a.action);
  }
  if (r.operation.empty()) {
    std::string hint = ClosestMatch(action, known);
    return Error::InvalidArgument("--deny: unknown IAM action '" + action + "'" +
                                  (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                                  "; known: " + Join(known, ", "));
  }
  if (std::string problem = DenyProblem(r); !problem.empty()) {
    return Error::InvalidArgument("--deny: " + problem);
  }
  return r;
}

Result<std::vector<FaultRule>> ParseFaultDocument(const std::string& text) {
  json doc;
  YamlBudget budget;
  try {
    doc = YamlToJson(YAML::Load(text), budget);
  } catch (const YAML::Exception& e) {
    return Error::InvalidArgument(std::string("fault document: ") + e.what());
  }
  if (budget.exceeded) {
    return Error::InvalidArgument("fault document: more than " + std::to_string(kMaxDocumentNodes) +
                                  " values or nested deeper than " + std::to_string(kMaxJsonDepth) +
                                  " levels (an alias cycle?)");
  }
  if (doc.is_object() && doc.contains("faults")) {
    doc = doc["faults"];
  }
  if (doc.is_null()) {
    doc = json::array();
  }
  if (!doc.is_array()) {
    return Error::InvalidArgument("fault document: expected a list of rules or {faults: [...]}");
  }
  std::vector<FaultRule> rules;
  for (const auto& j : doc) {
    auto r = FaultRuleFromJson(j);
    if (!r.ok()) {
      return r.error();
    }
    rules.push_back(std::move(*r));
  }
  return rules;
}

void FaultInjector::Replace(std::vector<FaultRule> rules) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_ = std::move(rules);
}

void FaultInjector::Add(std::vector<FaultRule> rules) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& r : rules) {
    rules_.push_back(std::move(r));
  }
}

void FaultInjector::Clear() { Replace({}); }

bool FaultInjector::empty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rules_.empty();
}

FaultPlan FaultInjector::Plan(const std::string& operation, const std::string& function) {
  FaultPlan plan;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& r : rules_) {
    if (!Matches(r.operation, operation) || !Matches(r.function, function)) {
      continue;
    }
    if (r.type != FaultType::kLatency && plan.terminal) {
      continue;  // one terminal fault per request
    }
    ++r.matched;
    if (r.matched <= r.skip) {
      continue;
    }
    if (r.count >= 0 && r.applied >= r.count) {
      continue;
    }
    ++r.applied;
    if (r.type == FaultType::kLatency) {
      plan.latency_ms += r.latency_ms;
    } else {
      plan.terminal = r;
    }
  }
  return plan;
}

json FaultInjector::ToJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  json arr = json::array();
  for (const auto& r : rules_) {
    arr.push_back(FaultRuleToJson(r));
  }
  return {{"faults", arr}};
}

}  // namespace lmcp::emulator
