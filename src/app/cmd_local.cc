// `lambda-mcp local`: the local AWS Lambda endpoint (emulator/) with handlers from a SAM template.

#include "app/commands.h"
#include "emulator/local_cli.h"

namespace lmcp::app {

CommandRun SetUpLocal(CLI::App& command, const GlobalOptions& /*globals*/) {
  auto options = std::make_shared<emulator::LocalOptions>();
  emulator::AddLocalOptions(command, *options);
  return [options] { return emulator::RunLocal(*options); };
}

}  // namespace lmcp::app
