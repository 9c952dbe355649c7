// http_bench: Streamable HTTP transport throughput. Serves the MCP core (conformance fixtures: zero-work
// tools) through transport::HttpServer in this process and drives it with N client threads, each with its own
// session and keep-alive connection, calling tools/call in a loop for D seconds. The baseline, measured in
// the same run: the same clients POSTing to a bare cpp-httplib handler that answers a fixed JSON-RPC result.
// Prints one JSON object: {"clients":N,"seconds":D,"mcp_calls_per_s":..,"bare_calls_per_s":..,"errors":..}.
// Usage: http_bench [clients=64] [seconds=5]

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mcp/conformance_fixtures.h"
#include "mcp/server.h"
#include "transport/http_server.h"

namespace {

// One client: its own keep-alive connection and MCP session.
struct Client {
  std::unique_ptr<httplib::Client> http;
  std::string session;
  std::string body;

  long Post(const std::string& url, const std::string& payload) {
    auto slash = url.find('/', url.find("://") + 3);
    if (!http) {
      http = std::make_unique<httplib::Client>(url.substr(0, slash));
      http->set_keep_alive(true);
      http->set_read_timeout(10, 0);
    }
    httplib::Headers h = {{"Accept", "application/json, text/event-stream"},
                          {"MCP-Protocol-Version", "2025-11-25"}};
    if (!session.empty()) {
      h.emplace("Mcp-Session-Id", session);
    }
    auto res =
        http->Post(slash == std::string::npos ? "/" : url.substr(slash), h, payload, "application/json");
    body.clear();
    if (!res) {
      return 0;
    }
    body = res->body;
    if (res->has_header("Mcp-Session-Id")) {
      session = res->get_header_value("Mcp-Session-Id");
    }
    return res->status;
  }
};

struct RunResult {
  long calls = 0;
  long errors = 0;
  double seconds = 0;
};

RunResult Drive(const std::string& url, int clients, double seconds, bool mcp) {
  std::atomic<long> calls{0}, errors{0};
  std::atomic<bool> go{false}, stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Client cl;
      if (mcp) {
        std::string init =
            R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
            R"("capabilities":{},"clientInfo":{"name":"http-bench","version":"1"}}})";
        if (cl.Post(url, init) != 200 || cl.session.empty()) {
          ++errors;
          return;
        }
        cl.Post(url, R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
      }
      while (!go) {
        std::this_thread::yield();
      }
      long i = 1;
      while (!stop) {
        std::string call = R"({"jsonrpc":"2.0","id":)" + std::to_string(i++) +
                           R"(,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"c":)" +
                           std::to_string(c) + "}}}";
        long status = cl.Post(url, call);
        if (status == 200 && cl.body.find("\"result\"") != std::string::npos) {
          ++calls;
        } else {
          ++errors;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // sessions set up
  auto t0 = std::chrono::steady_clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) {
    t.join();
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {calls.load(), errors.load(), elapsed};
}

}  // namespace

int main(int argc, char** argv) {
  int clients = argc > 1 ? std::atoi(argv[1]) : 64;
  double seconds = argc > 2 ? std::atof(argv[2]) : 5;
  spdlog::set_level(spdlog::level::warn);

  // Baseline: a bare cpp-httplib POST handler with a fixed JSON-RPC answer.
  httplib::Server bare;
  bare.new_task_queue = [] { return new httplib::ThreadPool(256); };
  bare.Post("/mcp", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"ok"}]}})",
                    "application/json");
  });
  int bare_port = bare.bind_to_any_port("127.0.0.1");
  std::thread bare_thread([&] { bare.listen_after_bind(); });
  RunResult b = Drive("http://127.0.0.1:" + std::to_string(bare_port) + "/mcp", clients, seconds, false);
  bare.stop();
  bare_thread.join();

  lmcp::mcp::ConformanceFixtures fixtures(false);
  lmcp::mcp::McpServer server(fixtures);
  lmcp::transport::HttpServerDeps deps;
  deps.session_factory = [&](lmcp::mcp::MessageSink& sink, const lmcp::mcp::SessionOptions& options) {
    return server.CreateSession(sink, options);
  };
  lmcp::transport::HttpServer http({}, std::move(deps));
  if (auto s = http.Start(); !s.ok()) {
    std::fprintf(stderr, "http_bench: %s\n", s.error().ToString().c_str());
    return 1;
  }
  RunResult m = Drive(http.url(), clients, seconds, true);
  http.Stop();

  nlohmann::json out = {{"clients", clients},
                        {"seconds", m.seconds},
                        {"mcp_calls_per_s", static_cast<double>(m.calls) / m.seconds},
                        {"bare_calls_per_s", static_cast<double>(b.calls) / b.seconds},
                        {"mcp_calls", m.calls},
                        {"errors", m.errors + b.errors},
                        {"cores", std::thread::hardware_concurrency()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
