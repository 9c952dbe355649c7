#include <iostream>

#include "app/commands.h"
#include "common/version.h"

namespace lmcp::app {

std::string VersionLine() { return std::string(kServerName) + " " + kVersion + " (commit " + kCommit + ")"; }

CommandRun SetUpVersion(CLI::App& /*command*/, const GlobalOptions& /*globals*/) {
  return [] {
    std::cout << VersionLine() << "\n";
    return 0;
  };
}

}  // namespace lmcp::app
