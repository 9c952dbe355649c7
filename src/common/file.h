#pragma once
// Whole-file reading.

#include <string>

#include "common/result.h"

namespace lmcp {

// The file's bytes, unchanged (binary). kNotFound "cannot read <path>: <reason>" when it cannot be opened or
// read. The path is echoed as given: callers pass ForLog() text where it came from outside.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace lmcp
