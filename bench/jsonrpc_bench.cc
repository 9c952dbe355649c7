// Per-message JSON-RPC/MCP cost: parsing and classifying a tools/call request, serialising a tools/call
// result, and one ping and one tools/list through a whole Session (parse, dispatch, serialise in the sink).
// Run: build-release/bench/jsonrpc_bench

#include <benchmark/benchmark.h>

#include <string>
#include <variant>

#include "jsonrpc/message.h"
#include "mcp/conformance_fixtures.h"
#include "mcp/server.h"

namespace lmcp::bench {
namespace {

const std::string kToolsCall =
    R"({"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo","arguments":{"i":7,)"
    R"("customerId":"12345","payload":"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij)"
    R"(abcdefghijabcdefghijabcdefghij"}}})";

void BM_ParseClassifyToolsCall(benchmark::State& state) {
  for (auto _ : state) {
    auto parsed = jsonrpc::ParseJson(kToolsCall);
    auto msg = jsonrpc::Classify(std::get<jsonrpc::Json>(parsed));
    benchmark::DoNotOptimize(msg);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kToolsCall.size()));
}
BENCHMARK(BM_ParseClassifyToolsCall);

void BM_SerializeToolsCallResult(benchmark::State& state) {
  jsonrpc::Json result = {{"content", {{{"type", "text"}, {"text", std::string(150, 'x')}}}},
                          {"isError", false}};
  jsonrpc::Json msg = jsonrpc::MakeResult(42, result);
  for (auto _ : state) {
    std::string s = jsonrpc::Serialize(msg);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SerializeToolsCallResult);

class SerializingSink final : public mcp::MessageSink {
 public:
  void Send(const mcp::Json& message, const mcp::Json&) override {
    bytes_ += jsonrpc::Serialize(message).size();
  }
  size_t bytes_ = 0;
};

void SessionRoundTrip(benchmark::State& state, const std::string& request) {
  mcp::ConformanceFixtures fixtures(false);
  mcp::McpServer server(fixtures);
  SerializingSink sink;
  auto session = server.CreateSession(sink);
  session->HandleRaw(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
      R"("capabilities":{},"clientInfo":{"name":"b","version":"1"}}})");
  session->HandleRaw(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  for (auto _ : state) {
    session->HandleRaw(request);
  }
  benchmark::DoNotOptimize(sink.bytes_);
  session->Shutdown(std::chrono::milliseconds(0));
}

void BM_SessionPing(benchmark::State& state) {
  SessionRoundTrip(state, R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
}
BENCHMARK(BM_SessionPing);

void BM_SessionToolsList(benchmark::State& state) {
  SessionRoundTrip(state, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
}
BENCHMARK(BM_SessionToolsList);

}  // namespace
}  // namespace lmcp::bench

BENCHMARK_MAIN();
