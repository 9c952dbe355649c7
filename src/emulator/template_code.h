#pragma once
// Where a template function's code is: its CodeUri directory and, for python3.x and nodejs*.x, the file its
// Handler names, whose SHA-256 and size become CodeSha256 and CodeSize. Internal to the template loader.

#include <string>

#include "common/result.h"
#include "emulator/model.h"

namespace lmcp::emulator {

// Checks f.runtime, then fills f.code_dir from `code_uri` (relative to `base_dir`) and, unless the runtime is
// `echo`, f.code_sha256 and f.code_size from the handler's file. Errors name f.logical_id.
Status LocateCode(FunctionSpec& f, const std::string& code_uri, const std::string& base_dir);

// Whether `local` can run functions of this Runtime: python3.x, nodejs*.x, and the built-in echo.
bool RuntimeEmulated(const std::string& runtime);

}  // namespace lmcp::emulator
