// Load generator for `lambda-mcp serve --http`: N concurrent clients (one MCP session and one keep-alive
// connection each) share M tools/call requests to a fixture tool and check every answer. Prints calls/s and
// latency percentiles; exits 1 on any error. Loopback only.
//   http_load --url http://127.0.0.1:PORT/mcp [--clients 64] [--calls 10000] [--tool test_simple_text]

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/mcp";
  int clients = 64;
  int calls = 10000;
  std::string tool = "test_simple_text";
  std::string token;
};

bool ParseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--url") {
      std::smatch m;
      static const std::regex re(R"(^http://(127\.0\.0\.1|localhost):(\d+)(/.*)$)");
      if (!std::regex_match(v, m, re)) {
        return false;  // loopback only
      }
      o.host = m[1];
      o.port = std::stoi(m[2]);
      o.path = m[3];
    } else if (k == "--clients") {
      o.clients = std::stoi(v);
    } else if (k == "--calls") {
      o.calls = std::stoi(v);
    } else if (k == "--tool") {
      o.tool = v;
    } else if (k == "--token") {
      o.token = v;
    } else {
      return false;
    }
  }
  return o.port > 0 && o.clients > 0 && o.calls > 0;
}

// The last `data:` message of an SSE body, or the body itself when it is JSON.
Json LastMessage(const httplib::Result& r) {
  const std::string& body = r->body;
  if (r->get_header_value("Content-Type").rfind("application/json", 0) == 0) {
    return Json::parse(body, nullptr, false);
  }
  Json last;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("data: ", 0) == 0) {
      last = Json::parse(line.substr(6), nullptr, false);
    }
  }
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: http_load --url http://127.0.0.1:PORT/mcp [--clients N] [--calls N] [--tool NAME] "
                 "[--token T]\n");
    return 2;
  }
  std::atomic<int> next{0}, errors{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<size_t>(o.calls));
  std::string first_error;

  auto worker = [&](int index) {
    httplib::Client c(o.host, o.port);
    c.set_keep_alive(true);
    c.set_tcp_nodelay(
        true);  // else Nagle + delayed ACK add ~40 ms per call (headers and body are two writes)
    c.set_read_timeout(std::chrono::seconds(30));
    httplib::Headers h = {{"Accept", "application/json, text/event-stream"}};
    if (!o.token.empty()) {
      h.emplace("Authorization", "Bearer " + o.token);
    }
    auto record_error = [&](const std::string& what) {
      errors++;
      std::lock_guard lock(mu);
      if (first_error.empty()) {
        first_error = what;
      }
    };
    Json init = {{"jsonrpc", "2.0"},
                 {"id", 0},
                 {"method", "initialize"},
                 {"params",
                  {{"protocolVersion", "2025-11-25"},
                   {"capabilities", Json::object()},
                   {"clientInfo", {{"name", "http_load"}, {"version", "1"}}}}}};
    auto r = c.Post(o.path, h, init.dump(), "application/json");
    if (!r || r->status != 200 || !r->has_header("Mcp-Session-Id")) {
      record_error("initialize failed in client " + std::to_string(index));
      return;
    }
    h.emplace("Mcp-Session-Id", r->get_header_value("Mcp-Session-Id"));
    h.emplace("MCP-Protocol-Version", "2025-11-25");
    c.Post(o.path, h, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", "application/json");
    std::vector<double> mine;
    for (int id = 1;; ++id) {
      if (next.fetch_add(1) >= o.calls) {
        break;
      }
      Json call = {{"jsonrpc", "2.0"},
                   {"id", id},
                   {"method", "tools/call"},
                   {"params", {{"name", o.tool}, {"arguments", Json::object()}}}};
      auto t0 = Clock::now();
      auto cr = c.Post(o.path, h, call.dump(), "application/json");
      auto t1 = Clock::now();
      if (!cr || cr->status != 200) {
        record_error("call failed: " +
                     (cr ? "HTTP " + std::to_string(cr->status) : httplib::to_string(cr.error())));
        continue;
      }
      Json m = LastMessage(cr);
      if (!m.is_object() || m.value("id", -1) != id || !m.contains("result") ||
          m["result"].value("isError", false)) {
        record_error("bad answer: " + cr->body.substr(0, 200));
        continue;
      }
      mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::lock_guard lock(mu);
    latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
  };

  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back(worker, i);
  }
  for (auto& t : threads) {
    t.join();
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) {
      return 0.0;
    }
    size_t i =
        std::min(latencies_ms.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies_ms.size())));
    return latencies_ms[i];
  };
  std::printf(
      "clients=%d calls=%zu errors=%d seconds=%.2f calls_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
      o.clients, latencies_ms.size(), errors.load(), seconds,
      static_cast<double>(latencies_ms.size()) / seconds, pct(0.50), pct(0.99),
      latencies_ms.empty() ? 0.0 : latencies_ms.back());
  if (errors > 0) {
    std::fprintf(stderr, "first error: %s\n", first_error.c_str());
  }
  return errors == 0 && static_cast<int>(latencies_ms.size()) == o.calls ? 0 : 1;
}
