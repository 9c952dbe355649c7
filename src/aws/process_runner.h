#pragma once
// Runs credential_process commands: a shell-style split of the command line, then fork/exec without a shell,
// capturing stdout and stderr. ProcessRunner is a function type so tests can substitute a fake. Thread-safe.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmcp::aws {

struct ProcessOutput {
  int exit_code = 0;
  std::string out;
  std::string err;
};

using ProcessRunner = std::function<Result<ProcessOutput>(const std::vector<std::string>& argv)>;

// POSIX-shell-like word splitting: whitespace separates, '…' is literal, "…" allows \" \\ \$ \`, a backslash
// outside quotes escapes the next character. Unterminated quotes are an error.
Result<std::vector<std::string>> SplitCommandLine(std::string_view line);

// Runs argv[0] (looked up on PATH) with argv; output capped at 1 MiB per stream.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv);

}  // namespace lmcp::aws
