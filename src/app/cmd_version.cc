#include <iostream>

#include "app/commands.h"
#include "common/version.h"

namespace lmcp::app {

CommandRun SetUpVersion(CLI::App& /*command*/, const GlobalOptions& /*globals*/) {
  return [] {
    std::cout << kServerName << " " << kVersion << "\n";
    return 0;
  };
}

}  // namespace lmcp::app
