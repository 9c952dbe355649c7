#pragma once
// Settings for `lambda-mcp serve`: a plain struct with defaults. Loading (flags > env > file) and
// validating are separate steps; Validate() reports every problem at once. Not thread-safe; built once.

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"

namespace lmcp::app {

struct ServeConfig {
  std::string transport = "stdio";    // where MCP clients connect
  bool conformance_fixtures = false;  // serve the conformance fixture tools instead of Lambda functions
  size_t page_size = 100;             // tools per tools/list page
  size_t max_message_bytes = 8 * 1024 * 1024;  // larger messages are refused with -32600
  int worker_threads = 8;                      // tools/call handlers running at once
  size_t max_queued_calls = 1024;              // calls waiting for a worker before new ones are refused
  int shutdown_grace_ms = 5000;                // on stdin EOF or SIGTERM: wait this long, then cancel calls
  std::string instructions;                    // empty = the built-in text

  // Every problem, one per entry; empty when valid.
  std::vector<std::string> Problems() const;
  // kInvalidArgument listing every problem ("; "-separated), or Ok.
  Status Validate() const;
};

}  // namespace lmcp::app
