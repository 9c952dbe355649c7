// Deployment helpers declared in model.h: synthetic functions and the final check.

#include "emulator/model.h"

#include <algorithm>
#include <cstdio>
#include <regex>

namespace lmcp::emulator {

void AddSyntheticFunctions(Deployment& deployment, int count, const std::string& prefix,
                           const std::map<std::string, std::string>& tags) {
  for (int i = 1; i <= count; ++i) {
    char num[16];
    std::snprintf(num, sizeof num, "%04d", i);
    FunctionSpec f;
    f.name = prefix + num;
    f.runtime = "echo";
    f.handler = "echo";
    f.description = "Synthetic echo function " + std::to_string(i);
    f.tags = tags;
    f.code_sha256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    deployment.functions.push_back(std::move(f));
  }
}

bool FinalizeDeployment(Deployment& deployment, std::string* error) {
  auto& fns = deployment.functions;
  std::sort(fns.begin(), fns.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (size_t i = 1; i < fns.size(); ++i) {
    if (fns[i].name == fns[i - 1].name) {
      *error = "duplicate function name " + fns[i].name;
      return false;
    }
  }
  static const std::regex kName(R"([a-zA-Z0-9_-]{1,64})");
  for (const auto& f : fns) {
    if (!std::regex_match(f.name, kName)) {
      *error = "invalid function name '" + f.name + "' (1-64 of [a-zA-Z0-9_-])";
      return false;
    }
  }
  return true;
}

}  // namespace lmcp::emulator
