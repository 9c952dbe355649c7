// libFuzzer target: MCP message handling. Each input is split on '\n' into raw messages fed to one fresh
// Session (conformance fixtures as the provider, a sink that only serialises), so the fuzzer can reach
// states after initialize. The session is shut down at the end of each input.

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "jsonrpc/message.h"
#include "mcp/conformance_fixtures.h"
#include "mcp/server.h"

namespace {

class SerializingSink final : public lmcp::mcp::MessageSink {
 public:
  void Send(const lmcp::mcp::Json& message, const lmcp::mcp::Json& related) override {
    // Serialising exercises the same path a transport takes; the output is discarded.
    (void)lmcp::jsonrpc::Serialize(message);
    (void)related;
  }
};

lmcp::mcp::McpServer& Server() {
  static bool quiet = (spdlog::set_level(spdlog::level::off), true);
  (void)quiet;
  static auto* provider = new lmcp::mcp::ConformanceFixtures(/*hidden_test_tools=*/false);
  static auto* server = [] {
    lmcp::mcp::ServerOptions options;
    options.worker_threads = 2;
    options.max_message_bytes = 64 * 1024;
    options.client_request_timeout = std::chrono::milliseconds(5);
    return new lmcp::mcp::McpServer(*provider, options);
  }();
  return *server;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SerializingSink sink;
  {
    std::unique_ptr<lmcp::mcp::Session> session = Server().CreateSession(sink);
    std::string_view input(reinterpret_cast<const char*>(data), size);
    while (!input.empty()) {
      size_t end = input.find('\n');
      std::string_view line = input.substr(0, end);
      session->HandleRaw(line);
      if (end == std::string_view::npos) {
        break;
      }
      input.remove_prefix(end + 1);
    }
    session->Shutdown(std::chrono::milliseconds(0));
  }
  return 0;
}
