#include "catalog/tool_naming.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>

namespace lmcp::catalog {
namespace {

std::string Sanitize(const std::string& s) {
  std::string out = s;
  for (auto& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      c = '_';
    }
  }
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') {
    out.insert(out.begin(), '_');
  }
  return out;
}

std::string WithSuffix(const std::string& base, const std::string& key, std::size_t max_length) {
  std::string suffix = "_" + ShortHash(key);
  return base.substr(0, std::min(base.size(), max_length - suffix.size())) + suffix;
}

}  // namespace

std::string ReferenceToolName(const std::string& function_name, const std::string& prefix) {
  std::string name = function_name;
  if (!prefix.empty() && name.starts_with(prefix)) {
    name = name.substr(prefix.size());
  }
  return Sanitize(name);
}

std::string ShortHash(const std::string& text) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

NameAssignment AssignToolNames(const std::vector<std::string>& function_names, const std::string& prefix,
                               std::size_t max_length) {
  NameAssignment out;
  const size_t n = function_names.size();
  std::vector<std::string> base(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string& fn = function_names[i];
    base[i] = ReferenceToolName(fn, prefix);
    if (base[i].empty()) {
      base[i] = Sanitize(fn);
      out.notes.push_back("function " + fn + " is named exactly like FUNCTION_PREFIX; its tool is named " +
                          base[i]);
    }
    if (base[i].size() > max_length) {
      std::string shortened = WithSuffix(base[i], fn, max_length);
      out.notes.push_back("tool name for function " + fn + " is longer than " + std::to_string(max_length) +
                          " characters; shortened to " + shortened);
      base[i] = shortened;
    }
  }
  // Group equal names; in each group the function whose name is exactly the tool name keeps it,
  // else the smallest function name. The others get a hash suffix of their function name.
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < n; ++i) {
    groups[base[i]].push_back(i);
  }
  std::set<std::string> taken;
  for (const auto& [name, members] : groups) {
    taken.insert(name);
  }
  out.names = base;
  for (const auto& [name, members] : groups) {
    if (members.size() == 1) {
      continue;
    }
    std::vector<size_t> order = members;
    // A named reference, not the binding itself: clang 14 (clang-tidy's parser) cannot capture a structured
    // binding in a lambda.
    const std::string& tool_name = name;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      bool ea = function_names[a] == tool_name, eb = function_names[b] == tool_name;
      if (ea != eb) {
        return ea;
      }
      return function_names[a] < function_names[b];
    });
    std::string winner = function_names[order[0]];
    for (size_t k = 1; k < order.size(); ++k) {
      const std::string& fn = function_names[order[k]];
      std::string key = fn;
      std::string candidate = WithSuffix(name, key, max_length);
      while (taken.count(candidate)) {
        key += "#";
        candidate = WithSuffix(name, key, max_length);
      }
      taken.insert(candidate);
      out.names[order[k]] = candidate;
      out.notes.push_back("tool name " + name + " is wanted by functions " + winner + " and " + fn + "; " +
                          winner + " keeps it, " + fn + " becomes " + candidate);
    }
  }
  return out;
}

}  // namespace lmcp::catalog
