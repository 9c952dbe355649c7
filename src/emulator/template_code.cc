// Code locating and handler resolution for template functions (template_code.h).

#include "emulator/template_code.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/base64.h"
#include "common/crypto.h"
#include "common/file.h"
#include "emulator/template_values.h"

namespace lmcp::emulator {
namespace {

namespace fs = std::filesystem;

// The files a handler "<module>.<function>" may live in, most likely first.
std::vector<std::string> HandlerFiles(const std::string& module, bool python) {
  if (python) {
    std::string m = module;
    std::replace(m.begin(), m.end(), '.', '/');
    return {m + ".py"};
  }
  return {module + ".js", module + ".mjs", module + ".cjs"};
}

}  // namespace

bool RuntimeEmulated(const std::string& runtime) {
  return runtime.starts_with("python3") || runtime.starts_with("nodejs") || runtime == "echo";
}

Status LocateCode(FunctionSpec& f, const std::string& code_uri, const std::string& base_dir) {
  const std::string& id = f.logical_id;
  if (!RuntimeEmulated(f.runtime)) {
    return TemplateError(id,
                         "Runtime " + f.runtime + " is not supported locally (python3.x, nodejs*.x, echo)");
  }
  fs::path dir = fs::path(code_uri);
  if (dir.is_relative()) {
    dir = fs::path(base_dir) / dir;
  }
  std::error_code ec;
  dir = fs::weakly_canonical(dir, ec);
  if (!fs::is_directory(dir)) {
    return TemplateError(id, "CodeUri " + code_uri + " is not a directory (" + dir.string() + ")");
  }
  f.code_dir = dir.string();
  if (f.runtime == "echo") {
    return Ok();
  }
  size_t dot = f.handler.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == f.handler.size()) {
    return TemplateError(id, "Handler must be <module>.<function>, got '" + f.handler + "'");
  }
  const bool python = f.runtime.starts_with("python3");
  std::vector<std::string> candidates = HandlerFiles(f.handler.substr(0, dot), python);
  std::string found;
  for (const auto& c : candidates) {
    if (fs::is_regular_file(dir / c)) {
      found = (dir / c).string();
      break;
    }
  }
  if (found.empty()) {
    return TemplateError(id, "handler file " + candidates[0] + " not found in " + f.code_dir);
  }
  std::string bytes = ReadWholeFile(found).value_or("");
  Digest digest = Sha256(bytes);
  f.code_sha256 = Base64Encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  f.code_size = static_cast<long>(bytes.size());
  return Ok();
}

}  // namespace lmcp::emulator
