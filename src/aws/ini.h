#pragma once
// The AWS config/credentials file dialect (Python configparser as botocore uses it): [sections],
// `key = value` or `key: value`, full-line comments with # or ;, indented lines continue a value, and a key
// with an empty value followed by indented `k = v` lines is a sub-section (`lambda =\n  endpoint_url = …`).
// Keys are lower-cased. A plain value type; parsing is a pure function.

#include <map>
#include <string>
#include <string_view>

namespace lmcp::aws {

struct IniSection {
  std::map<std::string, std::string> values;
  std::map<std::string, std::map<std::string, std::string>> subsections;

  const std::string* Find(const std::string& key) const {
    auto it = values.find(key);
    return it == values.end() ? nullptr : &it->second;
  }
};

struct IniFile {
  std::map<std::string, IniSection> sections;  // by the name between the brackets, trimmed

  const IniSection* Find(const std::string& name) const {
    auto it = sections.find(name);
    return it == sections.end() ? nullptr : &it->second;
  }
};

IniFile ParseIni(std::string_view text);

}  // namespace lmcp::aws
