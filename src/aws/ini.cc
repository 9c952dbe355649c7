#include "aws/ini.h"

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace lmcp::aws {
namespace {

bool SplitKeyValue(std::string_view line, std::string& key, std::string& value) {
  auto delim = line.find_first_of("=:");
  if (delim == std::string_view::npos) {
    return false;
  }
  key = AsciiLower(Trim(line.substr(0, delim)));
  value = std::string(Trim(line.substr(delim + 1)));
  return !key.empty();
}

}  // namespace

IniFile ParseIni(std::string_view text) {
  IniFile file;
  IniSection* section = nullptr;
  std::string last_key;
  bool in_subsection = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (!raw.empty() && raw.back() == '\r') {
      raw.remove_suffix(1);
    }
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') {
      continue;
    }
    const bool indented = std::isspace(static_cast<unsigned char>(raw.front()));
    if (indented && section != nullptr && !last_key.empty()) {
      std::string k, v;
      if (in_subsection && SplitKeyValue(line, k, v)) {
        section->subsections[last_key][k] = v;
      } else {
        std::string& value = section->values[last_key];
        value += value.empty() ? "" : "\n";
        value += line;
        if (value == std::string(line) && SplitKeyValue(line, k, v)) {
          in_subsection = true;
          section->subsections[last_key][k] = v;
          value.clear();
        }
      }
      continue;
    }
    if (line.front() == '[' && line.back() == ']') {
      std::string name(Trim(line.substr(1, line.size() - 2)));
      section = &file.sections[name];
      last_key.clear();
      in_subsection = false;
      continue;
    }
    std::string key, value;
    if (section == nullptr || !SplitKeyValue(line, key, value)) {
      continue;  // stray or malformed: ignored
    }
    section->values[key] = value;
    last_key = key;
    in_subsection = false;
  }
  return file;
}

}  // namespace lmcp::aws
