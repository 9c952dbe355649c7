// lambda-mcp-local: the local Lambda endpoint as a standalone program (same options as `lambda-mcp local`).

#include <malloc.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "emulator/local_cli.h"

int main(int argc, char** argv) {
  // As `lambda-mcp local` (src/app/main.cc): body-sized buffers go to mmap and back to the OS when freed, so
  // memory returns to its baseline after a large or abusive request.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_ARENA_MAX, 4);
  CLI::App app{"lambda-mcp-local: a local AWS Lambda endpoint running handlers from a SAM template"};
  lmcp::emulator::LocalOptions options;
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")->capture_default_str();
  lmcp::emulator::AddLocalOptions(app, options);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("lambda-mcp-local"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(log_level));
  return lmcp::emulator::RunLocal(options);
}
